package dev.scheduler.engine.internal.partition;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.internal.failure.FailureStreak;
import dev.scheduler.engine.internal.store.DeadLetter;
import dev.scheduler.engine.internal.store.OwnerRow;
import dev.scheduler.engine.internal.store.RetryRequest;
import dev.scheduler.engine.internal.store.StoredTask;
import dev.scheduler.engine.internal.store.TaskStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The root of one Kafka partition's actors. It keeps the in-memory schedule of the tasks due within the
 * look-ahead window and fires each at its time with a timer, loads the next window from Cassandra before it is
 * needed, and hands due tasks to its {@link TaskRunner}. Records from Kafka reach it through its
 * {@link TaskPersister} only once durable. The schedule itself, and the invariant that makes loading lossless,
 * are in {@link InMemorySchedule}; this actor makes the store calls, sends the messages and sets the timers.
 * Its claim on the partition, renewed with a lease, is {@link PartitionLease}'s.
 */
public final class PartitionScheduler extends AbstractBehavior<PartitionScheduler.Command> {

    public interface Command {}

    /** Records of one poll for this partition, decoded, in offset order. */
    public record Ingest(
            int generation,
            List<Task> tasks,
            List<Long> taskOffsets,
            List<TaskKey> cancels,
            List<RetryRequest> retries,
            List<DeadLetter> deadLetters,
            int recordCount,
            long nextOffset)
            implements Command {}

    /** From the poll thread: the records on the topic at assignment (or rewind) are durable; tasks may start. */
    public record CaughtUp() implements Command {}

    /** Graceful stop: start nothing more, let running attempts finish (up to the shutdown timeout), then stop. */
    public record Stop(ActorRef<Stopped> replyTo) implements Command {}

    /** Reply to {@link Stop}. */
    public record Stopped(int partition, int abandonedAttempts) {}

    private record Started(Optional<Instant> checkpoint) implements Command {}

    private record StartFailed(Throwable error) implements Command {}

    record WrappedPersisted(TaskPersister.Persisted persisted) implements Command {}

    record WrappedFinished(TaskRunner.Finished finished) implements Command {}

    record WrappedDrained(TaskRunner.Drained drained) implements Command {}

    /** Timers. */
    private enum Signal implements Command {
        TICK,
        FIRE,
        RETRY_START
    }

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final PartitionContext partitionContext;
    private final int partition;
    private final EngineSettings settings;
    private final TaskStore store;
    private final Clock clock;
    private final PartitionHandle handle;
    private final PartitionLease lease;

    private ActorRef<TaskPersister.Command> persister;
    private ActorRef<TaskRunner.Command> runner;
    private InMemorySchedule schedule;
    private PartitionLoader loader;
    private long seq;
    private long seenSeq = -1;
    private final FailureStreak startFailures;

    public static Behavior<Command> create(PartitionContext partition) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new PartitionScheduler(ctx, timers, partition)));
    }

    private PartitionScheduler(
            ActorContext<Command> context, TimerScheduler<Command> timers, PartitionContext partition) {
        super(context);
        this.context = context;
        this.timers = timers;
        this.partitionContext = partition;
        this.partition = partition.partition();
        this.settings = partition.settings();
        this.store = partition.store();
        this.clock = partition.clock();
        this.handle = partition.handle();
        this.startFailures = new FailureStreak(settings.storeRetryMinBackoff(), settings.storeRetryMaxBackoff());
        this.lease = new PartitionLease(context, timers, partition);
        // The first use of the context's logger names it after the calling class: here, so that the lines of
        // PartitionLoader, which logs through the same context, are this actor's too.
        context.getLog().debug("partition {}: claiming it as {}", this.partition, handle.owner());
        lease.claim();
    }

    private void readCheckpoint() {
        context.pipeToSelf(store.readCheckpoint(partition), (c, e) -> e == null ? new Started(c) : new StartFailed(e));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(PartitionLease.Claimed.class, this::onClaimed)
                .onMessage(PartitionLease.ClaimFailed.class, f -> {
                    lease.claimFailed();
                    return onStartFailed(new StartFailed(f.error()));
                })
                .onMessageEquals(PartitionLease.TakeoverWaitOver.INSTANCE, () -> {
                    readCheckpoint();
                    return this;
                })
                .onMessageEquals(PartitionLease.LeaseTick.INSTANCE, () -> {
                    lease.renew();
                    return this;
                })
                .onMessage(PartitionLease.OwnerRead.class, this::onOwnerRead)
                .onMessage(PartitionLease.OwnerNotRead.class, r -> this)
                .onMessage(Started.class, this::onStarted)
                .onMessage(StartFailed.class, this::onStartFailed)
                .onMessageEquals(Signal.RETRY_START, () -> {
                    if (handle.ownerEpoch() < 0) {
                        lease.claim();
                    } else {
                        readCheckpoint();
                    }
                    return this;
                })
                .onMessage(Ingest.class, this::onIngest)
                .onMessage(WrappedPersisted.class, w -> onPersisted(w.persisted()))
                .onMessage(WrappedFinished.class, w -> onFinished(w.finished()))
                .onMessage(PartitionLoader.Loaded.class, this::onLoaded)
                .onMessage(PartitionLoader.LoadFailed.class, failed -> {
                    loader.loadFailed(failed);
                    return this;
                })
                .onMessage(PartitionLoader.StatusRead.class, this::onStatusRead)
                .onMessage(PartitionLoader.StatusNotRead.class, failed -> {
                    loader.statusNotRead(failed);
                    return this;
                })
                .onMessage(PartitionLoader.RetryRead.class, retry -> {
                    loader.readStatus(retry.task());
                    return this;
                })
                .onMessageEquals(Signal.TICK, this::onTick)
                .onMessageEquals(Signal.FIRE, this::onFire)
                .onMessage(CaughtUp.class, c -> schedule == null ? this : onFire()) // sent to an earlier incarnation
                .onMessage(Stop.class, this::onStop)
                .onSignal(Terminated.class, this::onChildEnded)
                .build();
    }

    private Behavior<Command> onClaimed(PartitionLease.Claimed claimed) {
        Optional<OwnerRow> notHandedOver = lease.claimed(claimed);
        if (notHandedOver.isPresent()) {
            OwnerRow previous = notHandedOver.get();
            context.getLog()
                    .info(
                            "partition {}: taken over from {} (epoch {}) without a handover; starting in {}",
                            partition,
                            previous.owner(),
                            previous.epoch(),
                            settings.ownerLease());
            timers.startSingleTimer(PartitionLease.TakeoverWaitOver.INSTANCE, settings.ownerLease());
        } else {
            readCheckpoint();
        }
        return this;
    }

    private Behavior<Command> onOwnerRead(PartitionLease.OwnerRead read) {
        if (lease.confirmed(read)) {
            return this;
        }
        OwnerRow now = read.owner().get();
        context.getLog()
                .warn(
                        "partition {}: {} claimed it (epoch {} > ours {}); this instance starts and records "
                                + "nothing more for it",
                        partition,
                        now.owner(),
                        now.epoch(),
                        handle.ownerEpoch());
        handle.fence();
        handle.healthy(false);
        timers.cancelAll();
        PartitionChildren.stopDeliberately(context, persister);
        PartitionChildren.stopDeliberately(context, runner);
        return lease.fenced();
    }

    private Behavior<Command> onStarted(Started started) {
        startFailures.succeeded();
        Instant now = clock.instant();
        // With no checkpoint, nothing was ever stored for this partition (a checkpoint is written before the
        // first task), so loading may start now.
        Instant from = started.checkpoint().orElse(now);
        schedule = new InMemorySchedule(
                from.toEpochMilli(),
                settings.maxTasksInMemoryPerPartition(),
                settings.lookAhead(),
                settings.loadBatchSize());
        loader = new PartitionLoader(context, timers, partitionContext, schedule);
        var persisted = context.messageAdapter(TaskPersister.Persisted.class, WrappedPersisted::new);
        var finished = context.messageAdapter(TaskRunner.Finished.class, WrappedFinished::new);
        Instant checkpoint = started.checkpoint().orElse(null);
        persister = PartitionChildren.watched(
                context, context.spawn(TaskPersister.create(partitionContext, persisted, checkpoint), "persister"));
        runner = PartitionChildren.watched(
                context, context.spawn(TaskRunner.create(partitionContext, finished), "runner"));
        timers.startTimerWithFixedDelay(Signal.TICK, settings.loadInterval());
        handle.healthy(true);
        // A new incarnation (first start, or restart after a failure) holds nothing from Kafka: what was handed
        // over before now and is not durable must be read again from the last durable offset.
        handle.requestRewind();
        context.getLog().debug("partition {}: loading from {}", partition, from);
        startLoad();
        return this;
    }

    private Behavior<Command> onStartFailed(StartFailed failed) {
        handle.healthy(false);
        Duration wait = startFailures.failed();
        if (startFailures.worthLogging()) {
            context.getLog()
                    .warn(
                            "partition {}: claiming it or reading its checkpoint failed ({} in a row), "
                                    + "retrying in {} ms: {}",
                            partition,
                            startFailures.count(),
                            wait.toMillis(),
                            failed.error().toString());
        }
        timers.startSingleTimer(Signal.RETRY_START, wait);
        return this;
    }

    private Behavior<Command> onIngest(Ingest ingest) {
        if (ingest.generation() != handle.generation()) {
            return this; // sent before a rewind: Kafka delivers it again
        }
        if (persister == null) {
            // Not started yet: Kafka delivers these again after the rewind this incarnation asks for once it has
            // started. Until then no later batch of this generation may count as durable, or it would skip them.
            handle.dropped(ingest.generation());
            return this;
        }
        persister.tell(TaskPersister.Persist.of(seq++, ingest));
        return this;
    }

    private Behavior<Command> onPersisted(TaskPersister.Persisted persisted) {
        seenSeq = persisted.lastSeq();
        if (context.getLog().isDebugEnabled()) {
            context.getLog().debug("partition {}: {}", partition, PartitionChildren.describe(persisted, schedule));
        }
        for (TaskPersister.Persist batch : persisted.batches()) {
            handle.markDurable(batch.generation(), batch.nextOffset(), batch.recordCount());
        }
        for (TaskKey key : persisted.cancelled()) {
            if (schedule.cancel(key)) {
                runner.tell(new TaskRunner.Cancel(key));
            }
        }
        for (Task task : persisted.tasks()) {
            if (!persisted.cancelled().contains(task.key())
                    && schedule.accept(task) == InMemorySchedule.Acceptance.READ_STATUS) {
                loader.readStatus(task);
            }
        }
        persisted.retried().forEach(schedule::retry);
        afterChange();
        return this;
    }

    private Behavior<Command> onStatusRead(PartitionLoader.StatusRead read) {
        if (schedule.statusRead(read.task(), read.stored())) {
            afterChange();
        }
        return this;
    }

    private Behavior<Command> onFinished(TaskRunner.Finished finished) {
        schedule.finished(finished.key()).ifPresent(loader::readStatus);
        afterChange();
        return this;
    }

    private Behavior<Command> onTick() {
        schedule.forgetOldDone(clock.instant());
        startLoad();
        advanceCheckpoint();
        return this;
    }

    private void startLoad() {
        loader.startLoad();
    }

    private Behavior<Command> onLoaded(PartitionLoader.Loaded loaded) {
        boolean fullPage = loader.loaded(loaded);
        afterChange();
        if (fullPage) {
            startLoad(); // a full page: there may be more in the window
        }
        return this;
    }

    private Behavior<Command> onFire() {
        dispatchDue();
        scheduleFire();
        return this;
    }

    private void afterChange() {
        schedule.enforceMemoryBound();
        dispatchDue();
        scheduleFire();
        handle.tasksInMemory(schedule.inMemory());
        // Only when the last load stopped at its page limit or tasks were evicted: the tick moves the window on
        // with time. (Loading after every change cost a range read per task.)
        if (schedule.moreToLoad() && schedule.inMemory() < settings.maxTasksInMemoryPerPartition() / 2) {
            startLoad();
        }
    }

    private void dispatchDue() {
        if (runner == null || !handle.caughtUp()) {
            return;
        }
        for (StoredTask due : schedule.takeDue(clock.millis())) {
            runner.tell(new TaskRunner.Run(due));
        }
    }

    private void scheduleFire() {
        Optional<TaskKey> first = schedule.firstWaiting();
        if (first.isEmpty() || !handle.caughtUp()) {
            timers.cancel(Signal.FIRE);
            return;
        }
        long delay = first.get().scheduledTime().toEpochMilli() - clock.millis();
        timers.startSingleTimer(Signal.FIRE, Duration.ofMillis(Math.max(0, delay)));
    }

    /** Tells the persister how far the checkpoint may move: before every incomplete task we know of. */
    private void advanceCheckpoint() {
        if (persister == null) {
            return;
        }
        persister.tell(new TaskPersister.AdvanceCheckpoint(schedule.checkpointBound(), seenSeq));
    }

    /** Graceful stop: the draining phase of {@link PartitionHandoff}, or at once if the partition never started. */
    private Behavior<Command> onStop(Stop stop) {
        // Still waiting out a previous owner's lease: a release would let the next owner start at once, beside it.
        boolean mayRelease = !timers.isTimerActive(PartitionLease.TakeoverWaitOver.INSTANCE);
        // The lease keeps being renewed while running attempts finish: their outcomes need it.
        timers.cancel(Signal.TICK);
        timers.cancel(Signal.FIRE);
        timers.cancel(Signal.RETRY_START);
        timers.cancel(PartitionLease.TakeoverWaitOver.INSTANCE);
        handle.healthy(false);
        if (runner == null) {
            return PartitionHandoff.beforeStart(context, partitionContext, lease, mayRelease, stop.replyTo());
        }
        return PartitionHandoff.drain(
                context, partitionContext, lease, persister, runner, schedule, seenSeq, stop.replyTo());
    }

    /** A child stopped or failed on its own: fail, to be restarted from Cassandra by the supervisor. */
    private Behavior<Command> onChildEnded(Terminated ended) {
        String child = ended.getRef().equals(runner) ? "runner" : "persister";
        throw PartitionChildren.ended(context, handle, ended, child);
    }
}
