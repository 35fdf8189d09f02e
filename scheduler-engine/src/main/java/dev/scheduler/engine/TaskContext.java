package dev.scheduler.engine;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import java.util.Map;

/**
 * What an executor is told about the attempt it runs.
 *
 * @param task the task as scheduled: key and data
 * @param attempt the attempt number, starting at 1; it survives restarts and rebalances
 * @param partition the Kafka partition the task belongs to
 */
public record TaskContext(Task task, int attempt, int partition) {

    /** The task's key (ordering id, scheduled time, uniqueness key). */
    public TaskKey key() {
        return task.key();
    }

    /** The task's data, immutable. */
    public Map<String, String> data() {
        return task.data();
    }
}
