package dev.scheduler.client.wire;

import dev.scheduler.client.InvalidTaskException;
import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;

/**
 * Schedules {@code task}, replacing a pending task with the same key. The record the original PagerDuty
 * scheduler wrote for every task.
 *
 * @param task the task to schedule
 */
public record ScheduleTask(Task task) implements TaskRecord {

    /**
     * Checks the task is there.
     *
     * @throws InvalidTaskException if {@code task} is null
     */
    public ScheduleTask {
        if (task == null) {
            throw new InvalidTaskException("task must not be null");
        }
    }

    @Override
    public TaskKey key() {
        return task.key();
    }
}
