package dev.scheduler.engine.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ExpiryTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void a_cancel_of_a_task_due_already_is_kept_for_the_retention() {
        assertThat(Expiry.cancelTtl(3_600, NOW, NOW.minusSeconds(60))).isEqualTo(3_600);
    }

    @Test
    void a_cancel_of_a_later_task_is_kept_for_the_retention_after_its_time() {
        assertThat(Expiry.cancelTtl(3_600, NOW, NOW.plusSeconds(86_400))).isEqualTo(3_600 + 86_400);
    }

    @Test
    void a_cancel_of_a_task_due_beyond_cassandras_ttl_limit_is_kept_as_long_as_cassandra_allows() {
        assertThat(Expiry.cancelTtl(3_600, NOW, Instant.parse("9999-12-31T00:00:00Z")))
                .isEqualTo((int) Expiry.MAX_TTL_SECONDS);
    }
}
