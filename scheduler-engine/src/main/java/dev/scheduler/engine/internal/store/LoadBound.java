package dev.scheduler.engine.internal.store;

import dev.scheduler.client.TaskKey;

/**
 * Where a partition's loading stands: every stored key below this bound is in memory (or finished), every key
 * above it is only in Cassandra. {@code inclusive} says whether the key equal to the bound is loaded too.
 * Unlike {@link TaskKey}, the ids may be empty: {@code (t, "", "")} exclusive is "everything from time t".
 */
public record LoadBound(long timeMillis, String orderingId, String uniquenessKey, boolean inclusive) {

    public static LoadBound before(long timeMillis) {
        return new LoadBound(timeMillis, "", "", false);
    }

    public static LoadBound through(TaskKey key) {
        return new LoadBound(key.scheduledTime().toEpochMilli(), key.orderingId(), key.uniquenessKey(), true);
    }

    public static LoadBound before(TaskKey key) {
        return new LoadBound(key.scheduledTime().toEpochMilli(), key.orderingId(), key.uniquenessKey(), false);
    }

    /** True when the key is on the loaded side of this bound. */
    public boolean covers(TaskKey key) {
        int c = KeyOrder.compare(key, this);
        return inclusive ? c <= 0 : c < 0;
    }
}
