package dev.scheduler.engine.internal.partition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.NonRetryableException;
import dev.scheduler.engine.RetryPolicy;
import dev.scheduler.engine.TaskStatus;
import dev.scheduler.engine.internal.store.AttemptOutcome;
import dev.scheduler.engine.internal.store.AttemptResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class AttemptVerdictTest {

    private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
    private static final Instant END = START.plusMillis(20);
    private static final Task TASK = Task.of(TaskKey.of("o", START, "u"), Map.of());
    /** Three attempts, 10 s then 20 s apart, no jitter. */
    private static final RetryPolicy RETRY =
            new RetryPolicy(3, Duration.ofSeconds(10), Duration.ofMinutes(1), 2.0, 0.0);

    @Test
    void a_success_ends_the_task_succeeded_without_an_error() {
        AttemptOutcome o = AttemptVerdict.of(TASK, 1, START, END, null, RETRY, false);
        assertThat(o.result()).isEqualTo(AttemptResult.SUCCEEDED);
        assertThat(o.statusAfter()).isEqualTo(TaskStatus.SUCCEEDED);
        assertThat(o.nextAttemptAt()).isNull();
        assertThat(o.errorClass()).isNull();
    }

    @Test
    void a_failure_with_attempts_left_is_retried_after_the_policy_backoff_from_its_end() {
        AttemptOutcome o = AttemptVerdict.of(
                TASK, 2, START, END, new CompletionException(new IllegalStateException("down")), RETRY, false);
        assertThat(o.result()).isEqualTo(AttemptResult.FAILED);
        assertThat(o.statusAfter()).isEqualTo(TaskStatus.PENDING);
        assertThat(o.nextAttemptAt()).isEqualTo(END.plusSeconds(20));
        assertThat(o.errorClass()).as("the cause, unwrapped").isEqualTo(IllegalStateException.class.getName());
        assertThat(o.errorMessage()).isEqualTo("down");
    }

    @Test
    void the_last_allowed_attempt_failing_ends_the_task_failed() {
        AttemptOutcome o = AttemptVerdict.of(TASK, 3, START, END, new IllegalStateException("x"), RETRY, false);
        assertThat(o.statusAfter()).isEqualTo(TaskStatus.FAILED);
        assertThat(o.nextAttemptAt()).isNull();
    }

    @Test
    void a_non_retryable_failure_ends_the_task_failed_at_its_first_attempt() {
        AttemptOutcome o = AttemptVerdict.of(
                TASK, 1, START, END, new ExecutionException(new NonRetryableException("bad input")), RETRY, false);
        assertThat(o.result()).isEqualTo(AttemptResult.FAILED);
        assertThat(o.statusAfter()).isEqualTo(TaskStatus.FAILED);
        assertThat(o.errorClass()).isEqualTo(NonRetryableException.class.getName());
    }

    @Test
    void a_timeout_counts_as_timed_out_with_a_message_that_says_so() {
        AttemptOutcome o = AttemptVerdict.of(TASK, 1, START, END, new TimeoutException(), RETRY, false);
        assertThat(o.result()).isEqualTo(AttemptResult.TIMED_OUT);
        assertThat(o.statusAfter()).isEqualTo(TaskStatus.PENDING);
        assertThat(o.errorMessage()).isEqualTo(AttemptVerdict.TIMEOUT_MESSAGE);
    }

    @Test
    void a_cancel_stored_while_the_attempt_ran_stops_its_retry_but_not_its_success() {
        AttemptOutcome failed = AttemptVerdict.of(TASK, 1, START, END, new IllegalStateException(), RETRY, true);
        assertThat(failed.statusAfter()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(failed.nextAttemptAt()).isNull();
        AttemptOutcome succeeded = AttemptVerdict.of(TASK, 1, START, END, null, RETRY, true);
        assertThat(succeeded.statusAfter()).isEqualTo(TaskStatus.SUCCEEDED);
    }
}
