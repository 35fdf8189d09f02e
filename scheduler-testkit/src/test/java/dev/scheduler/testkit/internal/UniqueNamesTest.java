package dev.scheduler.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UniqueNamesTest {

    @Test
    void keyspace_names_are_lower_case_cql_identifiers_of_at_most_48_characters() {
        assertThat(UniqueNames.keyspace("Task_Store")).matches("task_store_[a-z0-9]+_[a-z0-9]{4}");
        assertThat(UniqueNames.keyspace("a".repeat(100)))
                .hasSizeLessThanOrEqualTo(UniqueNames.MAX_KEYSPACE_LENGTH)
                .matches("[a-z][a-z0-9_]*");
    }

    @Test
    void names_do_not_repeat() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertThat(names.add(UniqueNames.keyspace("k"))).isTrue();
            assertThat(names.add(UniqueNames.topic("t"))).isTrue();
        }
    }

    @Test
    void keyspace_prefixes_that_are_not_identifiers_are_rejected() {
        assertThatThrownBy(() -> UniqueNames.keyspace("1tasks"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("start with a letter");
        assertThatThrownBy(() -> UniqueNames.keyspace("task-store"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"task-store\"");
        assertThatThrownBy(() -> UniqueNames.keyspace("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void topic_names_keep_the_prefix_and_reject_characters_kafka_refuses() {
        assertThat(UniqueNames.topic("Tasks.due-soon_1"))
                .startsWith("Tasks.due-soon_1-")
                .matches("[a-zA-Z0-9._-]+");
        assertThatThrownBy(() -> UniqueNames.topic("tasks/due"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topic prefix");
        assertThatThrownBy(() -> UniqueNames.topic("t".repeat(201)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("200");
    }
}
