package dev.scheduler.engine.internal.partition;

import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.internal.failure.FailureStreak;
import dev.scheduler.engine.internal.store.OwnerRow;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The phases of a partition before it runs, each a behaviour of the partition's root actor: <b>claiming</b> (the
 * compare-and-set on the owner epoch, retried with backoff), <b>waiting</b> out the lease of a previous owner that
 * did not hand over, and <b>reading the checkpoint</b>. Then the partition <b>runs</b> ({@link PartitionScheduler}).
 * In every phase records from Kafka are dropped (the running phase asks for a rewind and reads them again), the
 * lease is renewed once claimed, another instance's claim fences it ({@link PartitionLease#fenced}), and a stop
 * hands off ({@link PartitionHandoff#beforeStart}). docs/design.md draws the phases.
 */
final class PartitionStartup {

    private record Started(Optional<Instant> checkpoint) implements PartitionScheduler.Command {}

    private record StartFailed(Throwable error) implements PartitionScheduler.Command {}

    private enum Retry implements PartitionScheduler.Command {
        CLAIM,
        CHECKPOINT
    }

    private final ActorContext<PartitionScheduler.Command> context;
    private final TimerScheduler<PartitionScheduler.Command> timers;
    private final PartitionContext partition;
    private final EngineSettings settings;
    private final PartitionLease lease;
    private final FailureStreak failures;

    private PartitionStartup(
            ActorContext<PartitionScheduler.Command> context,
            TimerScheduler<PartitionScheduler.Command> timers,
            PartitionContext partition) {
        this.context = context;
        this.timers = timers;
        this.partition = partition;
        this.settings = partition.settings();
        this.lease = new PartitionLease(context, timers, partition);
        this.failures = new FailureStreak(settings.storeRetryMinBackoff(), settings.storeRetryMaxBackoff());
    }

    /** A partition's root actor: it claims the partition first. */
    static Behavior<PartitionScheduler.Command> create(PartitionContext partition) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            // One logger for every phase, and for the loader and lease, which log through the same context.
            ctx.setLoggerName(PartitionScheduler.class);
            partition.handle().unclaimed();
            ctx.getLog()
                    .debug(
                            "partition {}: claiming it as {}",
                            partition.partition(),
                            partition.handle().owner());
            return new PartitionStartup(ctx, timers, partition).claiming();
        }));
    }

    private Behavior<PartitionScheduler.Command> claiming() {
        lease.claim();
        return phase(true)
                .onMessage(PartitionLease.Claimed.class, claimed -> {
                    Optional<OwnerRow> notHandedOver = lease.claimed(claimed);
                    if (notHandedOver.isEmpty()) {
                        return readingCheckpoint();
                    }
                    OwnerRow previous = notHandedOver.get();
                    context.getLog()
                            .info(
                                    "partition {}: taken over from {} (epoch {}) without a handover; starting in {}",
                                    partition.partition(),
                                    previous.owner(),
                                    previous.epoch(),
                                    settings.ownerLease());
                    return waitingOutPreviousOwner();
                })
                .onMessage(PartitionLease.ClaimFailed.class, failed -> {
                    lease.claimFailed();
                    retryLater(Retry.CLAIM, failed.error());
                    return Behaviors.same();
                })
                .onMessageEquals(Retry.CLAIM, this::claiming)
                .onAnyMessage(m -> Behaviors.same())
                .build();
    }

    /** Until the previous owner's lease has surely run out, so that it cannot start or record a task we also run. */
    private Behavior<PartitionScheduler.Command> waitingOutPreviousOwner() {
        timers.startSingleTimer(PartitionLease.TakeoverWaitOver.INSTANCE, settings.ownerLease());
        return phase(false)
                .onMessageEquals(PartitionLease.TakeoverWaitOver.INSTANCE, this::readingCheckpoint)
                .onAnyMessage(m -> Behaviors.same())
                .build();
    }

    private Behavior<PartitionScheduler.Command> readingCheckpoint() {
        context.pipeToSelf(
                partition.store().readCheckpoint(partition.partition()),
                (c, e) -> e == null ? new Started(c) : new StartFailed(e));
        return phase(true)
                .onMessage(Started.class, started -> {
                    failures.succeeded();
                    return PartitionScheduler.running(context, timers, partition, lease, started.checkpoint());
                })
                .onMessage(StartFailed.class, failed -> {
                    retryLater(Retry.CHECKPOINT, failed.error());
                    return Behaviors.same();
                })
                .onMessageEquals(Retry.CHECKPOINT, this::readingCheckpoint)
                .onAnyMessage(m -> Behaviors.same()) // CaughtUp, a failed renewal: nothing to do yet
                .build();
    }

    /**
     * What every phase before running handles.
     *
     * @param mayRelease whether a stop in this phase may release the partition (not while a previous owner's
     *     lease may still be valid)
     */
    private BehaviorBuilder<PartitionScheduler.Command> phase(boolean mayRelease) {
        return Behaviors.receive(PartitionScheduler.Command.class)
                .onMessage(PartitionScheduler.Ingest.class, ingest -> {
                    // Kafka delivers these again after the rewind the running phase asks for. Until then no later
                    // batch of this generation may count as durable, or it would skip them.
                    partition.handle().dropped(ingest.generation());
                    return Behaviors.same();
                })
                .onMessageEquals(PartitionLease.LeaseTick.INSTANCE, () -> {
                    lease.renew();
                    return Behaviors.same();
                })
                .onMessage(PartitionLease.OwnerRead.class, read -> {
                    if (lease.confirmed(read)) {
                        return Behaviors.same();
                    }
                    PartitionScheduler.logFenced(
                            context, partition, read.owner().get());
                    timers.cancelAll();
                    return lease.fenced();
                })
                .onMessage(PartitionScheduler.Stop.class, stop -> {
                    timers.cancel(PartitionLease.TakeoverWaitOver.INSTANCE);
                    timers.cancel(Retry.CLAIM);
                    timers.cancel(Retry.CHECKPOINT);
                    partition.handle().healthy(false);
                    return PartitionHandoff.beforeStart(context, partition, lease, mayRelease, stop.replyTo());
                });
    }

    private void retryLater(Retry what, Throwable error) {
        partition.handle().healthy(false);
        Duration wait = failures.failed();
        if (failures.worthLogging()) {
            context.getLog()
                    .warn(
                            "partition {}: claiming it or reading its checkpoint failed ({} in a row), "
                                    + "retrying in {} ms: {}",
                            partition.partition(),
                            failures.count(),
                            wait.toMillis(),
                            error.toString());
        }
        timers.startSingleTimer(what, wait);
    }
}
