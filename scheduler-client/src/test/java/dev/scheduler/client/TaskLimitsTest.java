package dev.scheduler.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.client.wire.ScheduleTask;
import dev.scheduler.client.wire.TaskRecordCodec;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskLimitsTest {

    private static final Instant T = Instant.parse("2026-11-27T05:20:37.123Z");
    private static final TaskLimits DEFAULTS = TaskLimits.defaults();

    @Test
    void defaults_are_512_bytes_per_id_and_64_kib_per_record() {
        assertThat(DEFAULTS).isEqualTo(new TaskLimits(512, 65_536));
    }

    @Test
    void an_ordering_id_over_the_limit_is_rejected_with_its_size_and_the_limit() {
        TaskKey key = TaskKey.of("x".repeat(700), T, "u");

        assertThatThrownBy(() -> DEFAULTS.validate(key))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessage("orderingId is 700 bytes in UTF-8; the limit is 512 (TaskLimits.maxIdBytes)");
    }

    @Test
    void ids_are_measured_in_utf8_bytes_not_chars() {
        String rocket = "\ud83d\ude80"; // four bytes in UTF-8, two chars
        TaskKey atLimit = TaskKey.of("o", T, rocket.repeat(128));
        TaskKey overLimit = TaskKey.of("o", T, rocket.repeat(128) + "é");

        assertThatCode(() -> DEFAULTS.validate(atLimit)).doesNotThrowAnyException();
        assertThatThrownBy(() -> DEFAULTS.validate(overLimit))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessage("uniquenessKey is 514 bytes in UTF-8; the limit is 512 (TaskLimits.maxIdBytes)");
    }

    @Test
    void a_task_that_encodes_over_the_limit_is_rejected_with_its_size_and_the_limit() {
        Task task = Task.of(TaskKey.of("o", T, "u"), Map.of("payload", "x".repeat(70_000)));
        int size = TaskRecordCodec.encode(new ScheduleTask(task)).length;

        assertThatThrownBy(() -> DEFAULTS.validate(task))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessage("task encodes to " + size + " bytes; the limit is 65536 (TaskLimits.maxEncodedBytes)");
    }

    @Test
    void a_task_at_the_encoded_limit_is_accepted() {
        Task task = Task.of(TaskKey.of("o", T, "u"), Map.of("payload", "x".repeat(1000)));
        int size = TaskRecordCodec.encode(new ScheduleTask(task)).length;

        assertThatCode(() -> new TaskLimits(512, size).validate(task)).doesNotThrowAnyException();
        assertThatThrownBy(() -> new TaskLimits(512, size - 1).validate(task)).isInstanceOf(InvalidTaskException.class);
    }

    @Test
    void limits_below_one_are_refused() {
        assertThatThrownBy(() -> new TaskLimits(0, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxIdBytes must be at least 1, was 0");
        assertThatThrownBy(() -> new TaskLimits(10, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxEncodedBytes must be at least 1, was -1");
    }

    @Test
    void null_is_rejected() {
        assertThatThrownBy(() -> DEFAULTS.validate((Task) null))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessage("task must not be null");
        assertThatThrownBy(() -> DEFAULTS.validate((TaskKey) null))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessage("key must not be null");
    }
}
