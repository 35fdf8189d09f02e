package dev.scheduler.engine.internal.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskStatus;
import dev.scheduler.engine.internal.store.AttemptResult;
import dev.scheduler.engine.metrics.MicrometerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MicrometerEngineMetricsTest {

    private static final TaskKey KEY = TaskKey.of("o", Instant.parse("2030-01-01T00:00:00Z"), "u");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerEngineMetrics metrics = new MicrometerEngineMetrics(MicrometerMetrics.of(registry), "t");

    @Test
    void a_task_that_ends_failed_counts_as_failed_whatever_its_attempt_number() {
        // A NonRetryableException at attempt 1 of 10 ends the task: it is a failed task.
        metrics.attemptFinished(KEY, 1, AttemptResult.FAILED, TaskStatus.FAILED, Duration.ofMillis(3));
        // A failed attempt that is retried is not a failed task.
        metrics.attemptFinished(KEY, 1, AttemptResult.TIMED_OUT, TaskStatus.PENDING, Duration.ofMillis(3));
        metrics.attemptFinished(KEY, 2, AttemptResult.SUCCEEDED, TaskStatus.SUCCEEDED, Duration.ofMillis(3));

        assertThat(registry.get(MicrometerMetrics.TASKS_FAILED).counter().count())
                .isEqualTo(1);
        assertThat(registry.get(MicrometerMetrics.TASKS_EXECUTED)
                        .tag("outcome", "FAILED")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get(MicrometerMetrics.TASKS_EXECUTED)
                        .tag("outcome", "TIMED_OUT")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get(MicrometerMetrics.TASKS_EXECUTED)
                        .tag("outcome", "SUCCEEDED")
                        .counter()
                        .count())
                .isEqualTo(1);
    }
}
