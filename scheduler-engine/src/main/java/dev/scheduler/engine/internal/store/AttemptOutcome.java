package dev.scheduler.engine.internal.store;

import dev.scheduler.client.Task;
import dev.scheduler.engine.TaskStatus;
import java.time.Instant;

/**
 * The recorded result of one attempt.
 *
 * @param task the task
 * @param attempt the attempt number, from 1
 * @param startedAt when the executor was called
 * @param finishedAt when it returned, failed or timed out
 * @param statusAfter the task's status after this attempt: PENDING (a retry follows), SUCCEEDED or FAILED
 * @param nextAttemptAt when status is PENDING, when the retry is due
 * @param result how the attempt ended
 * @param errorClass the exception class of a failed attempt, or null
 * @param errorMessage its message, or null
 */
public record AttemptOutcome(
        Task task,
        int attempt,
        Instant startedAt,
        Instant finishedAt,
        TaskStatus statusAfter,
        Instant nextAttemptAt,
        AttemptResult result,
        String errorClass,
        String errorMessage) {}
