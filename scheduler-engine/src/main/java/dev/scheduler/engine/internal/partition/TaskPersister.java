package dev.scheduler.engine.internal.partition;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.internal.failure.FailureStreak;
import dev.scheduler.engine.internal.store.DeadLetter;
import dev.scheduler.engine.internal.store.RetryRequest;
import dev.scheduler.engine.internal.store.StoredTask;
import dev.scheduler.engine.internal.store.TaskStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Makes one partition's Kafka records durable: tasks, cancels and dead letters, in batched asynchronous
 * writes, one write in flight (batches that queue meanwhile are merged into the next), retried with backoff
 * until they succeed (the partition is unhealthy meanwhile); a task the store refuses every time is set aside
 * instead ({@link RefusedTasks}). It is also the only writer of the partition's checkpoint, so that lowering it (for a
 * task older than the checkpoint, before that task is written) and advancing it never race.
 */
final class TaskPersister extends AbstractBehavior<TaskPersister.Command> {

    interface Command {}

    /**
     * Records of one Kafka poll, in offset order. {@code seq} increases by one per batch; {@code taskOffsets} holds
     * each task's offset.
     */
    record Persist(
            long seq,
            int generation,
            List<Task> tasks,
            List<Long> taskOffsets,
            List<TaskKey> cancels,
            List<RetryRequest> retries,
            List<DeadLetter> deadLetters,
            int recordCount,
            long nextOffset)
            implements Command {

        static Persist of(long seq, PartitionScheduler.Ingest i) {
            return new Persist(
                    seq,
                    i.generation(),
                    i.tasks(),
                    i.taskOffsets(),
                    i.cancels(),
                    i.retries(),
                    i.deadLetters(),
                    i.recordCount(),
                    i.nextOffset());
        }
    }

    /**
     * The partition is handed over: write nothing more, and reply once no write is in flight, so that no write of
     * this owner (a checkpoint moved forward) lands after the next owner's first ones.
     */
    record Quiesce(ActorRef<Quiesced> replyTo) implements Command {}

    /** Reply to {@link Quiesce}. */
    /**
     * Reply to {@link Quiesce}. {@code certain}: no failed write may still land (a write that failed may apply
     * later; then the partition must not be released, so that the next owner waits out the lease first).
     */
    record Quiesced(boolean certain) {}

    /** The parent has handled every {@link Persisted} up to {@code seenSeq}; no incomplete task is before {@code to}. */
    record AdvanceCheckpoint(Instant to, long seenSeq) implements Command {}

    /** Reply to the parent, in seq order. */
    record Persisted(
            long lastSeq, List<Task> tasks, Set<TaskKey> cancelled, List<StoredTask> retried, List<Persist> batches) {}

    private record WriteDone(Instant checkpointWritten) implements Command {}

    private record WriteFailed(Throwable error) implements Command {}

    private enum RetryNow implements Command {
        INSTANCE
    }

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final int partition;
    private final TaskStore store;
    private final ActorRef<Persisted> parent;
    private final int maxTasksPerWrite;
    private final PartitionHandle handle;

    private final Deque<Persist> queue = new ArrayDeque<>();
    /** Earliest task time of every batch the parent may not have taken into memory yet, by seq. */
    private final TreeMap<Long, Instant> unseenMinTimes = new TreeMap<>();

    private List<Persist> inFlight;
    private Instant durableCheckpoint;
    private Instant wantedCheckpoint;
    private long seenSeq = -1;
    private final FailureStreak failures;
    private final RefusedTasks refused;

    /**
     * @param checkpoint the partition's durable checkpoint as read at start, or null when it has none
     */
    static Behavior<Command> create(PartitionContext partition, ActorRef<Persisted> parent, Instant checkpoint) {
        return Behaviors.setup(
                ctx -> Behaviors.withTimers(timers -> new TaskPersister(ctx, timers, partition, parent, checkpoint)));
    }

    private TaskPersister(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            PartitionContext partition,
            ActorRef<Persisted> parent,
            Instant checkpoint) {
        super(context);
        this.context = context;
        this.timers = timers;
        this.partition = partition.partition();
        this.store = partition.store();
        this.handle = partition.handle();
        this.parent = parent;
        this.durableCheckpoint = checkpoint;
        // Writes of up to a load's worth of tasks: one write then carries what one load may bring back.
        this.maxTasksPerWrite = Math.max(1_000, partition.settings().loadBatchSize());
        this.refused = new RefusedTasks(partition.partition(), store, context.getLog());
        handle.writesFailing(false); // a persister that failed before this one (restarted) no longer writes
        this.failures = new FailureStreak(
                partition.settings().storeRetryMinBackoff(),
                partition.settings().storeRetryMaxBackoff());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Persist.class, this::onPersist)
                .onMessage(AdvanceCheckpoint.class, this::onAdvance)
                .onMessage(BatchesWritten.class, this::onBatchesWritten)
                .onMessage(WriteDone.class, this::onWriteDone)
                .onMessage(WriteFailed.class, this::onWriteFailed)
                .onMessageEquals(RetryNow.INSTANCE, this::onRetry)
                .onMessage(Quiesce.class, q -> {
                    quiesceReplyTo = q.replyTo();
                    timers.cancel(RetryNow.INSTANCE);
                    quiesceIfIdle();
                    return this;
                })
                .build();
    }

    /** Once asked to quiesce, and no write in flight: answer, and write nothing more, ever. */
    private boolean quiesceIfIdle() {
        if (quiesceReplyTo != null && inFlight == null) {
            quiesceReplyTo.tell(new Quiesced(uncertainCheckpoint == null));
            quiesceReplyTo = null;
            quiesced = true;
        }
        return quiesced || quiesceReplyTo != null;
    }

    /** The target of the checkpoint write in flight, if it moves the checkpoint forward. */
    private Instant advanceInFlight;
    /**
     * The highest checkpoint a write that failed may have stored (it may have applied, then reported an error),
     * until a later write is answered. Found by the partition simulation's long search (seed 60783): taken as not
     * stored, it let a task between the two be stored behind the checkpoint without lowering it.
     */
    private Instant uncertainCheckpoint;

    /** The highest checkpoint that may be stored now. */
    private Instant mayBeStored() {
        if (uncertainCheckpoint == null) {
            return durableCheckpoint;
        }
        return durableCheckpoint == null || uncertainCheckpoint.isAfter(durableCheckpoint)
                ? uncertainCheckpoint
                : durableCheckpoint;
    }

    /** How soon a write held for want of a valid lease is tried again. */
    private static final Duration LEASE_RECHECK = Duration.ofMillis(100);

    private ActorRef<Quiesced> quiesceReplyTo;
    private boolean quiesced;

    private Behavior<Command> onPersist(Persist p) {
        queue.add(p);
        Instant min = minTime(p.tasks(), p.retries());
        if (min != null) {
            unseenMinTimes.put(p.seq(), min);
        }
        startNextWrite();
        return this;
    }

    private Behavior<Command> onAdvance(AdvanceCheckpoint a) {
        seenSeq = Math.max(seenSeq, a.seenSeq());
        unseenMinTimes.headMap(seenSeq, true).clear();
        // Requests come in order from the one parent: the latest is the truth, even when it moves backwards
        // (a task arrived before the previous request's time).
        wantedCheckpoint = a.to();
        startNextWrite();
        return this;
    }

    private void startNextWrite() {
        if (quiesceIfIdle()) {
            return;
        }
        if (inFlight != null || timers.isTimerActive(RetryNow.INSTANCE)) {
            return;
        }
        if (!queue.isEmpty()) {
            if (!handle.leaseValid()) {
                // Another instance may own the partition now: even lowering the checkpoint to our oldest task
                // could move it past one the new owner stored (found by the partition simulation, seed 79305).
                timers.startSingleTimer(RetryNow.INSTANCE, LEASE_RECHECK);
                return;
            }
            List<Persist> batches = new ArrayList<>();
            int tasks = 0;
            while (!queue.isEmpty()
                    && (batches.isEmpty() || tasks + queue.peek().tasks().size() <= maxTasksPerWrite)) {
                Persist p = queue.poll();
                tasks += p.tasks().size();
                batches.add(p);
            }
            inFlight = batches;
            writeBatches(batches);
            return;
        }
        Instant target = advanceTarget();
        if (target != null && handle.leaseValid()) {
            inFlight = List.of();
            advanceInFlight = target;
            context.pipeToSelf(
                    store.writeCheckpoint(partition, target),
                    (v, e) -> e == null ? new WriteDone(target) : new WriteFailed(e));
        }
    }

    /** The checkpoint we may move to now, or null when it would not move forward. */
    private Instant advanceTarget() {
        if (wantedCheckpoint == null) {
            return null;
        }
        Instant target = wantedCheckpoint;
        for (Instant unseen : unseenMinTimes.values()) {
            if (unseen.isBefore(target)) {
                target = unseen;
            }
        }
        return durableCheckpoint == null || target.isAfter(durableCheckpoint) ? target : null;
    }

    private void writeBatches(List<Persist> batches) {
        List<Task> tasks = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        List<TaskKey> cancels = new ArrayList<>();
        List<RetryRequest> retries = new ArrayList<>();
        List<DeadLetter> letters = new ArrayList<>();
        for (Persist p : batches) {
            tasks.addAll(p.tasks());
            offsets.addAll(p.taskOffsets());
            cancels.addAll(p.cancels());
            retries.addAll(p.retries());
            letters.addAll(p.deadLetters());
        }
        Instant min = minTime(tasks, retries);
        // Lower the checkpoint before writing a task older than it: otherwise a crash right after the write
        // would leave a stored task that no load ever reaches.
        Instant stored = mayBeStored();
        CompletionStage<Instant> lowered = min != null && (stored == null || min.isBefore(stored))
                ? store.writeCheckpoint(partition, min).thenApply(v -> min)
                : CompletableFuture.completedFuture(null);
        CompletionStage<BatchesWritten> written = lowered.thenCompose(checkpoint -> {
            CompletableFuture<Set<TaskKey>> rows = tasks.isEmpty()
                    ? CompletableFuture.completedFuture(Set.of())
                    : store.persist(partition, tasks)
                            .toCompletableFuture()
                            .thenApply(v -> Set.<TaskKey>of())
                            .exceptionallyCompose(e -> refused.setAside(e, tasks, offsets));
            CompletableFuture<Void> aside = letters.isEmpty()
                    ? CompletableFuture.completedFuture(null)
                    : store.deadLetter(letters).toCompletableFuture();
            // Cancels after the tasks of the same batch: a schedule then a cancel of one key ends cancelled.
            CompletableFuture<Set<TaskKey>> cancelled = rows.thenCombine(aside, (refusedKeys, v) -> refusedKeys)
                    .thenCompose(v -> cancels.isEmpty()
                            ? CompletableFuture.completedFuture(Set.of())
                            : store.cancel(partition, cancels).toCompletableFuture());
            return cancelled
                    .thenCompose(c -> retries.isEmpty()
                            ? CompletableFuture.completedFuture(List.<StoredTask>of())
                            : store.resetFailed(partition, retries).toCompletableFuture())
                    .thenApply(reset -> new BatchesWritten(
                            RefusedTasks.without(tasks, rows.join()), cancelled.join(), reset, checkpoint));
        });
        context.pipeToSelf(written, (w, e) -> e == null ? w : new WriteFailed(e));
    }

    private record BatchesWritten(
            List<Task> tasks, Set<TaskKey> cancelled, List<StoredTask> retried, Instant checkpointWritten)
            implements Command {}

    private Behavior<Command> onBatchesWritten(BatchesWritten w) {
        List<Persist> batches = inFlight;
        inFlight = null;
        failures.succeeded();
        handle.writesFailing(false);
        if (w.checkpointWritten() != null) {
            durableCheckpoint = w.checkpointWritten();
            uncertainCheckpoint = null; // the lowering is what is stored now
        }
        long lastSeq = batches.get(batches.size() - 1).seq();
        parent.tell(new Persisted(lastSeq, w.tasks(), w.cancelled(), w.retried(), batches));
        startNextWrite();
        return this;
    }

    private Behavior<Command> onWriteDone(WriteDone d) {
        inFlight = null;
        advanceInFlight = null;
        uncertainCheckpoint = null; // writes are one at a time: this one is what is stored now
        failures.succeeded();
        handle.writesFailing(false);
        if (d.checkpointWritten() != null
                && (durableCheckpoint == null || d.checkpointWritten().isAfter(durableCheckpoint))) {
            durableCheckpoint = d.checkpointWritten();
        }
        startNextWrite();
        return this;
    }

    private Behavior<Command> onWriteFailed(WriteFailed f) {
        List<Persist> batches = inFlight;
        inFlight = null;
        if (advanceInFlight != null) {
            // It may have applied: until a write is answered, the checkpoint may stand there.
            uncertainCheckpoint = uncertainCheckpoint == null || advanceInFlight.isAfter(uncertainCheckpoint)
                    ? advanceInFlight
                    : uncertainCheckpoint;
            advanceInFlight = null;
        }
        Duration wait = failures.failed();
        handle.writesFailing(true); // until a write succeeds: the records wait, their offsets uncommitted
        if (failures.worthLogging()) {
            context.getLog()
                    .warn(
                            "partition {}: a Cassandra write failed ({} in a row), retrying in {} ms: {}",
                            partition,
                            failures.count(),
                            wait.toMillis(),
                            f.error().toString());
        }
        if (batches != null) {
            for (int i = batches.size() - 1; i >= 0; i--) {
                queue.addFirst(batches.get(i));
            }
        }
        if (!quiesceIfIdle()) {
            timers.startSingleTimer(RetryNow.INSTANCE, wait);
        }
        return this;
    }

    private Behavior<Command> onRetry() {
        startNextWrite();
        return this;
    }

    private static Instant minTime(List<Task> tasks, List<RetryRequest> retries) {
        Instant min = null;
        for (Task t : tasks) {
            Instant time = t.key().scheduledTime();
            if (min == null || time.isBefore(min)) {
                min = time;
            }
        }
        for (RetryRequest r : retries) {
            if (min == null || r.key().scheduledTime().isBefore(min)) {
                min = r.key().scheduledTime();
            }
        }
        return min;
    }
}
