package dev.scheduler.engine.internal.partition;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.internal.store.DeadLetter;
import dev.scheduler.engine.internal.store.OwnerRow;
import dev.scheduler.engine.internal.store.RetryRequest;
import dev.scheduler.engine.internal.store.StoredTask;
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
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The running phase of one Kafka partition's root actor (the phases before it are {@link PartitionStartup}'s, the
 * draining after it {@link PartitionHandoff}'s, a fence {@link PartitionLease#fenced}'s). It keeps the in-memory schedule of the tasks due within the
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

    record WrappedPersisted(TaskPersister.Persisted persisted) implements Command {}

    record WrappedFinished(TaskRunner.Finished finished) implements Command {}

    record WrappedDrained(TaskRunner.Drained drained) implements Command {}

    /** Timers. */
    private enum Signal implements Command {
        TICK,
        FIRE
    }

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final PartitionContext partitionContext;
    private final int partition;
    private final EngineSettings settings;
    private final Clock clock;
    private final PartitionHandle handle;
    private final PartitionLease lease;

    private final ActorRef<TaskPersister.Command> persister;
    private final ActorRef<TaskRunner.Command> runner;
    private final InMemorySchedule schedule;
    private final PartitionLoader loader;
    private long seq;
    private long seenSeq = -1;

    /** A partition's root actor: it claims the partition ({@link PartitionStartup}), then runs it. */
    public static Behavior<Command> create(PartitionContext partition) {
        return PartitionStartup.create(partition);
    }

    /** The running phase, once the partition is claimed and its checkpoint read. */
    static Behavior<Command> running(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            PartitionContext partition,
            PartitionLease lease,
            Optional<Instant> checkpoint) {
        return new PartitionScheduler(context, timers, partition, lease, checkpoint);
    }

    private PartitionScheduler(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            PartitionContext partition,
            PartitionLease lease,
            Optional<Instant> checkpoint) {
        super(context);
        this.context = context;
        this.timers = timers;
        this.partitionContext = partition;
        this.partition = partition.partition();
        this.settings = partition.settings();
        this.clock = partition.clock();
        this.handle = partition.handle();
        this.lease = lease;
        // With no checkpoint, nothing was ever stored for this partition (a checkpoint is written before the
        // first task), so loading may start now.
        Instant from = checkpoint.orElse(clock.instant());
        schedule = new InMemorySchedule(
                from.toEpochMilli(),
                settings.maxTasksInMemoryPerPartition(),
                settings.lookAhead(),
                settings.loadBatchSize(),
                settings.loadInterval());
        loader = new PartitionLoader(context, timers, partition, schedule);
        var persisted = context.messageAdapter(TaskPersister.Persisted.class, WrappedPersisted::new);
        var finished = context.messageAdapter(TaskRunner.Finished.class, WrappedFinished::new);
        persister = PartitionChildren.watched(
                context,
                context.spawn(TaskPersister.create(partition, persisted, checkpoint.orElse(null)), "persister"));
        runner = PartitionChildren.watched(context, context.spawn(TaskRunner.create(partition, finished), "runner"));
        timers.startTimerWithFixedDelay(Signal.TICK, settings.loadInterval());
        handle.healthy(true);
        // A new incarnation (first start, or restart after a failure) holds nothing from Kafka: what was handed
        // over before now and is not durable must be read again from the last durable offset.
        handle.requestRewind();
        context.getLog().debug("partition {}: loading from {}", this.partition, from);
        startLoad();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessageEquals(PartitionLease.LeaseTick.INSTANCE, () -> {
                    lease.renew();
                    return this;
                })
                .onMessage(PartitionLease.OwnerRead.class, this::onOwnerRead)
                .onMessage(PartitionLease.OwnerNotRead.class, r -> {
                    lease.renewalFailed();
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
                .onMessage(CaughtUp.class, c -> onFire())
                .onMessage(Stop.class, this::onStop)
                .onSignal(Terminated.class, this::onChildEnded)
                .build();
    }

    private Behavior<Command> onOwnerRead(PartitionLease.OwnerRead read) {
        if (lease.confirmed(read)) {
            return this;
        }
        logFenced(context, partitionContext, read.owner().get());
        timers.cancelAll();
        PartitionChildren.stopDeliberately(context, persister);
        PartitionChildren.stopDeliberately(context, runner);
        return lease.fenced();
    }

    private Behavior<Command> onIngest(Ingest ingest) {
        if (ingest.generation() != handle.generation()) {
            return this; // sent before a rewind: Kafka delivers it again
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
        if (!handle.caughtUp()) {
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
        persister.tell(new TaskPersister.AdvanceCheckpoint(schedule.checkpointBound(), seenSeq));
    }

    /** Graceful stop: the draining phase, {@link PartitionHandoff}. */
    private Behavior<Command> onStop(Stop stop) {
        // The lease keeps being renewed while running attempts finish: their outcomes need it.
        timers.cancel(Signal.TICK);
        timers.cancel(Signal.FIRE);
        handle.healthy(false);
        return PartitionHandoff.drain(
                context, partitionContext, lease, persister, runner, schedule, seenSeq, stop.replyTo());
    }

    /** Another instance claimed the partition: this one starts and records nothing more for it. */
    static void logFenced(ActorContext<Command> context, PartitionContext partition, OwnerRow now) {
        PartitionHandle handle = partition.handle();
        context.getLog()
                .warn(
                        "partition {}: {} claimed it (epoch {} > ours {}); this instance starts and records "
                                + "nothing more for it",
                        partition.partition(),
                        now.owner(),
                        now.epoch(),
                        handle.ownerEpoch());
        handle.fence();
        handle.healthy(false);
    }

    /** A child stopped or failed on its own: fail, to be restarted from Cassandra by the supervisor. */
    private Behavior<Command> onChildEnded(Terminated ended) {
        String child = ended.getRef().equals(runner) ? "runner" : "persister";
        throw PartitionChildren.ended(context, handle, ended, child);
    }
}
