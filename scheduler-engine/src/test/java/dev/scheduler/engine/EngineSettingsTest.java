package dev.scheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class EngineSettingsTest {

    /** That the defaults are the documented ones is checked against the docs by {@link SettingsDocumentationTest}. */
    @Test
    void a_builder_from_the_defaults_builds_the_defaults() {
        EngineSettings s = EngineSettings.defaults();
        assertThat(s.toBuilder().build()).isEqualTo(s);
    }

    @Test
    void a_setting_below_its_limit_is_refused_with_a_message_naming_it_and_the_limit() {
        assertThatThrownBy(() ->
                        EngineSettings.builder().maxTasksInMemoryPerPartition(9).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxTasksInMemoryPerPartition must be at least 10, was 9");
        assertThatThrownBy(() -> EngineSettings.builder().loadBatchSize(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("loadBatchSize must be at least 1, was 0");
        assertThatThrownBy(
                        () -> EngineSettings.builder().lookAhead(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("lookAhead must be a positive duration, was PT0S");
        assertThatThrownBy(() -> EngineSettings.builder().executionTimeout(null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("executionTimeout");
        assertThatThrownBy(() -> EngineSettings.builder()
                        .bucketSize(Duration.ofMillis(1500))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bucketSize")
                .hasMessageContaining("whole number of seconds");
        assertThatThrownBy(() -> EngineSettings.builder()
                        .retention(Duration.ofDays(21 * 365))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retention")
                .hasMessageContaining("20 years");
    }

    @Test
    void store_retry_backoff_with_a_cap_below_its_start_is_refused() {
        assertThatThrownBy(() -> EngineSettings.builder()
                        .storeRetryBackoff(Duration.ofSeconds(10), Duration.ofMillis(100))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("storeRetryMaxBackoff")
                .hasMessageContaining("storeRetryMinBackoff");
    }

    @Test
    void a_consistency_level_that_is_not_one_is_refused_when_the_settings_are_built() {
        assertThatThrownBy(() -> EngineSettings.builder()
                        .consistency("QUORUMM", "LOCAL_QUORUM", "LOCAL_SERIAL")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("readConsistency 'QUORUMM' is not a Cassandra consistency level; use one of [")
                .hasMessageContaining("LOCAL_QUORUM");
        assertThatThrownBy(() -> EngineSettings.builder()
                        .consistency("LOCAL_QUORUM", "LOCAL_SERIAL", "LOCAL_SERIAL")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("writeConsistency 'LOCAL_SERIAL' must be a level that is not serial (for example "
                        + "LOCAL_QUORUM)");
        assertThatThrownBy(() -> EngineSettings.builder()
                        .consistency("ONE", "ONE", "QUORUM")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("serialConsistency 'QUORUM' must be a serial level (SERIAL or LOCAL_SERIAL)");
        assertThat(EngineSettings.builder()
                        .consistency("ONE", "ALL", "SERIAL")
                        .build()
                        .serialConsistency())
                .isEqualTo("SERIAL");
    }
}
