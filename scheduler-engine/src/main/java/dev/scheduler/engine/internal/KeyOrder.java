package dev.scheduler.engine.internal;

import dev.scheduler.client.TaskKey;

/**
 * Compares keys and key bounds in Cassandra's clustering order: time, then ordering id, then uniqueness key,
 * strings by UTF-8 bytes (which is code point order, not {@link String#compareTo}'s UTF-16 order).
 */
final class KeyOrder {

    private KeyOrder() {
    }

    static int compareUtf8(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    static int compare(long timeA, String orderingA, String uniqueA, long timeB, String orderingB, String uniqueB) {
        int c = Long.compare(timeA, timeB);
        if (c != 0) {
            return c;
        }
        c = compareUtf8(orderingA, orderingB);
        return c != 0 ? c : compareUtf8(uniqueA, uniqueB);
    }

    static int compare(TaskKey key, LoadBound bound) {
        return compare(key.scheduledTime().toEpochMilli(), key.orderingId(), key.uniquenessKey(),
                bound.timeMillis(), bound.orderingId(), bound.uniquenessKey());
    }
}
