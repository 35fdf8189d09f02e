package dev.scheduler.engine.internal.liveness;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What a partition needs of its instance's heartbeats ({@link Heartbeats}): when a lease confirmed by a read may
 * run from, whether a previous owner still lives, and whether one that did not hand over has surely stopped.
 */
public interface Liveness {

    /**
     * No heartbeats (unit tests): a lease runs from its read, a partition is claimed at once, and every previous
     * owner that did not release it is waited out for a lease.
     */
    Liveness NONE = new Liveness() {
        @Override
        public OptionalLong leaseFrom(long readIssuedNanos) {
            return OptionalLong.of(readIssuedNanos);
        }

        @Override
        public boolean beatsWithin(String owner, long nanos) {
            return false;
        }

        @Override
        public boolean knows(String owner) {
            return true;
        }

        @Override
        public Optional<Silence> silentFor(String owner, long nanos) {
            return Optional.empty();
        }

        @Override
        public CompletionStage<Boolean> stillSilent(Silence silence) {
            return CompletableFuture.completedFuture(false);
        }
    };

    /**
     * When a lease confirmed by a read of the owner row issued at {@code readIssuedNanos} (now) may run from: the
     * issue time of this instance's last acknowledged heartbeat, or empty when none was acknowledged. A lease is
     * renewed by a heartbeat and then a read that finds the partition still ours: so the next owner, once it saw
     * the heartbeat stop for a whole lease, knows the lease ran out.
     */
    OptionalLong leaseFrom(long readIssuedNanos);

    /**
     * Whether this instance saw the heartbeat of {@code owner} (another instance) change less than {@code nanos}
     * ago: that instance lives, and may still be handing its partitions over. False when it never saw it.
     */
    boolean beatsWithin(String owner, long nanos);

    /**
     * Whether this instance has seen a heartbeat of {@code owner} at all. One not seen may be an instance that
     * just started, or whose beats failed so far, as well as one long gone.
     */
    boolean knows(String owner);

    /**
     * The heartbeat of {@code owner} (another instance), if this instance has seen it unchanged for at least
     * {@code nanos} by its own monotonic clock.
     */
    Optional<Silence> silentFor(String owner, long nanos);

    /**
     * Reads the owner's heartbeat again: true if it still has the silent value. Called after the partition was
     * claimed: then no renewal of the previous owner can have confirmed its lease after its last beat.
     */
    CompletionStage<Boolean> stillSilent(Silence silence);

    /** A heartbeat seen unchanged: whose, and its value. */
    record Silence(String owner, long beat) {}
}
