package dev.scheduler.engine.internal.partition;

import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.internal.failure.FailureStreak;
import dev.scheduler.engine.internal.liveness.Liveness;
import dev.scheduler.engine.internal.store.OwnerRow;
import dev.scheduler.engine.internal.store.TaskStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The phases of a partition before it runs, each a behaviour of the partition's root actor: <b>awaiting the
 * release</b> by a previous owner still handing over, <b>claiming</b> (the compare-and-set on the owner epoch,
 * retried with backoff), <b>waiting</b> out the lease of a previous owner that did not hand over (cut short once its
 * heartbeat is seen stopped), and <b>reading the checkpoint</b>. Then the partition <b>runs</b> ({@link PartitionScheduler}).
 * In every phase records from Kafka are dropped (the running phase asks for a rewind and reads them again), the
 * lease is renewed once claimed, another instance's claim fences it ({@link PartitionLease#fenced}), and a stop
 * hands off ({@link PartitionHandoff#beforeStart}). docs/design.md draws the phases.
 */
final class PartitionStartup {

    private record Started(Optional<Instant> checkpoint) implements PartitionScheduler.Command {}

    private record StartFailed(Throwable error) implements PartitionScheduler.Command {}

    private enum Retry implements PartitionScheduler.Command {
        OWNER,
        CHECKPOINT
    }

    private record OwnerChecked(Optional<OwnerRow> owner, Throwable error) implements PartitionScheduler.Command {}

    private record SilenceConfirmed(Liveness.Silence silence, boolean confirmed)
            implements PartitionScheduler.Command {}

    private enum CheckSilence implements PartitionScheduler.Command {
        INSTANCE
    }

    /** How often a partition waiting out a previous owner looks at its heartbeat again. */
    private static final Duration RECHECK = Duration.ofMillis(100);

    /**
     * How often a partition awaiting a live previous owner's release reads its row again: often, as the tasks due
     * meanwhile wait (a handoff reads it a few times; the drain is usually short).
     */
    private static final Duration RELEASE_RECHECK = Duration.ofMillis(20);

    private final ActorContext<PartitionScheduler.Command> context;
    private final TimerScheduler<PartitionScheduler.Command> timers;
    private final PartitionContext partition;
    private final EngineSettings settings;
    private final PartitionLease lease;
    private final FailureStreak failures;
    private final Liveness liveness;
    private final long leaseNanos;
    /** The epoch of the owner row awaited, and since when (this instance's clock) it is awaited. */
    private long awaitedEpoch = Long.MIN_VALUE;

    private long awaitedSinceNanos;

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
        this.liveness = partition.liveness();
        this.leaseNanos = settings.ownerLease().toNanos();
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
            PartitionStartup startup = new PartitionStartup(ctx, timers, partition);
            return startup.awaitingRelease();
        }));
    }

    /**
     * Before claiming: while the owner row names another instance that has not released the partition and whose
     * heartbeat goes on, it is still handing over (its attempts finish, up to the shutdown timeout): claiming now
     * would fence it in the middle of them. Wait until it releases, its heartbeat is confirmed stopped for a lease
     * (by a read now: this instance's own watch may be stale, after a pause or failed reads), or the shutdown
     * timeout and a lease have passed since that owner's claim was first seen here. An owner whose heartbeat this
     * instance has not seen yet is waited for a lease: its beats may not have reached the watch yet. The claim is
     * conditional on the epoch of the row decided on: if another instance claimed meanwhile (while this one was
     * paused, say), it fails, and the wait starts again from the new row (found by the partition simulation,
     * seeds 1517, 7868, 55345).
     */
    private Behavior<PartitionScheduler.Command> awaitingRelease() {
        context.pipeToSelf(partition.store().readOwner(partition.partition()), OwnerChecked::new);
        long bound = settings.shutdownTimeout().toNanos() + leaseNanos;
        return phase(false)
                .onMessage(OwnerChecked.class, checked -> {
                    if (checked.error() != null) {
                        retryLater(Retry.OWNER, checked.error());
                        return Behaviors.same();
                    }
                    failures.succeeded();
                    Optional<OwnerRow> row = checked.owner();
                    long epoch = row.map(OwnerRow::epoch).orElse(TaskStore.NO_OWNER_ROW);
                    if (row.isEmpty() || row.get().released() || row.get().owner() == null) {
                        return claiming(epoch);
                    }
                    if (epoch != awaitedEpoch) { // another claim: its handover has a bound of its own
                        awaitedEpoch = epoch;
                        awaitedSinceNanos = partition.handle().nanoTime();
                    }
                    long waited = partition.handle().nanoTime() - awaitedSinceNanos;
                    String owner = row.get().owner();
                    if (waited >= bound) {
                        context.getLog()
                                .info(
                                        "partition {}: {} (epoch {}) did not release it within {} and a lease; "
                                                + "claiming it",
                                        partition.partition(),
                                        owner,
                                        epoch,
                                        settings.shutdownTimeout());
                        return claiming(epoch);
                    }
                    if (!liveness.beatsWithin(owner, leaseNanos) && (liveness.knows(owner) || waited >= leaseNanos)) {
                        Optional<Liveness.Silence> silence = liveness.silentFor(owner, leaseNanos);
                        if (silence.isEmpty()) {
                            return claiming(epoch); // this very instance, or not seen beating for a lease of waiting
                        }
                        context.pipeToSelf(
                                liveness.stillSilent(silence.get()),
                                (ok, e) -> new SilenceConfirmed(silence.get(), e == null && ok));
                        return Behaviors.same();
                    }
                    timers.startSingleTimer(Retry.OWNER, RELEASE_RECHECK);
                    return Behaviors.same();
                })
                .onMessage(SilenceConfirmed.class, confirmed -> {
                    if (confirmed.confirmed()) {
                        return claiming(awaitedEpoch);
                    }
                    timers.startSingleTimer(Retry.OWNER, RELEASE_RECHECK);
                    return Behaviors.same();
                })
                .onMessageEquals(Retry.OWNER, this::awaitingRelease)
                .onAnyMessage(m -> Behaviors.same())
                .build();
    }

    /** Claims the partition if its owner row still has {@code expectedEpoch}; else reads the row again. */
    private Behavior<PartitionScheduler.Command> claiming(long expectedEpoch) {
        lease.claim(expectedEpoch);
        return phase(true)
                .onMessage(PartitionLease.Claimed.class, claimed -> {
                    Optional<OwnerRow> notHandedOver = lease.claimed(claimed);
                    if (notHandedOver.isEmpty()) {
                        return readingCheckpoint();
                    }
                    OwnerRow previous = notHandedOver.get();
                    context.getLog()
                            .info(
                                    "partition {}: taken over from {} (epoch {}) without a handover; starting in {} "
                                            + "at most",
                                    partition.partition(),
                                    previous.owner(),
                                    previous.epoch(),
                                    settings.ownerLease());
                    return waitingOutPreviousOwner(previous.owner());
                })
                .onMessage(PartitionLease.ClaimFailed.class, failed -> {
                    lease.claimFailed();
                    retryLater(Retry.OWNER, failed.error()); // the row may have changed: read it again
                    return Behaviors.same();
                })
                .onMessageEquals(Retry.OWNER, this::awaitingRelease)
                .onAnyMessage(m -> Behaviors.same())
                .build();
    }

    /**
     * Until the previous owner's lease has surely run out, so that it cannot start or record a task we also run: a
     * lease after the claim, or sooner once its heartbeat has been seen unchanged for a lease, and is still unchanged
     * when read after the claim ({@link Liveness#stillSilent}: no renewal of the previous owner can have confirmed
     * its lease after its last beat). Usually, after a crash, the heartbeat stopped long before the assignment came.
     */
    private Behavior<PartitionScheduler.Command> waitingOutPreviousOwner(String previous) {
        timers.startSingleTimer(PartitionLease.TakeoverWaitOver.INSTANCE, settings.ownerLease());
        checkSilence(previous);
        return phase(false)
                .onMessageEquals(PartitionLease.TakeoverWaitOver.INSTANCE, this::afterWaitingOut)
                .onMessageEquals(CheckSilence.INSTANCE, () -> {
                    checkSilence(previous);
                    return Behaviors.same();
                })
                .onMessage(SilenceConfirmed.class, confirmed -> {
                    if (!confirmed.confirmed()) {
                        timers.startSingleTimer(CheckSilence.INSTANCE, RECHECK);
                        return Behaviors.same();
                    }
                    context.getLog()
                            .info(
                                    "partition {}: the heartbeat of {} stopped a lease ago or more; starting now",
                                    partition.partition(),
                                    previous);
                    return afterWaitingOut();
                })
                .onAnyMessage(m -> Behaviors.same())
                .build();
    }

    /** Confirms the previous owner's silence if it has lasted a lease; otherwise looks again in a while. */
    private void checkSilence(String previous) {
        Optional<Liveness.Silence> silence = liveness.silentFor(previous, leaseNanos);
        if (silence.isEmpty()) {
            timers.startSingleTimer(CheckSilence.INSTANCE, RECHECK);
        } else {
            context.pipeToSelf(
                    liveness.stillSilent(silence.get()),
                    (ok, e) -> new SilenceConfirmed(silence.get(), e == null && ok));
        }
    }

    private Behavior<PartitionScheduler.Command> afterWaitingOut() {
        timers.cancel(PartitionLease.TakeoverWaitOver.INSTANCE);
        timers.cancel(CheckSilence.INSTANCE);
        return readingCheckpoint();
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
                .onMessage(PartitionLease.OwnerNotRead.class, r -> {
                    lease.renewalFailed();
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
                    timers.cancel(CheckSilence.INSTANCE);
                    timers.cancel(Retry.OWNER);
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
                            "partition {}: reading its owner, claiming it or reading its checkpoint failed ({} in a row), "
                                    + "retrying in {} ms: {}",
                            partition.partition(),
                            failures.count(),
                            wait.toMillis(),
                            error.toString());
        }
        timers.startSingleTimer(what, wait);
    }
}
