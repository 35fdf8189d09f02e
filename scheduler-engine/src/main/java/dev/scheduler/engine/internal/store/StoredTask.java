package dev.scheduler.engine.internal.store;

import dev.scheduler.client.Task;
import dev.scheduler.engine.TaskStatus;
import java.time.Instant;

/**
 * A task row as read from the store.
 *
 * @param task key and data (data is empty for a row that only records a cancel)
 * @param status durable status
 * @param attempts attempts made so far
 * @param nextAttemptAt when the next attempt is due, or null before the first attempt
 * @param lastError the last attempt's error, or null
 */
public record StoredTask(Task task, TaskStatus status, int attempts, Instant nextAttemptAt, String lastError) {

    /** When this task should next start: its scheduled time, or later when a retry is pending. */
    public Instant dueAt() {
        Instant scheduled = task.key().scheduledTime();
        return nextAttemptAt != null && nextAttemptAt.isAfter(scheduled) ? nextAttemptAt : scheduled;
    }
}
