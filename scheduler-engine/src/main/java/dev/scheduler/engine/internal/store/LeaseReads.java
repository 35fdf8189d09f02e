package dev.scheduler.engine.internal.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The lease renewals of all of an engine's partitions in one read: a renewal's read waits up to {@link #WINDOW} for
 * the others (partitions renew on the same ticks, {@code PartitionLease}) and they go as one query for up to
 * {@link #MAX_PARTITIONS} partitions. At a trickle Cassandra spends milliseconds of CPU per request, whatever it
 * reads: an idle engine's 16 renewals a second were 80 % of its requests.
 *
 * <p>What a renewal confirms is unchanged: its lease runs from a time taken before it asked, and the read is sent
 * later, so it sees at least what a read sent at once would. A failed read fails every renewal in it; each one's
 * partition reads again a tenth of the lease later ({@code PartitionLease#renewalFailed}).
 */
final class LeaseReads {

    /** How long the first renewal of a group waits for the others: a 600th of the default lease. */
    static final Duration WINDOW = Duration.ofMillis(5);

    /** The most partitions in one query (an {@code IN} list this long is still one cheap request). */
    static final int MAX_PARTITIONS = 100;

    private final Function<List<Integer>, CompletionStage<Map<Integer, OwnerRow>>> readMany;
    private final Executor afterWindow;
    private final Object lock = new Object();
    private Map<Integer, CompletableFuture<Optional<OwnerRow>>> waiting = new HashMap<>();

    /**
     * @param readMany reads the owner rows of the partitions given; a partition without a row has no entry
     * @param afterWindow runs what it is given once the window has passed
     */
    LeaseReads(Function<List<Integer>, CompletionStage<Map<Integer, OwnerRow>>> readMany, Executor afterWindow) {
        this.readMany = readMany;
        this.afterWindow = afterWindow;
    }

    /** Sends the reads from the JDK's delay thread (it only sends them: the answers complete on the driver's). */
    LeaseReads(Function<List<Integer>, CompletionStage<Map<Integer, OwnerRow>>> readMany) {
        this(readMany, CompletableFuture.delayedExecutor(WINDOW.toNanos(), TimeUnit.NANOSECONDS, Runnable::run));
    }

    /** The owner row of {@code partition}, read with the others asked for within the window. */
    CompletionStage<Optional<OwnerRow>> read(int partition) {
        CompletableFuture<Optional<OwnerRow>> answer;
        boolean first;
        synchronized (lock) {
            first = waiting.isEmpty();
            // Two renewals of one partition in one window share the read: it was sent after both asked.
            answer = waiting.computeIfAbsent(partition, p -> new CompletableFuture<>());
        }
        if (first) {
            try {
                afterWindow.execute(this::send);
            } catch (RuntimeException e) { // never left waiting with no send to come: the next renewal starts anew
                fail(e);
            }
        }
        return answer.minimalCompletionStage();
    }

    /** The renewals waiting now, and a new window for the next ones. */
    private Map<Integer, CompletableFuture<Optional<OwnerRow>>> takeWaiting() {
        synchronized (lock) {
            Map<Integer, CompletableFuture<Optional<OwnerRow>>> group = waiting;
            waiting = new HashMap<>();
            return group;
        }
    }

    private void fail(Throwable error) {
        takeWaiting().values().forEach(f -> f.completeExceptionally(error));
    }

    private void send() {
        Map<Integer, CompletableFuture<Optional<OwnerRow>>> group = takeWaiting();
        List<Integer> partitions = new ArrayList<>(group.keySet());
        for (int from = 0; from < partitions.size(); from += MAX_PARTITIONS) {
            List<Integer> some =
                    List.copyOf(partitions.subList(from, Math.min(partitions.size(), from + MAX_PARTITIONS)));
            CompletionStage<Map<Integer, OwnerRow>> rows;
            try {
                rows = readMany.apply(some);
            } catch (Throwable e) { // on the JDK's delay thread nobody would see it: every renewal in it fails
                rows = CompletableFuture.failedFuture(e);
            }
            rows.whenComplete((found, error) -> {
                for (int p : some) {
                    if (error != null) {
                        group.get(p).completeExceptionally(error);
                    } else {
                        group.get(p).complete(Optional.ofNullable(found.get(p)));
                    }
                }
            });
        }
    }
}
