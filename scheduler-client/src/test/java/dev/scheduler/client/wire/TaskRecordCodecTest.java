package dev.scheduler.client.wire;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.client.InvalidTaskException;
import dev.scheduler.client.RandomStrings;
import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TaskRecordCodecTest {

    private static final Instant T = Instant.parse("2026-11-27T05:20:37.123Z");
    private static final String KEY_FIELDS =
            "\"orderingId\":\"o\",\"scheduledTime\":\"2026-11-27T05:20:37.123Z\",\"uniquenessKey\":\"u\"";

    private static TaskRecord decode(String json) {
        return TaskRecordCodec.decode(json.getBytes(UTF_8));
    }

    private static String encode(TaskRecord record) {
        return new String(TaskRecordCodec.encode(record), UTF_8);
    }

    @Test
    void random_tasks_and_cancels_survive_a_round_trip() {
        Random random = new Random(7);
        for (int i = 0; i < 5_000; i++) {
            Instant time = Instant.ofEpochMilli(random.nextLong(
                    TaskKey.MIN_SCHEDULED_TIME.toEpochMilli(), TaskKey.MAX_SCHEDULED_TIME.toEpochMilli() + 1));
            TaskKey key = TaskKey.of(RandomStrings.id(random, 10), time, RandomStrings.id(random, 10));
            Map<String, String> data = new LinkedHashMap<>();
            for (int d = random.nextInt(4); d > 0; d--) {
                data.put(RandomStrings.any(random, 6), RandomStrings.any(random, 20));
            }
            TaskRecord record = random.nextInt(4) == 0 ? new CancelTask(key) : new ScheduleTask(Task.of(key, data));

            assertThat(TaskRecordCodec.decode(TaskRecordCodec.encode(record)))
                    .as("round trip of %s", record)
                    .isEqualTo(record);
        }
    }

    @Test
    void scheduled_time_is_written_in_utc_with_exactly_three_fraction_digits() {
        assertThat(encode(new CancelTask(TaskKey.of("o", Instant.parse("2026-11-27T05:20:00Z"), "u"))))
                .contains("\"scheduledTime\":\"2026-11-27T05:20:00.000Z\"");
        assertThat(encode(new CancelTask(TaskKey.of("o", Instant.parse("0001-01-01T00:00:00.01Z"), "u"))))
                .contains("\"scheduledTime\":\"0001-01-01T00:00:00.010Z\"");
    }

    @Test
    void a_schedule_record_is_written_without_a_type_as_the_original_library_did() {
        assertThat(encode(new ScheduleTask(Task.of(TaskKey.of("o", T, "u"), Map.of("k", "v")))))
                .isEqualTo("{" + KEY_FIELDS + ",\"taskData\":{\"k\":\"v\"},\"version\":1}");
    }

    @Test
    void task_data_is_written_in_code_point_order_so_equal_tasks_encode_equally() {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("\ud83d\ude00", "4");
        data.put("\uffff", "3");
        data.put("b", "2");
        data.put("a", "1");

        assertThat(encode(new ScheduleTask(Task.of(TaskKey.of("o", T, "u"), data))))
                .contains("\"taskData\":{\"a\":\"1\",\"b\":\"2\",\"\uffff\":\"3\",\"\ud83d\ude00\":\"4\"}");
    }

    @Test
    void any_iso_8601_date_time_with_an_offset_is_read_and_truncated_to_milliseconds() {
        assertThat(decode("{\"orderingId\":\"o\",\"scheduledTime\":\"2026-11-27T07:20:37.123456789+02:00\","
                                + "\"uniquenessKey\":\"u\",\"version\":1}")
                        .key()
                        .scheduledTime())
                .isEqualTo(T);
        assertThat(decode("{\"orderingId\":\"o\",\"scheduledTime\":\"2026-11-27T05:20:37Z\","
                                + "\"uniquenessKey\":\"u\",\"version\":1}")
                        .key()
                        .scheduledTime())
                .isEqualTo(Instant.parse("2026-11-27T05:20:37Z"));
        assertThat(decode("{\"orderingId\":\"o\",\"scheduledTime\":\"2026-11-27T05:20:37.1-00:30\","
                                + "\"uniquenessKey\":\"u\",\"version\":1}")
                        .key()
                        .scheduledTime())
                .isEqualTo(Instant.parse("2026-11-27T05:50:37.100Z"));
    }

    @Test
    void fields_may_come_in_any_order_and_unknown_fields_are_ignored() {
        TaskRecord record = decode("{\"version\":1,\"future\":{\"nested\":[1,{\"deep\":null}]},\"uniquenessKey\":\"u\","
                + "\"taskData\":{\"k\":\"v\"},\"scheduledTime\":\"2026-11-27T05:20:37.123Z\",\"extra\":[true],"
                + "\"orderingId\":\"o\"}");

        assertThat(record).isEqualTo(new ScheduleTask(Task.of(TaskKey.of("o", T, "u"), Map.of("k", "v"))));
    }

    @Test
    void a_record_without_type_or_task_data_is_a_schedule_with_no_data() {
        assertThat(decode("{" + KEY_FIELDS + ",\"version\":1}"))
                .isEqualTo(new ScheduleTask(Task.of(TaskKey.of("o", T, "u"), Map.of())));
        assertThat(decode("{\"type\":\"schedule\"," + KEY_FIELDS + ",\"version\":1}"))
                .isEqualTo(new ScheduleTask(Task.of(TaskKey.of("o", T, "u"), Map.of())));
    }

    @Test
    void a_cancel_record_is_read_with_its_key() {
        assertThat(decode("{\"type\":\"cancel\"," + KEY_FIELDS + ",\"version\":1}"))
                .isEqualTo(new CancelTask(TaskKey.of("o", T, "u")));
    }

    @Test
    void a_retry_record_is_written_with_its_type_and_read_back_with_its_key() {
        RetryTask retry = new RetryTask(TaskKey.of("o", T, "u"));
        String json = new String(TaskRecordCodec.encode(retry), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json).startsWith("{\"type\":\"retry\",");
        assertThat(decode("{\"type\":\"retry\"," + KEY_FIELDS + ",\"version\":1}"))
                .isEqualTo(retry);
        assertThat(TaskRecordCodec.decode(TaskRecordCodec.encode(retry))).isEqualTo(retry);
    }

    @Test
    void a_future_version_is_refused_as_such_whatever_its_shape() {
        assertThatThrownBy(() -> decode("{\"version\":7,\"taskData\":[\"changed\"],\"orderingId\":42}"))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("unsupported wire format version 7; this library reads version 1");
        assertThatThrownBy(() -> decode("{\"taskData\":[\"changed\"],\"orderingId\":42,\"version\":2}"))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("unsupported wire format version 2; this library reads version 1");
    }

    static Stream<Arguments> undecodable() {
        String key = KEY_FIELDS;
        return Stream.of(
                Arguments.of("{" + key + "}", "record has no \"version\" field; this library reads version 1"),
                Arguments.of(
                        "{" + key + ",\"version\":\"1\"}",
                        "field \"version\" must be a number but is a string; this library reads version 1"),
                Arguments.of(
                        "{" + key + ",\"version\":1.0}",
                        "unsupported wire format version 1.0; this library reads version 1"),
                Arguments.of(
                        "{" + key + ",\"version\":0}",
                        "unsupported wire format version 0; this library reads version 1"),
                Arguments.of(
                        "{" + key + ",\"version\":99999999999999999999}",
                        "unsupported wire format version 99999999999999999999; this library reads version 1"),
                Arguments.of(
                        "{" + key + ",\"type\":\"reschedule\",\"version\":1}",
                        "unknown record type \"reschedule\"; this library reads \"schedule\" (or no type), \"cancel\" and \"retry\""),
                Arguments.of(
                        "{\"orderingId\":7,\"scheduledTime\":\"2026-11-27T05:20:37.123Z\",\"uniquenessKey\":\"u\",\"version\":1}",
                        "field \"orderingId\" must be a string but is a number"),
                Arguments.of(
                        "{\"orderingId\":\"o\",\"scheduledTime\":null,\"uniquenessKey\":\"u\",\"version\":1}",
                        "field \"scheduledTime\" must be a string but is null"),
                Arguments.of(
                        "{\"orderingId\":\"o\",\"scheduledTime\":1764220837123,\"uniquenessKey\":\"u\",\"version\":1}",
                        "field \"scheduledTime\" must be a string but is a number"),
                Arguments.of(
                        "{\"orderingId\":\"o\",\"scheduledTime\":\"2026-11-27T05:20:37.123Z\",\"version\":1}",
                        "record has no \"uniquenessKey\" field"),
                Arguments.of(
                        "{\"orderingId\":\"o\",\"uniquenessKey\":\"u\",\"version\":1}",
                        "record has no \"scheduledTime\" field"),
                Arguments.of(
                        "{\"orderingId\":\"o\",\"scheduledTime\":\"2026-11-27T05:20:37.123\",\"uniquenessKey\":\"u\",\"version\":1}",
                        "field \"scheduledTime\" is not an ISO-8601 date-time with an offset: \"2026-11-27T05:20:37.123\""),
                Arguments.of(
                        "{\"orderingId\":\"o\",\"scheduledTime\":\"2026-02-30T05:20:37.123Z\",\"uniquenessKey\":\"u\",\"version\":1}",
                        "field \"scheduledTime\" is not an ISO-8601 date-time with an offset: \"2026-02-30T05:20:37.123Z\""),
                Arguments.of(
                        "{\"orderingId\":\"o\",\"scheduledTime\":\"+10000-01-01T00:00:00Z\",\"uniquenessKey\":\"u\",\"version\":1}",
                        "record holds an invalid task: scheduledTime +10000-01-01T00:00:00Z is outside the supported range"),
                Arguments.of(
                        "{\"orderingId\":\" \"," + key.substring(key.indexOf("\"scheduledTime\"")) + ",\"version\":1}",
                        "record holds an invalid task: orderingId must not be blank"),
                Arguments.of(
                        "{\"orderingId\":\"\\ud800\"," + key.substring(key.indexOf("\"scheduledTime\""))
                                + ",\"version\":1}",
                        "record holds an invalid task: orderingId has an unpaired surrogate U+D800 at index 0"),
                Arguments.of(
                        "{" + key + ",\"taskData\":[],\"version\":1}",
                        "field \"taskData\" must be an object of strings but is an array"),
                Arguments.of(
                        "{" + key + ",\"taskData\":{\"n\":1},\"version\":1}",
                        "taskData value for key \"n\" must be a string but is a number"),
                Arguments.of(
                        "{" + key + ",\"taskData\":{\"n\":{\"x\":\"y\"}},\"version\":1}",
                        "taskData value for key \"n\" must be a string but is an object"),
                Arguments.of(
                        "{" + key + ",\"orderingId\":\"p\",\"version\":1}",
                        "record is not valid JSON: Duplicate field 'orderingId'"),
                Arguments.of(
                        "{" + key + ",\"taskData\":{\"k\":\"1\",\"k\":\"2\"},\"version\":1}",
                        "record is not valid JSON: Duplicate field 'k'"),
                Arguments.of("{" + key + ",\"version\":1}{}", "record has content after the JSON object"),
                Arguments.of("{" + key + ",\"version\":1", "record is not valid JSON: Unexpected end-of-input"),
                Arguments.of("[1]", "record is not a JSON object but an array"),
                Arguments.of("\"text\"", "record is not a JSON object but a string"),
                Arguments.of("   ", "record holds no JSON value; expected a JSON object"),
                Arguments.of("", "record value is empty; expected a JSON object"),
                Arguments.of("\u00ff\u00fe{", "record is not valid JSON"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("undecodable")
    void undecodable_records_are_refused_with_a_message_naming_the_problem(String json, String message) {
        assertThatThrownBy(() -> decode(json))
                .isInstanceOf(WireFormatException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void a_null_value_such_as_a_tombstone_is_refused() {
        assertThatThrownBy(() -> TaskRecordCodec.decode(null))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("record has no value (null); expected a JSON object");
    }

    @Test
    void encoding_null_is_refused() {
        assertThatThrownBy(() -> TaskRecordCodec.encode(null)).isInstanceOf(InvalidTaskException.class);
    }
}
