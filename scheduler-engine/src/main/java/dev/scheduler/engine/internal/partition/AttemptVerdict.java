package dev.scheduler.engine.internal.partition;

import dev.scheduler.client.Task;
import dev.scheduler.engine.NonRetryableException;
import dev.scheduler.engine.RetryPolicy;
import dev.scheduler.engine.TaskStatus;
import dev.scheduler.engine.internal.store.AttemptOutcome;
import dev.scheduler.engine.internal.store.AttemptResult;
import java.time.Instant;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * How an ended attempt counts: its result, the task's status after it (a retry pending, or final), and when the
 * retry is due. The retry policy decides, except that a {@link NonRetryableException} fails the task at once and
 * a cancel stored while the attempt ran stops any retry.
 */
final class AttemptVerdict {

    static final String TIMEOUT_MESSAGE = "attempt ran longer than the execution timeout";

    private AttemptVerdict() {}

    /**
     * @param error what the executor's future failed with (wrapped or not), or null when it succeeded
     * @param cancelledWhileRunning a cancel of this task was stored while the attempt ran
     */
    static AttemptOutcome of(
            Task task,
            int attempt,
            Instant startedAt,
            Instant finishedAt,
            Throwable error,
            RetryPolicy policy,
            boolean cancelledWhileRunning) {
        Throwable cause = unwrap(error);
        AttemptResult result;
        TaskStatus after;
        Instant next = null;
        if (cause == null) {
            result = AttemptResult.SUCCEEDED;
            after = TaskStatus.SUCCEEDED;
        } else {
            result = cause instanceof TimeoutException ? AttemptResult.TIMED_OUT : AttemptResult.FAILED;
            if (!(cause instanceof NonRetryableException) && policy.allowsAnotherAttempt(attempt)) {
                after = TaskStatus.PENDING;
                next = finishedAt.plus(policy.backoffAfter(attempt));
            } else {
                after = TaskStatus.FAILED;
            }
        }
        if (cancelledWhileRunning && after == TaskStatus.PENDING) {
            after = TaskStatus.CANCELLED; // cancelled while this attempt ran: no retry
            next = null;
        }
        String errorClass = cause == null ? null : cause.getClass().getName();
        String message =
                cause == null ? null : cause instanceof TimeoutException ? TIMEOUT_MESSAGE : cause.getMessage();
        return new AttemptOutcome(task, attempt, startedAt, finishedAt, after, next, result, errorClass, message);
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
