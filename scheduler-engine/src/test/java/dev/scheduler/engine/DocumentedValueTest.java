package dev.scheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.client.TaskLimits;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DocumentedValueTest {

    @Test
    void durations_are_read_in_the_units_the_docs_use() {
        assertThat(DocumentedValue.read("100 ms", Duration.class)).isEqualTo(Duration.ofMillis(100));
        assertThat(DocumentedValue.read("60 s", Duration.class)).isEqualTo(Duration.ofSeconds(60));
        assertThat(DocumentedValue.read("0.5 s", Duration.class)).isEqualTo(Duration.ofMillis(500));
        assertThat(DocumentedValue.read("1 min", Duration.class)).isEqualTo(Duration.ofMinutes(1));
        assertThat(DocumentedValue.read("1 day", Duration.class)).isEqualTo(Duration.ofDays(1));
        assertThat(DocumentedValue.read("14 days", Duration.class)).isEqualTo(Duration.ofDays(14));
    }

    @Test
    void counts_may_have_thousands_separators_and_byte_units() {
        assertThat(DocumentedValue.read("32", int.class)).isEqualTo(32);
        assertThat(DocumentedValue.read("2,000", int.class)).isEqualTo(2_000);
        assertThat(DocumentedValue.read("65,536", int.class)).isEqualTo(65_536);
        assertThat(DocumentedValue.read("64 KiB", int.class)).isEqualTo(65_536);
    }

    @Test
    void names_factories_and_the_readme_summaries_are_read_as_values_of_their_type() {
        assertThat(DocumentedValue.read("`LOCAL_QUORUM`", String.class)).isEqualTo("LOCAL_QUORUM");
        assertThat(DocumentedValue.read("none", String.class)).isNull();
        assertThat(DocumentedValue.read("none", java.util.List.class)).isEqualTo(java.util.List.of());
        assertThat(DocumentedValue.read("`a.internal`, `*.b`", java.util.List.class))
                .isEqualTo(java.util.List.of("a.internal", "*.b"));
        assertThat(DocumentedValue.read("`Replication.simple(3)`", Replication.class))
                .isEqualTo(Replication.simple(3));
        assertThat(DocumentedValue.read("`SimpleStrategy`, factor 3", Replication.class))
                .isEqualTo(Replication.simple(3));
        assertThat(DocumentedValue.read("3 attempts, 2 s doubling to 1 min, jitter 0", RetryPolicy.class))
                .isEqualTo(new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofMinutes(1), 2.0, 0.0));
        assertThat(DocumentedValue.read("ids 100 bytes, records 1 MiB", TaskLimits.class))
                .isEqualTo(new TaskLimits(100, 1024 * 1024));
    }

    @Test
    void one_cell_of_several_values_is_split_at_commas_and_at_to() {
        assertThat(DocumentedValue.split("100 ms to 10 s")).containsExactly("100 ms", "10 s");
        assertThat(DocumentedValue.split("`A`, `B`, `C`")).containsExactly("`A`", "`B`", "`C`");
    }

    @Test
    void a_text_that_is_not_a_value_of_the_type_is_refused_with_a_message_quoting_it() {
        assertThatThrownBy(() -> DocumentedValue.read("60 sec", Duration.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'60 sec' is not a duration");
        assertThatThrownBy(() -> DocumentedValue.read("2,00", int.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'2,00' is not a count");
        assertThatThrownBy(() -> DocumentedValue.read("1.5", int.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whole number");
        assertThatThrownBy(() -> DocumentedValue.read("`TaskLimits.defaults()`", RetryPolicy.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a RetryPolicy");
    }
}
