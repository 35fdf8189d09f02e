package dev.scheduler.examples;

import dev.scheduler.engine.PartitionState;
import dev.scheduler.engine.SchedulerEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * What the example shows of an instance stopping: halfway through the incidents, engine-b is closed gracefully, as
 * an instance is in a rolling deploy, while tasks keep coming. Its partitions move to engine-a; the handover is
 * timed from the call to {@code close()} to the moment engine-a owns every partition, by polling engine-a's
 * {@link SchedulerEngine#partitions()}. A while later engine-b starts again, and the partitions spread back.
 * Whether anything was lost or ran twice, the {@link Summary} checks with everything else.
 *
 * <p>Each move also has a {@link Window}: from the call to {@code close()} or {@code start()} until every
 * partition's owner has stored what was on the topic when the move ended. Records of a moving partition wait on the
 * topic meanwhile, so a cancel published then may reach its partition after its task started, which the engine
 * allows (a cancel wins once it is stored); the summary tells those apart from cancels that should have won.
 *
 * <p>Runs on a thread of its own; {@link #result()} is complete once {@link #finished()}.
 */
final class Failover implements AutoCloseable {

    static final String STAYS = "engine-a";
    static final String STOPS = "engine-b";

    /** How long the partitions may take to reach their new owners before the example reports a failure. */
    private static final Duration HANDOVER_TIMEOUT = Duration.ofSeconds(60);

    private static final long POLL_MS = 5;

    private final String bootstrapServers;
    private final String topic;
    private final Map<String, SchedulerEngine> running;
    private final Function<String, SchedulerEngine> startEngine;
    private final int partitionCount;
    private final StatusLine status;
    private final long runStartNanos;
    private volatile boolean closed;
    private volatile boolean finished;
    private volatile Result result = Result.NOT_YET;
    private final List<Window> windows = new CopyOnWriteArrayList<>();

    /**
     * While partitions moved: from {@code from} until their owners had caught up with the topic, or still open
     * ({@code to} null).
     */
    record Window(Instant from, Instant to) {

        /** Whether {@code [start, end]} and this window share an instant. */
        boolean overlaps(Instant start, Instant end) {
            return !end.isBefore(from) && (to == null || !start.isAfter(to));
        }
    }

    /**
     * What happened. Times are in nanoseconds, -1 when the step did not happen or did not complete.
     *
     * @param moved partitions engine-b owned when it was stopped
     * @param stoppedAtNanos when engine-b's close() was called, since the run started
     * @param handoverNanos from engine-b's close() being called to engine-a owning every partition
     * @param closeNanos how long engine-b's close() took
     * @param restartedAtNanos when engine-b started again, since the run started
     * @param spreadBackNanos from engine-b starting again to the two engines sharing the partitions
     * @param failure what went wrong, or null
     */
    record Result(
            int moved,
            long stoppedAtNanos,
            long handoverNanos,
            long closeNanos,
            long restartedAtNanos,
            long spreadBackNanos,
            String failure) {
        static final Result NOT_YET = new Result(0, -1, -1, -1, -1, -1, null);

        Result withFailure(String f) {
            return new Result(moved, stoppedAtNanos, handoverNanos, closeNanos, restartedAtNanos, spreadBackNanos, f);
        }

        Result withRestart(long atNanos) {
            return new Result(moved, stoppedAtNanos, handoverNanos, closeNanos, atNanos, spreadBackNanos, failure);
        }

        Result withSpreadBack(long nanos) {
            return new Result(moved, stoppedAtNanos, handoverNanos, closeNanos, restartedAtNanos, nanos, failure);
        }
    }

    /**
     * @param bootstrapServers and {@code topic}: where to read the topic's end offsets, to see when the partitions'
     *     owners have caught up
     * @param running the engines running now, by name; this removes engine-b while it is stopped
     * @param startEngine builds, registers in {@code running} and starts an engine of the given name
     * @param runStartNanos {@link System#nanoTime()} when the run started, for the times printed
     */
    Failover(
            String bootstrapServers,
            String topic,
            Map<String, SchedulerEngine> running,
            Function<String, SchedulerEngine> startEngine,
            int partitionCount,
            StatusLine status,
            long runStartNanos) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.running = running;
        this.startEngine = startEngine;
        this.partitionCount = partitionCount;
        this.status = status;
        this.runStartNanos = runStartNanos;
    }

    /**
     * Stops engine-b once {@code stopAfter} has passed since {@code fromNanos}, and starts it again once
     * {@code restartAfter} has passed (and not before it stopped).
     */
    void start(long fromNanos, Duration stopAfter, Duration restartAfter) {
        Thread t = new Thread(() -> run(fromNanos, stopAfter, restartAfter), "failover");
        t.setDaemon(true);
        t.start();
    }

    private void run(long fromNanos, Duration stopAfter, Duration restartAfter) {
        try {
            // Each step gives up as soon as close() is called (Ctrl-C): the engines are closed with the others.
            if (sleepUntil(fromNanos + stopAfter.toNanos())
                    && stopEngineB()
                    && sleepUntil(fromNanos + restartAfter.toNanos())) {
                startEngineB();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            result = result.withFailure(e.getMessage());
            status.event(prefix() + "failover failed: " + e.getMessage());
        } finally {
            finished = true;
        }
    }

    /** Stops engine-b and waits for engine-a to own everything; false if that failed or the run is ending. */
    private boolean stopEngineB() throws InterruptedException {
        SchedulerEngine a = running.get(STAYS);
        SchedulerEngine b = running.get(STOPS);
        int moved = b.partitions().size();
        status.event(prefix() + "Stopping " + STOPS + " (it owns " + partitionsOf(b) + "), as in a rolling deploy;"
                + " incidents keep coming");
        long start = System.nanoTime();
        long stoppedAt = start - runStartNanos;
        Window window = openWindow();
        CompletableFuture<Long> closing = CompletableFuture.supplyAsync(
                () -> {
                    b.close();
                    return System.nanoTime() - start;
                },
                runnable -> {
                    Thread t = new Thread(runnable, STOPS + "-close");
                    t.setDaemon(true);
                    t.start();
                });
        long handover = -1;
        long deadline = start + HANDOVER_TIMEOUT.toNanos();
        while (!closed && System.nanoTime() < deadline) {
            if (ownsAllHealthy(a)) {
                handover = System.nanoTime() - start;
                break;
            }
            Thread.sleep(POLL_MS);
        }
        boolean caughtUp = false;
        if (handover >= 0 && !closed) {
            status.event(String.format(
                    "%s%s owns all %d partitions %s after %s's close() began (the handover)",
                    prefix(), STAYS, partitionCount, seconds(handover), STOPS));
            caughtUp = closeWindow(window, start, STAYS);
        }
        long closeNanos;
        try {
            closeNanos = closing.get(HANDOVER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            closeNanos = -1;
        }
        running.remove(STOPS);
        result = new Result(moved, stoppedAt, handover, closeNanos, -1, -1, result.failure());
        if (handover < 0 && !closed) {
            result = result.withFailure(STAYS + " did not own every partition " + HANDOVER_TIMEOUT.toSeconds()
                    + " s after " + STOPS + "'s close() began");
            status.event(prefix() + result.failure());
        }
        return caughtUp && !closed;
    }

    private void startEngineB() throws InterruptedException {
        status.event(prefix() + "Starting " + STOPS + " again");
        long start = System.nanoTime();
        result = result.withRestart(start - runStartNanos);
        Window window = openWindow();
        SchedulerEngine b = startEngine.apply(STOPS);
        SchedulerEngine a = running.get(STAYS);
        long deadline = start + HANDOVER_TIMEOUT.toNanos();
        while (!closed && System.nanoTime() < deadline) {
            int ownedByA = a.partitions().size();
            int ownedByB = b.partitions().size();
            if (ownedByA > 0 && ownedByB > 0 && ownedByA + ownedByB == partitionCount) {
                long spreadBack = System.nanoTime() - start;
                result = result.withSpreadBack(spreadBack);
                status.event(String.format(
                        "%s%s is back: %s after its start() began, %s owns %s, %s owns %s",
                        prefix(), STOPS, seconds(spreadBack), STAYS, partitionsOf(a), STOPS, partitionsOf(b)));
                closeWindow(window, start, "both engines");
                return;
            }
            Thread.sleep(POLL_MS);
        }
        if (!closed) {
            result = result.withFailure("the partitions did not spread back " + HANDOVER_TIMEOUT.toSeconds()
                    + " s after " + STOPS + " started again");
            status.event(prefix() + result.failure());
        }
    }

    private Window openWindow() {
        Window window = new Window(Instant.now(), null);
        windows.add(window);
        return window;
    }

    /**
     * Waits until every partition's owner has stored what is on the topic now, then ends {@code window} there.
     * Leaves it open, and returns false, if that takes too long or the run is ending.
     */
    private boolean closeWindow(Window window, long startNanos, String owners) throws InterruptedException {
        Map<Integer, Long> endOffsets = endOffsets();
        long deadline = System.nanoTime() + HANDOVER_TIMEOUT.toNanos();
        while (!closed && System.nanoTime() < deadline) {
            if (caughtUp(endOffsets)) {
                windows.set(windows.indexOf(window), new Window(window.from(), Instant.now()));
                status.event(String.format(
                        "%s%s caught up with the topic %s after the move began",
                        prefix(), owners, seconds(System.nanoTime() - startNanos)));
                return true;
            }
            Thread.sleep(POLL_MS);
        }
        if (!closed) {
            result = result.withFailure(owners + " had not caught up with the topic " + HANDOVER_TIMEOUT.toSeconds()
                    + " s after the partitions moved");
            status.event(prefix() + result.failure());
        }
        return false;
    }

    private Map<Integer, Long> endOffsets() {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitionCount; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Map<Integer, Long> ends = new HashMap<>();
            admin.listOffsets(latest)
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
            return ends;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the end offsets of " + topic + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Whether each partition is owned, and its owner has stored every record before {@code endOffsets}. */
    private boolean caughtUp(Map<Integer, Long> endOffsets) {
        Map<Integer, Long> durable = new HashMap<>();
        for (SchedulerEngine engine : running.values()) {
            for (PartitionState p : engine.partitions()) {
                durable.merge(p.partition(), p.durableOffset(), Math::max); // the stopping engine may list it too
            }
        }
        return endOffsets.entrySet().stream().allMatch(e -> durable.getOrDefault(e.getKey(), -1L) >= e.getValue());
    }

    private boolean ownsAllHealthy(SchedulerEngine engine) {
        List<PartitionState> owned = engine.partitions();
        return owned.size() == partitionCount && owned.stream().allMatch(PartitionState::healthy);
    }

    private static List<Integer> partitionsOf(SchedulerEngine engine) {
        return engine.partitions().stream().map(PartitionState::partition).toList();
    }

    /** Waits until {@code nanoTime}; false if closed meanwhile. */
    private boolean sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while (!closed && (left = nanoTime - System.nanoTime()) > 0) {
            Thread.sleep(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 100)));
        }
        return !closed;
    }

    private String prefix() {
        return String.format("%4ds  ", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - runStartNanos));
    }

    static String seconds(long nanos) {
        return String.format("%.1f s", nanos / 1e9);
    }

    /** True once it stopped and restarted engine-b, failed, or was closed. */
    boolean finished() {
        return finished;
    }

    Result result() {
        return result;
    }

    /** While partitions moved; see {@link Window}. */
    List<Window> windows() {
        return List.copyOf(windows);
    }

    /**
     * Makes it stop at its next step (within 100 ms, or once a close() or start() under way returned): the run is
     * ending. Whatever engine it started is closed with the others.
     */
    @Override
    public void close() {
        closed = true;
    }
}
