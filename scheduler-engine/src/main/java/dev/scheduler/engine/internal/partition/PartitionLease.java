package dev.scheduler.engine.internal.partition;

import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.internal.liveness.Liveness;
import dev.scheduler.engine.internal.store.Claim;
import dev.scheduler.engine.internal.store.OwnerRow;
import dev.scheduler.engine.internal.store.TaskStore;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Fencing for one {@link PartitionScheduler}: claim the partition in Cassandra (a compare-and-set on its owner
 * epoch) before doing anything, then renew the lease by reading the owner row. Tasks start and outcomes are
 * written only while the claim is confirmed within one lease; when another instance claims the partition, this
 * one is fenced and stops. Part of the scheduler: it runs on the scheduler's thread, with its context and timers,
 * and its messages are the scheduler's. It logs nothing itself; the phases log through the actor's logger, named
 * after {@link PartitionScheduler}.
 */
final class PartitionLease {

    record Claimed(Claim claim) implements PartitionScheduler.Command {}

    record ClaimFailed(Throwable error) implements PartitionScheduler.Command {}

    /** @param leaseFrom when the lease this read confirms runs from (empty: it confirms none) */
    record OwnerRead(OptionalLong leaseFrom, Optional<OwnerRow> owner) implements PartitionScheduler.Command {}

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
    private final Liveness liveness;
    private OptionalLong claimLeaseFrom = OptionalLong.empty();
    private boolean claimInFlight;

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
        this.liveness = partition.liveness();
    }

    /** Claims the partition if its owner row still has {@code expectedEpoch} ({@link TaskStore#claim}). */
    void claim(long expectedEpoch) {
        claimLeaseFrom = liveness.leaseFrom(handle.nanoTime());
        claimInFlight = true;
        context.pipeToSelf(
                store.claim(partition, handle.owner(), expectedEpoch),
                (c, e) -> e == null ? new Claimed(c) : new ClaimFailed(e));
    }

    /**
     * Confirms the claim and starts renewing the lease. Returns the previous owner if it did not hand over
     * (crashed, paused, cut off, or an earlier claim or incarnation of this very instance): then wait until its
     * lease has surely run out before starting anything, so that it cannot start or record a task we also run.
     */
    Optional<OwnerRow> claimed(Claimed claimed) {
        claimInFlight = false;
        long actFor = actingNanos();
        handle.claimed(claimed.claim().mine().epoch());
        claimLeaseFrom.ifPresent(from -> handle.leaseConfirmed(from, actFor));
        scheduleRenewal();
        OwnerRow previous = claimed.claim().previous();
        // Whoever the row names: our own id there may be a claim of ours that timed out but applied, a reused
        // instance id, or an earlier incarnation of this partition with attempts still running.
        if (previous.owner() != null && !previous.released()) {
            return Optional.of(previous);
        }
        return Optional.empty();
    }

    /**
     * How long after its start this instance acts on a lease: starts attempts and sends writes. A sixth less than
     * the lease, so that a write sent at the last moment has that sixth to land before the lease runs out: the
     * next owner waits for the whole lease (or a lease of heartbeat silence) and then loads, and a write of ours
     * landing after its load would go unseen (an outcome landing late: the task ran again although it had
     * finished). Found by the partition simulation, seed 518551, where store calls take up to 300 ms. A sixth,
     * not more: renewals come every third of the lease from beats up to a quarter old, so one lapse-free renewal
     * needs what is left (a quarter of the lease for the read's round trip). A write slower than a sixth of the
     * lease (500 ms by default) remains a risk; the driver gives up on a request after 10 s.
     */
    private long actingNanos() {
        return settings.ownerLease().toNanos() - settings.ownerLease().toNanos() / 6;
    }

    /** The claim's answer was a failure (it may still have applied: the next owner then waits out our lease). */
    void claimFailed() {
        claimInFlight = false;
    }

    /** A claim was sent and not answered yet. */
    boolean claimInFlight() {
        return claimInFlight;
    }

    /**
     * The next renewal, at the next multiple of a third of the lease on the engine's monotonic clock: every partition
     * of an engine renews on the same ticks, so that their reads go as one ({@code LeaseReads} in the store). Between
     * two renewals there is never more than a third of the lease, as with a timer of fixed delay.
     */
    private void scheduleRenewal() {
        timers.startSingleTimer(LeaseTick.INSTANCE, Duration.ofNanos(nanosToNextTick()));
    }

    /** From now to the next multiple of a third of the lease on the engine's monotonic clock: above 0, at most that. */
    private long nanosToNextTick() {
        long every = settings.ownerLease().toNanos() / 3;
        return every - Math.floorMod(handle.nanoTime(), every);
    }

    void renew() {
        scheduleRenewal();
        // Taken now, before the read: the last beat acknowledged before the read was sent (Liveness#leaseFrom).
        OptionalLong from = liveness.leaseFrom(handle.nanoTime());
        context.pipeToSelf(
                store.readOwnerForLease(partition), (o, e) -> e == null ? new OwnerRead(from, o) : new OwnerNotRead(e));
    }

    /**
     * A renewal's read failed: read again a tenth of the lease later if the next tick is further away. One missed
     * renewal may already let the lease lapse (see {@link #actingNanos}), and the renewals of all of an engine's
     * partitions share a read, so one failed read would otherwise stop them all until the next tick.
     */
    void renewalFailed() {
        long soon = settings.ownerLease().toNanos() / 10;
        if (nanosToNextTick() > soon) {
            timers.startSingleTimer(LeaseTick.INSTANCE, Duration.ofNanos(soon));
        }
    }

    /** True, and the lease renewed, while the partition is ours; false once another instance claimed it. */
    boolean confirmed(OwnerRead read) {
        // No row: a store without fencing (unit tests) or a truncated table; treat as confirmed.
        if (read.owner().isEmpty() || read.owner().get().epoch() == handle.ownerEpoch()) {
            read.leaseFrom().ifPresent(from -> handle.leaseConfirmed(from, actingNanos()));
            return true;
        }
        return false;
    }

    /** Two leases after a fence, with Kafka still giving us the partition: claim it again. */
    enum Reclaim implements PartitionScheduler.Command {
        INSTANCE
    }

    /**
     * After losing ownership: wait for the consumer to let go of the partition. If it has not two leases later,
     * Kafka still gives the partition to this instance and the claim that fenced it may be a stray one (an instance
     * paused or stopped while its claim was in flight, that does not run the partition): fail, so that the
     * supervisor restarts the partition, which claims it again and waits out the other claimer's lease first.
     * Found by the partition simulation (seed 1847): otherwise nobody ran the partition until the next rebalance.
     */
    Behavior<PartitionScheduler.Command> fenced() {
        timers.startSingleTimer(Reclaim.INSTANCE, settings.ownerLease().multipliedBy(2));
        return Behaviors.receive(PartitionScheduler.Command.class)
                .onMessage(PartitionScheduler.Stop.class, stop -> {
                    stop.replyTo().tell(new PartitionScheduler.Stopped(partition, 0));
                    return Behaviors.stopped();
                })
                .onMessageEquals(Reclaim.INSTANCE, () -> {
                    throw new IllegalStateException("partition " + partition + ": fenced "
                            + settings.ownerLease().multipliedBy(2) + " ago and still assigned to this instance; "
                            + "restarting it to claim it again");
                })
                .onAnyMessage(m -> Behaviors.same())
                .build();
    }
}
