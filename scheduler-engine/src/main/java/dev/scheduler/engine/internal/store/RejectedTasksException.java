package dev.scheduler.engine.internal.store;

import dev.scheduler.client.TaskKey;
import java.util.Map;

/**
 * Cassandra refused to store these tasks as they are, and will every time (a row too large for a mutation, a
 * value the schema does not take): retrying cannot help. Every other task of the same call is stored. The caller
 * sets the refused ones aside, so that their partition moves on.
 */
public final class RejectedTasksException extends RuntimeException {

    private final transient Map<TaskKey, String> reasons;

    /** @param reasons why each task was refused: the error Cassandra (or its driver) answered */
    public RejectedTasksException(Map<TaskKey, String> reasons) {
        super(reasons.size() + " task(s) refused by Cassandra, every other one stored: " + reasons);
        this.reasons = Map.copyOf(reasons);
    }

    /** The refused tasks, each with the error it got. */
    public Map<TaskKey, String> reasons() {
        return reasons;
    }
}
