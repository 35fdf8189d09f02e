package dev.scheduler.engine.internal.partition;

import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.internal.store.Claim;
import dev.scheduler.engine.internal.store.OwnerRow;
import dev.scheduler.engine.internal.store.TaskStore;
import java.util.Optional;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Fencing for one {@link PartitionScheduler}: claim the partition in Cassandra (a compare-and-set on its owner
 * epoch) before doing anything, then renew the lease by reading the owner row. Tasks start and outcomes are
 * written only while the claim is confirmed within one lease; when another instance claims the partition, this
 * one is fenced and stops. Part of the scheduler: it runs on the scheduler's thread, with its context and timers,
 * and its messages are the scheduler's. It logs nothing: the first use of the context's log names the actor's
 * logger, which stays the scheduler's.
 */
final class PartitionLease {

    record Claimed(Claim claim) implements PartitionScheduler.Command {}

    record ClaimFailed(Throwable error) implements PartitionScheduler.Command {}

    record OwnerRead(long issuedAtNanos, Optional<OwnerRow> owner) implements PartitionScheduler.Command {}

    record OwnerNotRead(Throwable error) implements PartitionScheduler.Command {}

    enum TakeoverWaitOver implements PartitionScheduler.Command {
        INSTANCE
    }

    enum LeaseTick implements PartitionScheduler.Command {
        INSTANCE
    }

    private final ActorContext<PartitionScheduler.Command> context;
    private final TimerScheduler<PartitionScheduler.Command> timers;
    private final int partition;
    private final EngineSettings settings;
    private final TaskStore store;
    private final PartitionHandle handle;
    private long claimIssuedNanos;

    PartitionLease(
            ActorContext<PartitionScheduler.Command> context,
            TimerScheduler<PartitionScheduler.Command> timers,
            PartitionContext partition) {
        this.context = context;
        this.timers = timers;
        this.partition = partition.partition();
        this.settings = partition.settings();
        this.store = partition.store();
        this.handle = partition.handle();
    }

    void claim() {
        long issued = handle.nanoTime();
        claimIssuedNanos = issued;
        context.pipeToSelf(
                store.claim(partition, handle.owner()), (c, e) -> e == null ? new Claimed(c) : new ClaimFailed(e));
    }

    /**
     * Confirms the claim and starts renewing the lease. Returns the previous owner if it did not hand over
     * (crashed, paused, cut off, or an earlier claim or incarnation of this very instance): then wait until its
     * lease has surely run out before starting anything, so that it cannot start or record a task we also run.
     */
    Optional<OwnerRow> claimed(Claimed claimed) {
        long leaseNanos = settings.ownerLease().toNanos();
        handle.claimed(claimed.claim().mine().epoch());
        handle.leaseConfirmed(claimIssuedNanos, leaseNanos);
        timers.startTimerWithFixedDelay(
                LeaseTick.INSTANCE, settings.ownerLease().dividedBy(3));
        OwnerRow previous = claimed.claim().previous();
        // Whoever the row names: our own id there may be a claim of ours that timed out but applied, a reused
        // instance id, or an earlier incarnation of this partition with attempts still running.
        if (previous.owner() != null && !previous.released()) {
            return Optional.of(previous);
        }
        return Optional.empty();
    }

    void renew() {
        long issued = handle.nanoTime();
        context.pipeToSelf(
                store.readOwner(partition), (o, e) -> e == null ? new OwnerRead(issued, o) : new OwnerNotRead(e));
    }

    /** True, and the lease renewed, while the partition is ours; false once another instance claimed it. */
    boolean confirmed(OwnerRead read) {
        // No row: a store without fencing (unit tests) or a truncated table; treat as confirmed.
        if (read.owner().isEmpty() || read.owner().get().epoch() == handle.ownerEpoch()) {
            handle.leaseConfirmed(read.issuedAtNanos(), settings.ownerLease().toNanos());
            return true;
        }
        return false;
    }

    /** After losing ownership: wait for the consumer to let go of the partition. */
    Behavior<PartitionScheduler.Command> fenced() {
        return Behaviors.receive(PartitionScheduler.Command.class)
                .onMessage(PartitionScheduler.Stop.class, stop -> {
                    stop.replyTo().tell(new PartitionScheduler.Stopped(partition, 0));
                    return Behaviors.stopped();
                })
                .onAnyMessage(m -> Behaviors.same())
                .build();
    }
}
