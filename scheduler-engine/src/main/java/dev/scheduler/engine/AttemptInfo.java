package dev.scheduler.engine;

import java.time.Instant;

/**
 * One recorded attempt of a task.
 *
 * @param attempt attempt number, from 1
 * @param startedAt when the executor was called
 * @param finishedAt when the attempt ended
 * @param result {@code SUCCEEDED}, {@code FAILED} or {@code TIMED_OUT}
 * @param errorClass the exception class of a failed attempt, or null
 * @param errorMessage its message, or null
 */
public record AttemptInfo(
        int attempt, Instant startedAt, Instant finishedAt, String result, String errorClass, String errorMessage) {}
