package dev.scheduler.engine.internal.partition;

import dev.scheduler.client.TaskKey;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Per ordering id, the earliest key that {@link InMemorySchedule} holds in memory but not in its waiting tasks yet
 * (its status is being read, or it is held for the load in flight): the later keys of that ordering id wait for it,
 * so that it runs first once it waits (found by the partition simulation: after a takeover a later key ran before
 * an earlier one whose status read was slow).
 */
record HeldBack(Map<String, TaskKey> earliest) {

    private static final HeldBack NONE = new HeldBack(Map.of());

    @SafeVarargs
    static HeldBack of(Collection<TaskKey>... notWaitingYet) {
        Map<String, TaskKey> earliest = null;
        for (Collection<TaskKey> keys : notWaitingYet) {
            for (TaskKey k : keys) {
                if (earliest == null) {
                    earliest = new HashMap<>();
                }
                earliest.merge(k.orderingId(), k, (a, b) -> a.compareTo(b) <= 0 ? a : b);
            }
        }
        return earliest == null ? NONE : new HeldBack(earliest);
    }

    /** True when an earlier key of {@code key}'s ordering id does not wait yet. */
    boolean holdsBack(TaskKey key) {
        TaskKey first = earliest.get(key.orderingId());
        return first != null && first.compareTo(key) < 0;
    }
}
