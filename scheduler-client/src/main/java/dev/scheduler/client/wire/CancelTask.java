package dev.scheduler.client.wire;

import dev.scheduler.client.InvalidTaskException;
import dev.scheduler.client.TaskKey;

/**
 * Cancels the task with {@code key}, if it has not run yet. Not part of the original PagerDuty format:
 * its engine would not understand it (see {@code docs/wire-format.md}).
 *
 * @param key the key of the task to cancel
 */
public record CancelTask(TaskKey key) implements TaskRecord {

    /**
     * Checks the key is there.
     *
     * @throws InvalidTaskException if {@code key} is null
     */
    public CancelTask {
        if (key == null) {
            throw new InvalidTaskException("key must not be null");
        }
    }
}
