package dev.scheduler.engine;

import dev.scheduler.client.Task;
import java.time.Instant;
import java.util.List;

/**
 * What the store knows of one task.
 *
 * @param task key and data (data is empty when only a cancel was recorded for the key)
 * @param partition the Kafka partition it belongs to
 * @param status durable status
 * @param attempts attempts recorded so far
 * @param nextAttemptAt when a retry is pending, when it is due; otherwise null
 * @param lastError the last failed attempt's error class and message, or null
 * @param history recorded attempts, oldest first
 */
public record TaskInfo(
        Task task,
        int partition,
        TaskStatus status,
        int attempts,
        Instant nextAttemptAt,
        String lastError,
        List<AttemptInfo> history) {}
