package dev.scheduler.engine.internal.store;

import dev.scheduler.client.TaskKey;
import dev.scheduler.client.internal.Utf8;

/**
 * Compares keys with key bounds in Cassandra's clustering order: time, then ordering id, then uniqueness key,
 * strings by UTF-8 bytes ({@link Utf8#compare}, the order {@link TaskKey#compareTo} uses too).
 */
public final class KeyOrder {

    private KeyOrder() {}

    public static int compare(
            long timeA, String orderingA, String uniqueA, long timeB, String orderingB, String uniqueB) {
        int c = Long.compare(timeA, timeB);
        if (c != 0) {
            return c;
        }
        c = Utf8.compare(orderingA, orderingB);
        return c != 0 ? c : Utf8.compare(uniqueA, uniqueB);
    }

    public static int compare(TaskKey key, LoadBound bound) {
        return compare(
                key.scheduledTime().toEpochMilli(),
                key.orderingId(),
                key.uniquenessKey(),
                bound.timeMillis(),
                bound.orderingId(),
                bound.uniquenessKey());
    }
}
