package dev.scheduler.engine.internal.partition;

import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.RetryPolicy;
import dev.scheduler.engine.TaskContext;
import dev.scheduler.engine.TaskStatus;
import dev.scheduler.engine.internal.failure.FailureStreak;
import dev.scheduler.engine.internal.observe.AttemptEvents;
import dev.scheduler.engine.internal.store.AttemptOutcome;
import dev.scheduler.engine.internal.store.StoredTask;
import dev.scheduler.engine.internal.store.TaskStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Runs one partition's due tasks: one at a time per ordering id, in key order, different ordering ids in
 * parallel up to a limit. A task's next one of the same ordering id starts only after its outcome is durable
 * (success, final failure, or a pending retry, which keeps the ordering id blocked until the retry is done).
 * Outcomes are written in batches, one write in flight, retried with backoff until they succeed.
 */
final class TaskRunner extends AbstractBehavior<TaskRunner.Command> {

    interface Command {}

    /** A task whose scheduled time has come. */
    record Run(StoredTask task) implements Command {}

    /** Drop a queued task that has not started. A running one finishes and its outcome is recorded. */
    record Cancel(TaskKey key) implements Command {}

    /** Start no new attempt; reply once running attempts ended and their outcomes are durable. */
    record Drain(ActorRef<Drained> replyTo) implements Command {}

    /** Reply to {@link Drain}. */
    record Drained(int abandoned) {}

    /**
     * To the parent: the task reached a terminal status, durably, or was dropped after a durable cancel (then
     * {@code CANCELLED}): the runner holds it no more.
     */
    record Finished(TaskKey key, TaskStatus status) {}

    private record AttemptEnded(String orderingId, int attempt, Instant startedAt, Throwable error)
            implements Command {}

    /** The attempt really returned: its thread came back or its future completed (maybe long after a timeout). */
    private record AttemptReturned(TaskKey key, int attempt) implements Command {}

    /** {@code shutdownTimeout} after an attempt timed out: is it still running? */
    private record StuckCheck(TaskKey key, int attempt) implements Command {}

    private record RetryDue(String orderingId) implements Command {}

    private record RecordStart(TaskKey key) implements Command {}

    /** How long an attempt runs before its start is written on its own. */
    static final Duration START_RECORD_DELAY = Duration.ofMillis(500);

    private record OutcomesWritten(List<AttemptOutcome> outcomes) implements Command {}

    private record OutcomesNotWritten(List<AttemptOutcome> outcomes, Throwable error) implements Command {}

    private enum FlushRetry implements Command {
        INSTANCE
    }

    /** Re-check after the ownership lease was not valid. */
    private enum LeaseRecheck implements Command {
        INSTANCE
    }

    private static final Duration LEASE_RECHECK = Duration.ofMillis(100);

    private enum DrainDeadline implements Command {
        INSTANCE
    }

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final int partition;
    private final TaskStore store;
    private final ExecutionGateway gateway;
    private final RetryPolicy retryPolicy;
    private final Clock clock;
    private final ActorRef<Finished> parent;
    private final int maxRunning;
    private final Duration shutdownTimeout;
    private final AttemptEvents events;
    private final PartitionHandle handle;
    private final StuckAttempts stuck;

    private final Map<String, Lane> lanes = new HashMap<>();
    private final java.util.Set<TaskKey> cancelledWhileRunning = new java.util.HashSet<>();
    private final Deque<String> ready = new ArrayDeque<>();
    private final List<AttemptOutcome> unwritten = new ArrayList<>();
    /** Outcome writes in flight; a few at once so that one slow write does not hold every lane back. */
    private int writesInFlight;

    private static final int MAX_WRITES_IN_FLIGHT = 4;
    private int running;
    private final FailureStreak writeFailures;
    private ActorRef<Drained> drainReplyTo;
    /** Only RUNNING starts attempts: once drained, nothing starts again, whatever timer fires afterwards. */
    private Phase phase = Phase.RUNNING;

    private enum Phase {
        RUNNING,
        /** Asked to drain: running attempts finish and their outcomes are written; nothing new starts. */
        DRAINING,
        /** Drained was answered: the partition is being handed over; this runner starts nothing, ever. */
        DRAINED
    }

    static Behavior<Command> create(PartitionContext partition, ActorRef<Finished> parent) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new TaskRunner(ctx, timers, partition, parent)));
    }

    private TaskRunner(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            PartitionContext partition,
            ActorRef<Finished> parent) {
        super(context);
        EngineSettings settings = partition.settings();
        this.context = context;
        this.timers = timers;
        this.partition = partition.partition();
        this.store = partition.store();
        this.gateway = partition.gateway();
        this.retryPolicy = settings.retryPolicy();
        this.clock = partition.clock();
        this.parent = parent;
        this.maxRunning = settings.maxRunningPerPartition();
        this.shutdownTimeout = settings.shutdownTimeout();
        this.events = partition.events();
        this.handle = partition.handle();
        this.stuck = new StuckAttempts(handle, shutdownTimeout);
        this.writeFailures = new FailureStreak(settings.storeRetryMinBackoff(), settings.storeRetryMaxBackoff());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Run.class, this::onRun)
                .onMessage(Cancel.class, this::onCancel)
                .onMessage(AttemptEnded.class, this::onAttemptEnded)
                .onMessage(AttemptReturned.class, this::onAttemptReturned)
                .onMessage(StuckCheck.class, this::onStuckCheck)
                .onMessage(RetryDue.class, this::onRetryDue)
                .onMessage(RecordStart.class, this::onRecordStart)
                .onMessage(OutcomesWritten.class, this::onOutcomesWritten)
                .onMessage(OutcomesNotWritten.class, this::onOutcomesNotWritten)
                .onMessageEquals(FlushRetry.INSTANCE, () -> {
                    flush();
                    return this;
                })
                .onMessageEquals(LeaseRecheck.INSTANCE, () -> {
                    startReady();
                    flush();
                    return this;
                })
                .onMessage(Drain.class, this::onDrain)
                .onMessageEquals(DrainDeadline.INSTANCE, this::onDrainDeadline)
                .onSignal(PostStop.class, stop -> {
                    stuck.runnerStopped(lanes.values());
                    return this;
                })
                .build();
    }

    private Behavior<Command> onRun(Run run) {
        TaskKey key = run.task().task().key();
        Lane lane = lanes.computeIfAbsent(key.orderingId(), id -> new Lane());
        lane.tasks.putIfAbsent(key, run.task());
        if (lane.state == Lane.State.IDLE) {
            tryStart(key.orderingId(), lane);
        }
        return this;
    }

    private Behavior<Command> onCancel(Cancel cancel) {
        Lane lane = lanes.get(cancel.key().orderingId());
        if (lane == null) {
            return this;
        }
        // Started and its outcome not yet durable; once durable (a timed-out attempt still running), the retry is
        // only queued: it is dropped like any queued task.
        boolean started = cancel.key().equals(lane.current) && lane.state != Lane.State.TIMED_OUT_STILL_RUNNING;
        if (started) {
            cancelledWhileRunning.add(cancel.key()); // it finishes; it is not retried
        }
        if (!started && lane.tasks.remove(cancel.key()) != null) {
            parent.tell(new Finished(cancel.key(), TaskStatus.CANCELLED)); // the schedule holds it until told
            if (lane.tasks.isEmpty() && !lane.attemptInFlight()) {
                lanes.remove(cancel.key().orderingId());
                timers.cancel(new RetryDue(cancel.key().orderingId()));
                ready.remove(cancel.key().orderingId());
            } else if (timers.isTimerActive(new RetryDue(cancel.key().orderingId()))) {
                // the cancelled task was waiting for a retry: the next one may go now
                timers.cancel(new RetryDue(cancel.key().orderingId()));
                tryStart(cancel.key().orderingId(), lane);
            }
        }
        return this;
    }

    /** Starts the lane's head if it is due and a slot is free, waits for its retry time, or queues the lane. */
    private void tryStart(String orderingId, Lane lane) {
        if (lane.attemptInFlight()) {
            return; // an attempt of this lane runs, is being recorded, or has not returned: one at a time
        }
        if (lane.tasks.isEmpty()) {
            lanes.remove(orderingId);
            return;
        }
        lane.state = Lane.State.WAITING;
        if (phase != Phase.RUNNING) {
            return;
        }
        StoredTask head = lane.tasks.firstEntry().getValue();
        Instant now = clock.instant();
        Instant due = head.dueAt();
        if (due.isAfter(now)) {
            timers.startSingleTimer(new RetryDue(orderingId), Duration.between(now, due));
            return;
        }
        if (running >= maxRunning || !handle.leaseValid()) {
            ready.add(orderingId);
            awaitLease();
            return;
        }
        start(orderingId, lane, head, now);
    }

    private void start(String orderingId, Lane lane, StoredTask head, Instant now) {
        running++; // until the attempt really returned: a timed-out attempt that still runs holds its slot
        int attempt = head.attempts() + 1;
        TaskKey key = head.task().key();
        lane.started(key, attempt, now);
        Duration late = Duration.between(head.dueAt(), now);
        // Attempts still running after START_RECORD_DELAY are recorded as started (durably RUNNING); most
        // attempts end sooner, and their outcome write records the start: no extra write for them.
        timers.startSingleTimer(new RecordStart(key), new RecordStart(key), START_RECORD_DELAY);
        // Checked again once a pool thread has it: an attempt that waited past the lease (a pause, say), or past a
        // claim of another incarnation on this handle, is declined; only one that starts is reported as started.
        long epoch = handle.ownerEpoch();
        BooleanSupplier mayStart = () -> {
            if (!handle.leaseValid() || handle.ownerEpoch() != epoch) {
                return false;
            }
            events.attemptStarted(key, attempt, late);
            return true;
        };
        ExecutionGateway.Attempt run = gateway.start(new TaskContext(head.task(), attempt, partition), mayStart);
        context.pipeToSelf(run.outcome(), (v, e) -> new AttemptEnded(orderingId, attempt, now, e));
        context.pipeToSelf(run.returned(), (v, e) -> new AttemptReturned(key, attempt));
    }

    /** A declined attempt never ran: the task starts again, unless it was cancelled meanwhile. */
    private void releaseDeclined(String orderingId, Lane lane) {
        TaskKey key = lane.current;
        lane.release();
        if (cancelledWhileRunning.remove(key)) {
            lane.tasks.remove(key); // as for a queued task
            parent.tell(new Finished(key, TaskStatus.CANCELLED));
        }
        tryStart(orderingId, lane);
    }

    private Behavior<Command> onRecordStart(RecordStart record) {
        Lane lane = lanes.get(record.key().orderingId());
        if (lane == null || !record.key().equals(lane.current) || !handle.leaseValid()) {
            return this;
        }
        lane.recordStart(store, partition);
        return this;
    }

    private Behavior<Command> onRetryDue(RetryDue due) {
        Lane lane = lanes.get(due.orderingId());
        if (lane != null) {
            tryStart(due.orderingId(), lane);
        }
        return this;
    }

    private Behavior<Command> onAttemptEnded(AttemptEnded ended) {
        Lane lane = lanes.get(ended.orderingId());
        if (ended.error() instanceof ExecutionGateway.Declined) {
            // Never called: no outcome to record; the same attempt starts again, once its thread's part has
            // returned (so that its AttemptReturned is not taken for the next start's).
            timers.cancel(new RecordStart(lane.current));
            lane.state = Lane.State.DECLINED;
            if (lane.returned) {
                releaseDeclined(ended.orderingId(), lane);
            }
            return this;
        }
        lane.state = Lane.State.RECORDING;
        timers.cancel(new RecordStart(lane.current));
        StoredTask head = lane.tasks.get(lane.current);
        Instant now = clock.instant();
        AttemptOutcome outcome = AttemptVerdict.of(
                head.task(),
                ended.attempt(),
                ended.startedAt(),
                now,
                ended.error(),
                retryPolicy,
                cancelledWhileRunning.remove(head.task().key()));
        Duration took = Duration.between(ended.startedAt(), now);
        events.attemptFinished(lane.current, ended.attempt(), outcome.result(), outcome.statusAfter(), took);
        unwritten.add(outcome);
        if (!lane.returned) { // timed out, still running: stuck if it still runs shutdownTimeout from now
            timers.startSingleTimer(new StuckCheck(lane.current, ended.attempt()), stuck.after());
        }
        flush();
        return this;
    }

    private Behavior<Command> onAttemptReturned(AttemptReturned returned) {
        running--;
        Lane lane = lanes.get(returned.key().orderingId());
        if (lane != null && lane.is(returned.key(), returned.attempt())) {
            lane.returned = true;
            timers.cancel(new StuckCheck(returned.key(), returned.attempt()));
            stuck.returned(lane);
            if (lane.state == Lane.State.TIMED_OUT_STILL_RUNNING) {
                lane.release();
                tryStart(returned.key().orderingId(), lane);
            } else if (lane.state == Lane.State.DECLINED) {
                releaseDeclined(returned.key().orderingId(), lane);
            }
        }
        startReady();
        maybeDrained();
        return this;
    }

    private Behavior<Command> onStuckCheck(StuckCheck check) {
        Lane lane = lanes.get(check.key().orderingId());
        if (lane != null && lane.is(check.key(), check.attempt()) && !lane.returned) {
            stuck.stuck(lane);
        }
        return this;
    }

    /** Without a valid lease nothing starts and nothing is recorded: another instance may own the partition. */
    private void awaitLease() {
        if (!handle.leaseValid() && !timers.isTimerActive(LeaseRecheck.INSTANCE)) {
            timers.startSingleTimer(LeaseRecheck.INSTANCE, LEASE_RECHECK);
        }
    }

    private void startReady() {
        if (!handle.leaseValid()) {
            awaitLease();
            return;
        }
        while (running < maxRunning && !ready.isEmpty() && phase == Phase.RUNNING) {
            String id = ready.poll();
            Lane lane = lanes.get(id);
            if (lane != null && !lane.tasks.isEmpty() && !lane.attemptInFlight()) {
                StoredTask head = lane.tasks.firstEntry().getValue();
                Instant now = clock.instant();
                if (head.dueAt().isAfter(now)) {
                    timers.startSingleTimer(new RetryDue(id), Duration.between(now, head.dueAt()));
                } else {
                    start(id, lane, head, now);
                }
            }
        }
    }

    private void flush() {
        if (writesInFlight >= MAX_WRITES_IN_FLIGHT
                || unwritten.isEmpty()
                || timers.isTimerActive(FlushRetry.INSTANCE)) {
            return;
        }
        if (!handle.leaseValid()) {
            awaitLease();
            return;
        }
        List<AttemptOutcome> batch = new ArrayList<>(unwritten);
        unwritten.clear();
        writesInFlight++;
        context.pipeToSelf(
                store.recordOutcomes(partition, batch),
                (v, e) -> e == null ? new OutcomesWritten(batch) : new OutcomesNotWritten(batch, e));
    }

    private Behavior<Command> onOutcomesWritten(OutcomesWritten written) {
        writesInFlight--;
        writeFailures.succeeded();
        for (AttemptOutcome o : written.outcomes()) {
            TaskKey key = o.task().key();
            Lane lane = lanes.get(key.orderingId());
            if (lane == null) {
                continue;
            }
            // A cancel stored after the attempt ended, while this outcome was written, stops the retry (the
            // row is CANCELLED: a retry outcome does not write the status).
            boolean cancelledMeanwhile = cancelledWhileRunning.remove(key);
            if (o.statusAfter().isTerminal() || cancelledMeanwhile) {
                parent.tell(new Finished(key, o.statusAfter().isTerminal() ? o.statusAfter() : TaskStatus.CANCELLED));
            }
            if (lane.outcomeDurable(o, o.statusAfter().isTerminal() || cancelledMeanwhile)) {
                tryStart(key.orderingId(), lane);
            }
        }
        flush();
        maybeDrained();
        return this;
    }

    private Behavior<Command> onOutcomesNotWritten(OutcomesNotWritten failed) {
        unwritten.addAll(0, failed.outcomes());
        writesInFlight--;
        Duration wait = writeFailures.failed();
        if (writeFailures.worthLogging()) {
            context.getLog()
                    .warn(
                            "partition {}: recording {} outcomes failed ({} in a row), retrying in {} ms: {}",
                            partition,
                            unwritten.size(),
                            writeFailures.count(),
                            wait.toMillis(),
                            failed.error().toString());
        }
        timers.startSingleTimer(FlushRetry.INSTANCE, wait);
        return this;
    }

    private Behavior<Command> onDrain(Drain drain) {
        drainReplyTo = drain.replyTo();
        phase = Phase.DRAINING;
        ready.clear();
        timers.startSingleTimer(DrainDeadline.INSTANCE, shutdownTimeout);
        maybeDrained();
        return this;
    }

    private void maybeDrained() {
        if (drainReplyTo != null && running == 0 && writesInFlight == 0 && unwritten.isEmpty()) {
            drainReplyTo.tell(new Drained(0));
            drainReplyTo = null;
            phase = Phase.DRAINED;
            timers.cancel(DrainDeadline.INSTANCE);
        }
    }

    private Behavior<Command> onDrainDeadline() {
        if (drainReplyTo != null) {
            context.getLog()
                    .warn(
                            "partition {}: {} attempts still running after {}; their tasks will run again "
                                    + "on the next owner",
                            partition,
                            running,
                            shutdownTimeout);
            drainReplyTo.tell(new Drained(running + unwritten.size() + writesInFlight));
            drainReplyTo = null;
            phase = Phase.DRAINED;
        }
        return this;
    }
}
