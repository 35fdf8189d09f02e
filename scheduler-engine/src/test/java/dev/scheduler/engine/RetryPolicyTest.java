package dev.scheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static final RetryPolicy NO_JITTER =
            new RetryPolicy(10, Duration.ofSeconds(1), Duration.ofSeconds(30), 2.0, 0.0);

    @Test
    void backoff_without_jitter_doubles_from_the_initial_wait_up_to_the_cap() {
        assertThat(NO_JITTER.backoffAfter(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(NO_JITTER.backoffAfter(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(NO_JITTER.backoffAfter(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(NO_JITTER.backoffAfter(5)).isEqualTo(Duration.ofSeconds(16));
        assertThat(NO_JITTER.backoffAfter(6)).isEqualTo(Duration.ofSeconds(30));
        assertThat(NO_JITTER.backoffAfter(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void jitter_only_shortens_the_wait_and_by_at_most_its_fraction() {
        RetryPolicy halfJitter = NO_JITTER.withJitter(0.5);
        for (int i = 0; i < 1_000; i++) {
            assertThat(halfJitter.backoffAfter(3)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
            assertThat(halfJitter.backoffAfter(100)).isBetween(Duration.ofSeconds(15), Duration.ofSeconds(30));
        }
    }

    @Test
    void max_attempts_counts_the_first_attempt() {
        assertThat(NO_JITTER.withMaxAttempts(3).allowsAnotherAttempt(2)).isTrue();
        assertThat(NO_JITTER.withMaxAttempts(3).allowsAnotherAttempt(3)).isFalse();
        assertThat(RetryPolicy.noRetries().allowsAnotherAttempt(1)).isFalse();
    }

    @Test
    void an_invalid_policy_is_refused_with_a_message_naming_the_field_and_its_limit() {
        assertThatThrownBy(() -> NO_JITTER.withMaxAttempts(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxAttempts")
                .hasMessageContaining("at least 1")
                .hasMessageContaining("0");
        assertThatThrownBy(() -> NO_JITTER.withBackoff(Duration.ofSeconds(-1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("initialBackoff")
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> NO_JITTER.withBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBackoff")
                .hasMessageContaining("initialBackoff");
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ZERO, Duration.ZERO, 0.5, 0.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("multiplier")
                .hasMessageContaining(">= 1")
                .hasMessageContaining("0.5");
        assertThatThrownBy(() -> NO_JITTER.withJitter(1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jitter")
                .hasMessageContaining("between 0 and 1")
                .hasMessageContaining("1.5");
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ZERO, Duration.ZERO, Double.NaN, 0.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("multiplier");
    }
}
