package dev.scheduler.client.wire;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The wire format pinned down in files: each record must encode to exactly the bytes of its file and
 * decode back from them. A change that breaks one of these breaks compatibility with records already on
 * a topic, or with the original library's.
 */
class GoldenFilesTest {

    static Stream<Arguments> records() {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("to", "ada@example.com"); // encoded in sorted order whatever the insertion order
        data.put("channel", "email");
        data.put("attempt", "1");
        return Stream.of(
                Arguments.of(
                        "schedule-with-data.json",
                        new ScheduleTask(
                                Task.of("order-42", Instant.parse("2026-11-27T05:20:37.123Z"), "reminder", data))),
                Arguments.of(
                        "schedule-unicode-ids.json",
                        new ScheduleTask(Task.of(
                                "customer \"Zoë\", ☃ \ud83d\ude80",
                                Instant.parse("2026-11-27T05:20:37Z"),
                                "line\nbreak\ttab\\back\u0001slash,\ud83d\ude00",
                                Map.of("emoji \ud83e\uddd1", "say \"hi\", then leave\u2028")))),
                Arguments.of(
                        "schedule-without-data.json",
                        new ScheduleTask(
                                Task.of("order-42", Instant.parse("1999-12-31T23:59:59.999Z"), "u", Map.of()))),
                // As the original PagerDuty scheduler wrote it (its TaskSpec pins this shape): no "type", version last.
                Arguments.of(
                        "original-library.json",
                        new ScheduleTask(Task.of(
                                "6a0b2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b",
                                Instant.ofEpochSecond(1454982072L, 959_000_000),
                                "0f9e8d7c-6b5a-4c3d-2e1f-0a9b8c7d6e5f",
                                Map.of("data", "moreData")))),
                Arguments.of(
                        "cancel.json",
                        new CancelTask(TaskKey.of("order-42", Instant.parse("2026-11-27T05:20:37.123Z"), "reminder"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("records")
    void record_encodes_to_exactly_the_golden_bytes(String file, TaskRecord record) throws IOException {
        assertThat(new String(TaskRecordCodec.encode(record), UTF_8)).isEqualTo(new String(golden(file), UTF_8));
        assertThat(TaskRecordCodec.encode(record)).isEqualTo(golden(file));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("records")
    void golden_bytes_decode_to_the_record(String file, TaskRecord record) throws IOException {
        assertThat(TaskRecordCodec.decode(golden(file))).isEqualTo(record);
    }

    static Stream<Arguments> badRecords() {
        return Stream.of(
                Arguments.of("bad/version-2.json", "unsupported wire format version 2; this library reads version 1"),
                Arguments.of("bad/not-json.txt", "record is not valid JSON: Unrecognized token 'orderingId'"),
                Arguments.of("bad/missing-ordering-id.json", "record has no \"orderingId\" field"),
                Arguments.of(
                        "bad/bad-time.json",
                        "field \"scheduledTime\" is not an ISO-8601 date-time with an offset: \"27/11/2026 05:20\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRecords")
    void bad_golden_bytes_are_refused_with_a_message_naming_the_problem(String file, String message)
            throws IOException {
        byte[] bytes = golden(file);

        assertThatThrownBy(() -> TaskRecordCodec.decode(bytes))
                .isInstanceOf(WireFormatException.class)
                .hasMessageStartingWith(message);
    }

    private static byte[] golden(String file) throws IOException {
        try (InputStream in = GoldenFilesTest.class.getResourceAsStream("/golden/" + file)) {
            assertThat(in).as("golden file %s", file).isNotNull();
            return in.readAllBytes();
        }
    }
}
