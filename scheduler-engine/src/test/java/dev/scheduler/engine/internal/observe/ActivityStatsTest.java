package dev.scheduler.engine.internal.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskStatus;
import dev.scheduler.engine.admin.Activity;
import dev.scheduler.engine.internal.store.AttemptResult;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ActivityStatsTest {

    private static final TaskKey KEY = TaskKey.of("a", Instant.EPOCH, "b");
    private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);
    private final ActivityStats stats = new ActivityStats(nanos::get);

    @Test
    void percentiles_of_lateness_are_nearest_rank_over_the_last_minute() {
        for (int i = 1; i <= 1000; i++) {
            stats.attemptStarted(KEY, 1, Duration.ofMillis(i));
        }
        nanos.addAndGet(Duration.ofSeconds(10).toNanos());
        Activity a = stats.snapshot();
        assertThat(a.attemptsStarted()).isEqualTo(1000);
        assertThat(a.lateness().samples()).isEqualTo(1000);
        assertThat(a.lateness().p50()).isEqualTo(Duration.ofMillis(500));
        assertThat(a.lateness().p90()).isEqualTo(Duration.ofMillis(900));
        assertThat(a.lateness().p99()).isEqualTo(Duration.ofMillis(990));
        assertThat(a.lateness().p999()).isEqualTo(Duration.ofMillis(999));
        assertThat(a.lateness().max()).isEqualTo(Duration.ofMillis(1000));
        assertThat(a.window()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void outcomes_are_counted_and_throughput_is_per_second_of_the_window() {
        nanos.addAndGet(Duration.ofMinutes(5).toNanos());
        for (int i = 0; i < 90; i++) {
            stats.attemptFinished(KEY, 1, AttemptResult.SUCCEEDED, TaskStatus.SUCCEEDED, Duration.ofMillis(2));
        }
        stats.attemptFinished(KEY, 1, AttemptResult.FAILED, TaskStatus.PENDING, Duration.ofMillis(2));
        stats.attemptFinished(KEY, 1, AttemptResult.TIMED_OUT, TaskStatus.PENDING, Duration.ofSeconds(60));
        Activity a = stats.snapshot();
        assertThat(a.attemptsSucceeded()).isEqualTo(90);
        assertThat(a.attemptsFailed()).isEqualTo(2);
        assertThat(a.attemptsTimedOut()).isEqualTo(1);
        assertThat(a.finishedPerSecond()).isEqualTo(92 / 60.0);
        assertThat(a.duration().max()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void what_is_older_than_a_minute_is_forgotten() {
        stats.attemptStarted(KEY, 1, Duration.ofSeconds(3));
        stats.attemptFinished(KEY, 1, AttemptResult.FAILED, TaskStatus.PENDING, Duration.ofMillis(1));
        nanos.addAndGet(Duration.ofSeconds(61).toNanos());
        stats.attemptStarted(KEY, 1, Duration.ofMillis(7));
        Activity a = stats.snapshot();
        assertThat(a.attemptsStarted()).isEqualTo(1);
        assertThat(a.attemptsFailed()).isZero();
        assertThat(a.lateness().samples()).isEqualTo(1);
        assertThat(a.lateness().max()).isEqualTo(Duration.ofMillis(7));
        assertThat(a.duration().samples()).isZero();
    }
}
