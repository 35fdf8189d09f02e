package dev.scheduler.engine.internal.partition;

import com.datastax.oss.driver.api.core.DriverTimeoutException;
import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.internal.partition.FakeTaskStore.Op;
import dev.scheduler.engine.internal.store.AttemptOutcome;
import dev.scheduler.engine.internal.store.Claim;
import dev.scheduler.engine.internal.store.DeadLetter;
import dev.scheduler.engine.internal.store.LoadBound;
import dev.scheduler.engine.internal.store.LoadResult;
import dev.scheduler.engine.internal.store.OwnerRow;
import dev.scheduler.engine.internal.store.RejectedTasksException;
import dev.scheduler.engine.internal.store.RetryRequest;
import dev.scheduler.engine.internal.store.StoredTask;
import dev.scheduler.engine.internal.store.TaskStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A {@link TaskStore} that injects the faults a real Cassandra shows into the calls it passes to another store:
 * a call that fails before it applied, one that applied and then failed (the error a client sees when the
 * coordinator answered badly), one that applied and then timed out, one answered later, and a load that returns a
 * short page with more to come. Faults come from a script ({@link #script}: the next calls of an operation get
 * these faults, in order) and, once the script of an operation is used up, from a seeded {@link Random}
 * ({@link #seeded}): the same seed and the same sequence of calls inject the same faults. Delayed calls go to a
 * {@link Delayer} (a test's scheduler, in virtual time), by default held until {@link #releaseDelayed}.
 * Thread-safe.
 */
final class FaultyTaskStore implements TaskStore {

    enum Fault {
        /** Not applied: the stage fails without calling the store. */
        FAIL_BEFORE,
        /** Applied, then the stage fails (as a write that applied and then reported an error). */
        APPLY_THEN_FAIL,
        /** Applied, then the stage fails with a {@link DriverTimeoutException}. */
        TIMEOUT_AFTER_APPLY,
        /** Applied and answered later: the whole call is handed to the {@link Delayer}. */
        DELAY,
        /**
         * Loads only: fewer rows than the store returned (at least one), and {@code loadedThrough} just after the
         * last row returned, so that more is to come. A page of one row or none is left as it is.
         */
        SHORT_PAGE
    }

    /** One fault injected: into which call of which operation (counting from 0 per operation). */
    record Injected(Op op, int call, Fault fault) {}

    /** Runs a delayed call later. */
    @FunctionalInterface
    interface Delayer {
        void schedule(Duration delay, Runnable call);
    }

    private final TaskStore delegate;
    private final Random random;
    private final double rate;
    private final Map<Op, Queue<Fault>> scripts = new EnumMap<>(Op.class);
    private final Map<Op, Integer> callCounts = new EnumMap<>(Op.class);
    private final List<Injected> injected = new ArrayList<>();
    private final List<Runnable> held = new ArrayList<>();
    private final Set<TaskKey> refused = new java.util.HashSet<>();
    private Set<Fault> randomFaults = EnumSet.allOf(Fault.class);
    private Set<Op> randomOps = EnumSet.allOf(Op.class);
    private Delayer delayer = (delay, call) -> held.add(call);
    private Duration maxDelay = Duration.ofSeconds(1);
    private boolean randomOff;

    private FaultyTaskStore(TaskStore delegate, Random random, double rate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.random = random;
        this.rate = rate;
    }

    /** Injects only the faults it is scripted to. */
    static FaultyTaskStore scripted(TaskStore delegate) {
        return new FaultyTaskStore(delegate, null, 0);
    }

    /** Injects a fault into each call with probability {@code rate}, chosen by a {@link Random} of this seed. */
    static FaultyTaskStore seeded(TaskStore delegate, long seed, double rate) {
        if (rate < 0 || rate > 1) {
            throw new IllegalArgumentException("rate must be within [0, 1], was " + rate);
        }
        return new FaultyTaskStore(delegate, new Random(seed), rate);
    }

    // ---- controls ----

    /** The next calls of {@code op} get these faults, one each, in order (before any random fault). */
    synchronized FaultyTaskStore script(Op op, Fault... faults) {
        for (Fault f : faults) {
            if (f == Fault.SHORT_PAGE && op != Op.LOAD) {
                throw new IllegalArgumentException("a short page is a fault of loads only, not of " + op);
            }
        }
        scripts.computeIfAbsent(op, o -> new ArrayDeque<>()).addAll(Arrays.asList(faults));
        return this;
    }

    /**
     * Every write of this task is refused, as Cassandra refuses a row too large or a value its schema does not
     * take: {@link #persist} stores the call's other tasks, then fails with a {@link RejectedTasksException}.
     */
    synchronized FaultyTaskStore refuseAlways(TaskKey key) {
        refused.add(key);
        return this;
    }

    /** Restricts random faults to these (default all). */
    synchronized FaultyTaskStore randomFaults(Fault first, Fault... more) {
        randomFaults = EnumSet.of(first, more);
        return this;
    }

    /** Restricts random faults to calls of these operations (default all). */
    synchronized FaultyTaskStore randomOps(Op first, Op... more) {
        randomOps = EnumSet.of(first, more);
        return this;
    }

    /**
     * Where delayed calls go, and the longest random delay (a scripted delay is this long); by default they are
     * held until {@link #releaseDelayed}.
     */
    synchronized FaultyTaskStore delayWith(Delayer delayer, Duration maxDelay) {
        this.delayer = Objects.requireNonNull(delayer, "delayer");
        this.maxDelay = maxDelay;
        return this;
    }

    /** Makes every held delayed call now, in the order they were made; returns how many. */
    int releaseDelayed() {
        List<Runnable> calls;
        synchronized (this) {
            calls = List.copyOf(held);
            held.clear();
        }
        calls.forEach(Runnable::run);
        return calls.size();
    }

    /** From now on no random fault is injected (scripted ones still are): the simulation's disorder is over. */
    synchronized FaultyTaskStore noMoreFaults() {
        randomOff = true;
        return this;
    }

    /** Every fault injected so far, in order. */
    synchronized List<Injected> injected() {
        return List.copyOf(injected);
    }

    // ---- TaskStore ----

    @Override
    public CompletionStage<Void> persist(int partition, List<Task> tasks) {
        return call(Op.PERSIST, () -> {
            Map<TaskKey, String> refusedHere = new java.util.HashMap<>();
            synchronized (this) {
                tasks.stream()
                        .filter(t -> refused.contains(t.key()))
                        .forEach(t -> refusedHere.put(t.key(), "injected: refused every time"));
            }
            if (refusedHere.isEmpty()) {
                return delegate.persist(partition, tasks);
            }
            // As Cassandra's store: every other task is stored, then the stage names the refused ones.
            return delegate.persist(
                            partition,
                            tasks.stream()
                                    .filter(t -> !refusedHere.containsKey(t.key()))
                                    .toList())
                    .thenCompose(v -> CompletableFuture.<Void>failedFuture(new RejectedTasksException(refusedHere)));
        });
    }

    @Override
    public CompletionStage<Set<TaskKey>> cancel(int partition, List<TaskKey> keys) {
        return call(Op.CANCEL, () -> delegate.cancel(partition, keys));
    }

    @Override
    public CompletionStage<List<StoredTask>> resetFailed(int partition, List<RetryRequest> requests) {
        return call(Op.RESET_FAILED, () -> delegate.resetFailed(partition, requests));
    }

    @Override
    public CompletionStage<LoadResult> load(int partition, LoadBound from, long upToMillis, int limit) {
        Fault fault = nextFault(Op.LOAD);
        if (fault != Fault.SHORT_PAGE) {
            return inject(Op.LOAD, fault, () -> delegate.load(partition, from, upToMillis, limit));
        }
        return delegate.load(partition, from, upToMillis, limit).thenApply(this::shorten);
    }

    @Override
    public CompletionStage<Void> recordStart(int partition, Task task, int attempt, Instant startedAt) {
        return call(Op.RECORD_START, () -> delegate.recordStart(partition, task, attempt, startedAt));
    }

    @Override
    public CompletionStage<Void> recordOutcomes(int partition, List<AttemptOutcome> outcomes) {
        return call(Op.RECORD_OUTCOMES, () -> delegate.recordOutcomes(partition, outcomes));
    }

    @Override
    public CompletionStage<Optional<StoredTask>> read(int partition, TaskKey key) {
        return call(Op.READ, () -> delegate.read(partition, key));
    }

    @Override
    public CompletionStage<Optional<Instant>> readCheckpoint(int partition) {
        return call(Op.READ_CHECKPOINT, () -> delegate.readCheckpoint(partition));
    }

    @Override
    public CompletionStage<Void> writeCheckpoint(int partition, Instant checkpoint) {
        return call(Op.WRITE_CHECKPOINT, () -> delegate.writeCheckpoint(partition, checkpoint));
    }

    @Override
    public CompletionStage<Claim> claim(int partition, String owner, long expectedEpoch) {
        return call(Op.CLAIM, () -> delegate.claim(partition, owner, expectedEpoch));
    }

    @Override
    public CompletionStage<Optional<OwnerRow>> readOwner(int partition) {
        return call(Op.READ_OWNER, () -> delegate.readOwner(partition));
    }

    @Override
    public CompletionStage<Void> release(int partition, long epoch) {
        return call(Op.RELEASE, () -> delegate.release(partition, epoch));
    }

    @Override
    public CompletionStage<Void> beat(String owner, long beat) {
        return call(Op.BEAT, () -> delegate.beat(owner, beat));
    }

    @Override
    public CompletionStage<Map<String, Long>> readBeats() {
        return call(Op.READ_BEATS, () -> delegate.readBeats());
    }

    @Override
    public CompletionStage<Void> deadLetter(List<DeadLetter> letters) {
        return call(Op.DEAD_LETTER, () -> delegate.deadLetter(letters));
    }

    // ---- faults ----

    private <T> CompletionStage<T> call(Op op, Supplier<CompletionStage<T>> work) {
        return inject(op, nextFault(op), work);
    }

    private <T> CompletionStage<T> inject(Op op, Fault fault, Supplier<CompletionStage<T>> work) {
        if (fault == null) {
            return work.get();
        }
        switch (fault) {
            case FAIL_BEFORE:
                return CompletableFuture.failedFuture(
                        new IllegalStateException("injected: " + op + " failed before it applied"));
            case APPLY_THEN_FAIL:
                return afterApplying(
                        work, () -> new IllegalStateException("injected: " + op + " applied, then failed"));
            case TIMEOUT_AFTER_APPLY:
                return afterApplying(
                        work, () -> new DriverTimeoutException("injected: " + op + " applied, then timed out"));
            case DELAY:
                CompletableFuture<T> answer = new CompletableFuture<>();
                Duration delay = delayOf();
                Delayer d;
                synchronized (this) {
                    d = delayer;
                }
                d.schedule(
                        delay,
                        () -> work.get().whenComplete((r, e) -> {
                            if (e != null) {
                                answer.completeExceptionally(e);
                            } else {
                                answer.complete(r);
                            }
                        }));
                return answer;
            default:
                throw new IllegalStateException("not a fault of " + op + ": " + fault);
        }
    }

    private static <T> CompletionStage<T> afterApplying(
            Supplier<CompletionStage<T>> work, Supplier<RuntimeException> error) {
        return work.get().thenCompose(applied -> CompletableFuture.failedFuture(error.get()));
    }

    private LoadResult shorten(LoadResult page) {
        int n = page.rows().size();
        if (n < 2) {
            return page;
        }
        int keep;
        synchronized (this) {
            keep = random == null ? (n + 1) / 2 : 1 + random.nextInt(n - 1);
        }
        List<StoredTask> rows = List.copyOf(page.rows().subList(0, keep));
        return new LoadResult(rows, LoadBound.through(rows.get(keep - 1).task().key()));
    }

    private synchronized Duration delayOf() {
        if (random == null || maxDelay.isZero()) {
            return maxDelay;
        }
        return Duration.ofMillis(1
                + (long) random.nextInt((int) Math.max(1, Math.min(Integer.MAX_VALUE, maxDelay.toMillis()))));
    }

    /** The fault of this call, or null; recorded. */
    private synchronized Fault nextFault(Op op) {
        int call = callCounts.merge(op, 1, Integer::sum) - 1;
        Fault fault = null;
        Queue<Fault> script = scripts.get(op);
        if (script != null && !script.isEmpty()) {
            fault = script.poll();
        } else if (random != null && !randomOff) {
            // Always two draws, so that a change of the allowed faults keeps the rest of the sequence aligned.
            boolean faulty = random.nextDouble() < rate;
            int pick = random.nextInt(Fault.values().length);
            if (faulty && randomOps.contains(op)) {
                List<Fault> allowed = randomFaults.stream()
                        .filter(f -> f != Fault.SHORT_PAGE || op == Op.LOAD)
                        .toList();
                fault = allowed.isEmpty() ? null : allowed.get(pick % allowed.size());
            }
        }
        if (fault != null) {
            injected.add(new Injected(op, call, fault));
        }
        return fault;
    }
}
