package dev.scheduler.engine.internal.store;

import java.time.Instant;

/**
 * A partition's row in {@code partition_owners}: who claimed it, with which epoch, and whether that owner
 * released it at a handover (so that the next owner need not wait out its lease).
 *
 * @param claimedAt when the claim was made, by the claimer's clock; null where not read
 */
public record OwnerRow(long epoch, String owner, Instant claimedAt, boolean released) {

    /** No row yet: epoch 0, no owner, nothing to wait for. */
    public static final OwnerRow NONE = new OwnerRow(0, null, null, true);
}
