package dev.scheduler.engine.internal.partition;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskStatus;
import dev.scheduler.engine.internal.store.AttemptOutcome;
import dev.scheduler.engine.internal.store.CassandraTaskStore;
import dev.scheduler.engine.internal.store.Claim;
import dev.scheduler.engine.internal.store.DeadLetter;
import dev.scheduler.engine.internal.store.LoadBound;
import dev.scheduler.engine.internal.store.LoadResult;
import dev.scheduler.engine.internal.store.OwnerRow;
import dev.scheduler.engine.internal.store.RetryRequest;
import dev.scheduler.engine.internal.store.StoredTask;
import dev.scheduler.engine.internal.store.TaskStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * An in-memory {@link TaskStore} with Cassandra's semantics as {@link CassandraTaskStore} uses them. It records
 * every call in order, can be told to fail the next N calls of an operation, and can hold an operation's calls
 * unanswered until the test releases them. Fencing as in {@code PartitionOwners}: a claim reads the owner row, then
 * writes the next epoch if the epoch is still the one read (a held claim reads at the call and writes at its
 * release, so that two claims in between make one fail); a release applies only to the epoch it names. Rows never
 * expire: the store's promise that a finished or cancelled row expires whole, never reading as pending, is
 * Cassandra's TTLs, shown in {@code CassandraTaskStoreIT}. Thread-safe; answers are given on the caller's thread (or,
 * for held calls, on the thread that releases them).
 */
final class FakeTaskStore implements TaskStore {

    enum Op {
        PERSIST,
        CANCEL,
        LOAD,
        RECORD_OUTCOMES,
        READ,
        READ_CHECKPOINT,
        WRITE_CHECKPOINT,
        DEAD_LETTER,
        RESET_FAILED,
        RECORD_START,
        CLAIM,
        READ_OWNER,
        RELEASE,
        BEAT,
        READ_BEATS
    }

    /** A start recorded by {@link #recordStart}. */
    record Start(TaskKey key, int attempt, Instant startedAt) {}

    /** One call: the operation, its main argument, and whether it was made to fail. */
    record Call(Op op, Object argument, boolean failed) {}

    private final Map<Integer, TreeMap<TaskKey, StoredTask>> rows = new HashMap<>();
    private final Map<Integer, Instant> checkpoints = new HashMap<>();
    private final List<AttemptOutcome> outcomes = new ArrayList<>();
    private final List<DeadLetter> deadLetters = new ArrayList<>();
    private final List<Call> calls = new ArrayList<>();
    private final Map<Op, Integer> failuresToInject = new EnumMap<>(Op.class);
    private final Set<Op> held = new HashSet<>();
    private final Set<Op> throwing = new HashSet<>();
    private final List<Runnable> heldAnswers = new ArrayList<>();
    private final List<String> checkpointViolations = new ArrayList<>();
    private volatile Runnable beforeEachCall = () -> {};
    private OwnerRow seededOwner = OwnerRow.NONE;
    private final Map<Integer, OwnerRow> owners = new HashMap<>();
    private final List<Start> starts = new ArrayList<>();
    /** The updated_at column: when the last attempt ended, or the time of the retry request that reset it. */
    private final Map<TaskKey, Instant> updatedAt = new HashMap<>();

    // ---- test controls ----

    synchronized void failNext(Op op, int times) {
        failuresToInject.put(op, times);
    }

    /**
     * Makes the next call of {@code op} throw on the caller's thread instead of answering (a store bug, or a
     * driver that throws before it returns a future): the actor that calls it fails.
     */
    synchronized void throwNext(Op op) {
        throwing.add(op);
    }

    /** Leaves calls of {@code op} unanswered until {@link #release}. */
    synchronized void hold(Op op) {
        held.add(op);
    }

    /** Answers every held call (doing its work now) and stops holding. */
    void release(Op op) {
        List<Runnable> answers;
        synchronized (this) {
            held.remove(op);
            answers = new ArrayList<>(heldAnswers);
            heldAnswers.clear();
        }
        answers.forEach(Runnable::run);
    }

    synchronized void putRow(int partition, StoredTask row) {
        rows(partition).put(row.task().key(), row);
    }

    synchronized void putCheckpoint(int partition, Instant checkpoint) {
        checkpoints.put(partition, checkpoint);
    }

    /** Runs on the caller's thread at the start of every call: lets a test sample state the actors publish. */
    void beforeEachCall(Runnable hook) {
        beforeEachCall = hook;
    }

    // ---- inspection ----

    /**
     * Every checkpoint write that passed a stored incomplete task: such a task would never be loaded again
     * after a restart. The partition's invariant is that this stays empty.
     */
    synchronized List<String> checkpointViolations() {
        return List.copyOf(checkpointViolations);
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    synchronized List<Call> calls(Op op) {
        return calls.stream().filter(c -> c.op() == op).toList();
    }

    synchronized Optional<StoredTask> row(int partition, TaskKey key) {
        return Optional.ofNullable(rows(partition).get(key));
    }

    synchronized List<StoredTask> rows(int partition, TaskStatus status) {
        return rows(partition).values().stream()
                .filter(r -> r.status() == status)
                .toList();
    }

    synchronized Optional<Instant> checkpoint(int partition) {
        return Optional.ofNullable(checkpoints.get(partition));
    }

    synchronized List<AttemptOutcome> outcomes() {
        return List.copyOf(outcomes);
    }

    synchronized List<AttemptOutcome> outcomesOf(TaskKey key) {
        return outcomes.stream().filter(o -> o.task().key().equals(key)).toList();
    }

    /**
     * Seeds the owner row that the first claim of a partition finds (and replaces), as if an earlier owner had
     * claimed it; default none.
     */
    synchronized void previousOwner(OwnerRow row) {
        seededOwner = row;
    }

    /** The partition's owner row now, or empty when none was written. */
    synchronized Optional<OwnerRow> ownerRow(int partition) {
        return owner(partition);
    }

    /** Every start recorded, in order. */
    synchronized List<DeadLetter> deadLetters() {
        return List.copyOf(deadLetters);
    }

    synchronized List<Start> starts() {
        return List.copyOf(starts);
    }

    /** Writes the partition's owner row as another instance's claim would: this one's next renewal reads it. */
    synchronized void currentOwner(int partition, OwnerRow row) {
        owners.put(partition, row);
    }

    // ---- TaskStore ----

    @Override
    public CompletionStage<Claim> claim(int partition, String owner, long expectedEpoch) {
        Optional<OwnerRow> read;
        synchronized (this) {
            read = owner(partition); // the serial read before the compare-and-set
        }
        return call(Op.CLAIM, owner, () -> {
            Optional<OwnerRow> now = owner(partition);
            long readEpoch = read.map(OwnerRow::epoch).orElse(-1L);
            if (readEpoch != expectedEpoch) { // read, then compared with what the caller decided on
                throw new IllegalStateException("partition " + partition + " was claimed by another instance since "
                        + "its owner row was read (epoch " + readEpoch + ", expected " + expectedEpoch + ")");
            }
            long nowEpoch = now.map(OwnerRow::epoch).orElse(-1L);
            if (readEpoch != nowEpoch) { // IF NOT EXISTS / IF epoch = <read> / IF epoch = null: not applied
                throw new IllegalStateException(
                        "partition " + partition + " was claimed by another instance at the same time");
            }
            OwnerRow previous = read.orElse(OwnerRow.NONE);
            OwnerRow mine = new OwnerRow(previous.epoch() + 1, owner, null, false);
            owners.put(partition, mine);
            return new Claim(mine, previous);
        });
    }

    @Override
    public CompletionStage<Optional<OwnerRow>> readOwner(int partition) {
        return call(Op.READ_OWNER, partition, () -> owner(partition));
    }

    @Override
    public CompletionStage<Void> release(int partition, long epoch) {
        return call(Op.RELEASE, epoch, () -> {
            Optional<OwnerRow> now = owner(partition);
            if (now.isPresent() && now.get().epoch() == epoch) { // IF epoch = ?
                OwnerRow row = now.get();
                owners.put(partition, new OwnerRow(row.epoch(), row.owner(), row.claimedAt(), true));
            }
            return null;
        });
    }

    private final Map<String, Long> beats = new HashMap<>();

    @Override
    public CompletionStage<Void> beat(String owner, long beat) {
        return call(Op.BEAT, owner, () -> {
            beats.put(owner, beat);
            return null;
        });
    }

    @Override
    public CompletionStage<Map<String, Long>> readBeats() {
        return call(Op.READ_BEATS, null, () -> Map.copyOf(beats));
    }

    @Override
    public CompletionStage<Void> recordStart(int partition, Task task, int attempt, Instant startedAt) {
        return call(Op.RECORD_START, task.key(), () -> {
            starts.add(new Start(task.key(), attempt, startedAt));
            return null;
        });
    }

    @Override
    public CompletionStage<Void> persist(int partition, List<Task> tasks) {
        return call(Op.PERSIST, List.copyOf(tasks), () -> {
            TreeMap<TaskKey, StoredTask> table = rows(partition);
            for (Task t : tasks) {
                StoredTask old = table.get(t.key());
                table.put(
                        t.key(),
                        old == null
                                ? new StoredTask(t, TaskStatus.PENDING, 0, null, null)
                                : new StoredTask(
                                        t, old.status(), old.attempts(), old.nextAttemptAt(), old.lastError()));
            }
            return null;
        });
    }

    @Override
    public CompletionStage<Set<TaskKey>> cancel(int partition, List<TaskKey> keys) {
        return call(Op.CANCEL, List.copyOf(keys), () -> {
            TreeMap<TaskKey, StoredTask> table = rows(partition);
            Set<TaskKey> applied = new HashSet<>();
            for (TaskKey k : keys) {
                StoredTask old = table.get(k);
                if (old == null || old.status() == TaskStatus.PENDING) { // IF status = null
                    Task task = old == null ? Task.of(k, Map.of()) : old.task();
                    int attempts = old == null ? 0 : old.attempts();
                    table.put(k, new StoredTask(task, TaskStatus.CANCELLED, attempts, null, null));
                    applied.add(k);
                } else if (old.status() == TaskStatus.CANCELLED) { // as CassandraTaskStore answers a repeat
                    applied.add(k);
                }
            }
            return java.util.Collections.unmodifiableSet(
                    new java.util.TreeSet<>(applied)); // key order: a simulation seed replays alike in every JVM
        });
    }

    @Override
    public CompletionStage<LoadResult> load(int partition, LoadBound from, long upToMillis, int limit) {
        return call(Op.LOAD, from, () -> {
            List<StoredTask> found = new ArrayList<>();
            for (StoredTask row : rows(partition).values()) {
                TaskKey k = row.task().key();
                if (from.covers(k)) {
                    continue;
                }
                if (k.scheduledTime().toEpochMilli() >= upToMillis || found.size() >= limit) {
                    break;
                }
                found.add(row);
            }
            LoadBound through = found.size() >= limit
                    ? LoadBound.through(found.get(found.size() - 1).task().key())
                    : from.timeMillis() > upToMillis ? from : LoadBound.before(upToMillis);
            return new LoadResult(List.copyOf(found), through);
        });
    }

    @Override
    public CompletionStage<Void> recordOutcomes(int partition, List<AttemptOutcome> batch) {
        return call(Op.RECORD_OUTCOMES, List.copyOf(batch), () -> {
            TreeMap<TaskKey, StoredTask> table = rows(partition);
            for (AttemptOutcome o : batch) {
                String error = o.errorClass() == null ? null : o.errorClass() + ": " + o.errorMessage();
                Instant next = o.statusAfter().isTerminal() ? null : o.nextAttemptAt();
                StoredTask old = table.get(o.task().key());
                // As in Cassandra: a retry outcome writes attempts and the next time, not the status.
                TaskStatus status = o.statusAfter().isTerminal() || old == null ? o.statusAfter() : old.status();
                table.put(o.task().key(), new StoredTask(o.task(), status, o.attempt(), next, error));
                updatedAt.put(o.task().key(), o.finishedAt());
                outcomes.add(o);
            }
            return null;
        });
    }

    @Override
    public CompletionStage<List<StoredTask>> resetFailed(int partition, List<RetryRequest> requests) {
        return call(Op.RESET_FAILED, List.copyOf(requests), () -> {
            TreeMap<TaskKey, StoredTask> table = rows(partition);
            List<StoredTask> reset = new ArrayList<>();
            for (RetryRequest r : requests) {
                StoredTask old = table.get(r.key());
                Instant updated = updatedAt.get(r.key());
                if (old == null) {
                    continue;
                }
                if (old.status() == TaskStatus.FAILED && updated != null && updated.isBefore(r.requestedAt())) {
                    StoredTask row =
                            new StoredTask(old.task(), TaskStatus.PENDING, old.attempts(), null, old.lastError());
                    table.put(r.key(), row);
                    updatedAt.put(r.key(), r.requestedAt());
                    reset.add(row);
                } else if (old.status() == TaskStatus.PENDING && r.requestedAt().equals(updated)) {
                    reset.add(old); // this request's reset, applied on an earlier try
                }
            }
            return List.copyOf(reset);
        });
    }

    @Override
    public CompletionStage<Optional<StoredTask>> read(int partition, TaskKey key) {
        return call(Op.READ, key, () -> Optional.ofNullable(rows(partition).get(key)));
    }

    @Override
    public CompletionStage<Optional<Instant>> readCheckpoint(int partition) {
        return call(Op.READ_CHECKPOINT, partition, () -> Optional.ofNullable(checkpoints.get(partition)));
    }

    @Override
    public CompletionStage<Void> writeCheckpoint(int partition, Instant checkpoint) {
        return call(Op.WRITE_CHECKPOINT, checkpoint, () -> {
            for (StoredTask row : rows(partition).values()) {
                if (!row.status().isTerminal()
                        && row.task().key().scheduledTime().isBefore(checkpoint)) {
                    checkpointViolations.add("checkpoint " + checkpoint + " written past " + row);
                }
            }
            checkpoints.put(partition, checkpoint);
            return null;
        });
    }

    @Override
    public CompletionStage<Void> deadLetter(List<DeadLetter> letters) {
        return call(Op.DEAD_LETTER, List.copyOf(letters), () -> {
            deadLetters.addAll(letters);
            return null;
        });
    }

    private <T> CompletionStage<T> call(Op op, Object argument, Supplier<T> work) {
        beforeEachCall.run();
        CompletableFuture<T> answer = new CompletableFuture<>();
        synchronized (this) {
            if (throwing.remove(op)) {
                calls.add(new Call(op, argument, true));
                throw new IllegalStateException("injected synchronous failure of " + op);
            }
            int failures = failuresToInject.getOrDefault(op, 0);
            calls.add(new Call(op, argument, failures > 0));
            if (failures > 0) {
                failuresToInject.put(op, failures - 1);
                return CompletableFuture.failedFuture(new IllegalStateException("injected failure of " + op));
            }
            if (held.contains(op)) {
                heldAnswers.add(() -> {
                    CompletableFuture<T> done = new CompletableFuture<>();
                    synchronized (this) {
                        answer(done, work);
                    }
                    done.whenComplete((r, e) -> {
                        if (e != null) {
                            answer.completeExceptionally(e);
                        } else {
                            answer.complete(r);
                        }
                    });
                });
                return answer;
            }
            answer(answer, work);
        }
        return answer;
    }

    private static <T> void answer(CompletableFuture<T> answer, Supplier<T> work) {
        T result;
        try {
            result = work.get();
        } catch (RuntimeException e) { // a compare-and-set that did not apply
            answer.completeExceptionally(e);
            return;
        }
        answer.complete(result);
    }

    /** The owner row, or the seeded one while none was written (a seeded {@link OwnerRow#NONE} is no row). */
    private Optional<OwnerRow> owner(int partition) {
        OwnerRow row = owners.get(partition);
        if (row == null && seededOwner != OwnerRow.NONE) {
            row = seededOwner;
        }
        return Optional.ofNullable(row);
    }

    private TreeMap<TaskKey, StoredTask> rows(int partition) {
        return rows.computeIfAbsent(partition, p -> new TreeMap<>());
    }
}
