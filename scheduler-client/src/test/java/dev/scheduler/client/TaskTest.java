package dev.scheduler.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskTest {

    private static final TaskKey KEY = TaskKey.of("order-42", Instant.parse("2026-11-27T05:20:37.123Z"), "reminder");

    @Test
    void data_is_copied_unmodifiable_in_the_given_order() {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("z", "1");
        data.put("a", "2");
        data.put("m", "3");

        Task task = Task.of(KEY, data);
        data.put("late", "4");

        assertThat(task.data()).containsExactly(Map.entry("z", "1"), Map.entry("a", "2"), Map.entry("m", "3"));
        assertThatThrownBy(() -> task.data().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void equality_ignores_the_order_of_data() {
        Map<String, String> forward = new LinkedHashMap<>();
        forward.put("a", "1");
        forward.put("b", "2");
        Map<String, String> backward = new LinkedHashMap<>();
        backward.put("b", "2");
        backward.put("a", "1");

        assertThat(Task.of(KEY, forward)).isEqualTo(Task.of(KEY, backward)).hasSameHashCodeAs(Task.of(KEY, backward));
    }

    @Test
    void accessors_delegate_to_the_key() {
        Task task = Task.of("order-42", Instant.parse("2026-11-27T05:20:37.123456Z"), "reminder", Map.of());

        assertThat(task.key()).isEqualTo(KEY);
        assertThat(task.orderingId()).isEqualTo("order-42");
        assertThat(task.scheduledTime()).isEqualTo(Instant.parse("2026-11-27T05:20:37.123Z"));
        assertThat(task.uniquenessKey()).isEqualTo("reminder");
        assertThat(task.data()).isEmpty();
    }

    @Test
    void nulls_are_rejected_naming_what_is_null() {
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("to", null);
        Map<String, String> nullKey = new HashMap<>();
        nullKey.put(null, "x");

        assertThatThrownBy(() -> Task.of(null, Map.of()))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessage("key must not be null");
        assertThatThrownBy(() -> Task.of(KEY, null))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessageStartingWith("data must not be null");
        assertThatThrownBy(() -> Task.of(KEY, nullValue))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessage("data value for key \"to\" must not be null");
        assertThatThrownBy(() -> Task.of(KEY, nullKey))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessage("data must not contain a null key");
    }

    @Test
    void data_with_an_unpaired_surrogate_is_rejected() {
        assertThatThrownBy(() -> Task.of(KEY, Map.of("k", "x\ud800")))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessageStartingWith("data value for key \"k\" has an unpaired surrogate U+D800 at index 1");
        assertThatThrownBy(() -> Task.of(KEY, Map.of("\udc00", "v")))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessageStartingWith("data key has an unpaired surrogate U+DC00 at index 0");
    }
}
