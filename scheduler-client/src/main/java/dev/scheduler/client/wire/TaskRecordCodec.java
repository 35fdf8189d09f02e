package dev.scheduler.client.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import dev.scheduler.client.InvalidTaskException;
import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.client.internal.Text;
import dev.scheduler.client.internal.Utf8;
import dev.scheduler.client.internal.WireTime;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Encodes and decodes {@link TaskRecord}s in wire format version {@value #VERSION}, the JSON the original
 * PagerDuty scheduler wrote, plus a cancel record. {@code docs/wire-format.md} is the full description.
 *
 * <p>A schedule record is written byte for byte as the original wrote it, with taskData keys sorted in
 * code point order so equal tasks encode equally:
 * <pre>{@code {"orderingId":"o","scheduledTime":"2026-11-27T05:20:37.123Z","uniquenessKey":"u","taskData":{"k":"v"},"version":1}}</pre>
 * A cancel record has {@code "type":"cancel"} and no taskData:
 * <pre>{@code {"type":"cancel","orderingId":"o","scheduledTime":"2026-11-27T05:20:37.123Z","uniquenessKey":"u","version":1}}</pre>
 *
 * <p>Reading is strict where a mistake would misplace or misread a task and lenient where the format may
 * grow: any version other than 1 is refused before anything else is judged; fields may come in any
 * order; unknown fields are ignored; a missing {@code type} means schedule; a missing {@code taskData}
 * means no data; {@code scheduledTime} may be any ISO-8601 date-time with an offset and is truncated to
 * milliseconds. Duplicate fields, wrong types, a missing id, time or version, and content after the JSON
 * object are refused. Limits ({@link dev.scheduler.client.TaskLimits}) are not checked here.
 *
 * <p>Stateless and thread-safe. Uses jackson-core's streaming parser and generator only.
 */
public final class TaskRecordCodec {

    /** The wire format version this library writes and the only one it reads. */
    public static final int VERSION = 1;

    static final String VERSION_FIELD = "version";
    static final String TYPE_FIELD = "type";
    static final String ORDERING_ID_FIELD = "orderingId";
    static final String SCHEDULED_TIME_FIELD = "scheduledTime";
    static final String UNIQUENESS_KEY_FIELD = "uniquenessKey";
    static final String TASK_DATA_FIELD = "taskData";
    static final String SCHEDULE_TYPE = "schedule";
    static final String CANCEL_TYPE = "cancel";
    static final String RETRY_TYPE = "retry";

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // Emoji and other supplementary characters as 4 raw UTF-8 bytes, not as two 6-byte escapes.
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .build();

    private TaskRecordCodec() {}

    /**
     * The record as UTF-8 JSON bytes. Cannot fail for a record built from a valid {@link Task} or
     * {@link TaskKey}, which is the only kind there is.
     */
    public static byte[] encode(TaskRecord record) {
        if (record == null) {
            throw new InvalidTaskException("record must not be null");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            if (record instanceof ScheduleTask schedule) {
                // No "type": byte for byte what the original library wrote.
                writeKey(json, schedule.key());
                writeData(json, schedule.task().data());
            } else {
                json.writeStringField(TYPE_FIELD, record instanceof RetryTask ? RETRY_TYPE : CANCEL_TYPE);
                writeKey(json, record.key());
            }
            json.writeNumberField(VERSION_FIELD, VERSION);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }

    private static void writeKey(JsonGenerator json, TaskKey key) throws IOException {
        json.writeStringField(ORDERING_ID_FIELD, key.orderingId());
        json.writeStringField(SCHEDULED_TIME_FIELD, WireTime.format(key.scheduledTime()));
        json.writeStringField(UNIQUENESS_KEY_FIELD, key.uniquenessKey());
    }

    private static void writeData(JsonGenerator json, Map<String, String> data) throws IOException {
        json.writeObjectFieldStart(TASK_DATA_FIELD);
        if (data.size() == 1) {
            Map.Entry<String, String> only = data.entrySet().iterator().next();
            json.writeStringField(only.getKey(), only.getValue());
        } else if (!data.isEmpty()) {
            String[] names = data.keySet().toArray(new String[0]);
            Arrays.sort(names, Utf8::compare);
            for (String name : names) {
                json.writeStringField(name, data.get(name));
            }
        }
        json.writeEndObject();
    }

    /**
     * Reads a record written in wire format version {@value #VERSION}, by this library or by the original
     * PagerDuty scheduler.
     *
     * @param bytes a Kafka record's value; null (a tombstone) is refused like any undecodable value
     * @throws WireFormatException if the bytes are not such a record; the message names the problem
     */
    public static TaskRecord decode(byte[] bytes) {
        if (bytes == null) {
            throw new WireFormatException("record has no value (null); expected a JSON object");
        }
        if (bytes.length == 0) {
            throw new WireFormatException("record value is empty; expected a JSON object");
        }
        try (JsonParser json = JSON.createParser(bytes)) {
            return new Reader(json).read();
        } catch (JsonProcessingException e) {
            throw new WireFormatException(
                    "record is not valid JSON: " + e.getOriginalMessage() + at(e.getLocation()), e);
        } catch (IOException e) {
            throw new WireFormatException("record could not be read: " + e.getMessage(), e);
        }
    }

    private static String at(JsonLocation location) {
        return location == null ? "" : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    /** One decode: the fields seen so far, and the first problem found, reported once the version is known. */
    private static final class Reader {
        private final JsonParser json;
        private boolean versionSeen;
        private String type;
        private String orderingId;
        private String scheduledTime;
        private String uniquenessKey;
        private Map<String, String> data;
        private String problem;

        Reader(JsonParser json) {
            this.json = json;
        }

        TaskRecord read() throws IOException {
            JsonToken token = json.nextToken();
            if (token == null) {
                throw new WireFormatException("record holds no JSON value; expected a JSON object");
            }
            if (token != JsonToken.START_OBJECT) {
                throw new WireFormatException("record is not a JSON object but " + describe(token));
            }
            while ((token = json.nextToken()) == JsonToken.FIELD_NAME) {
                String name = json.currentName();
                JsonToken value = json.nextToken();
                switch (name) {
                    case VERSION_FIELD -> readVersion(value);
                    case TYPE_FIELD -> type = readString(name, value);
                    case ORDERING_ID_FIELD -> orderingId = readString(name, value);
                    case SCHEDULED_TIME_FIELD -> scheduledTime = readString(name, value);
                    case UNIQUENESS_KEY_FIELD -> uniquenessKey = readString(name, value);
                    case TASK_DATA_FIELD -> data = readData(value);
                    default -> json.skipChildren(); // forward compatible within version 1
                }
            }
            if (json.nextToken() != null) {
                throw new WireFormatException("record has content after the JSON object" + at(json.currentLocation()));
            }
            // A record of another version is refused as such, whatever else is wrong with it as version 1.
            if (!versionSeen) {
                throw new WireFormatException("record has no \"version\" field; this library reads version " + VERSION);
            }
            if (problem != null) {
                throw new WireFormatException(problem);
            }
            return build();
        }

        private TaskRecord build() {
            boolean cancel = false;
            boolean retry = false;
            if (type == null || type.equals(SCHEDULE_TYPE)) {
                cancel = false;
            } else if (type.equals(CANCEL_TYPE)) {
                cancel = true;
            } else if (type.equals(RETRY_TYPE)) {
                retry = true;
            } else {
                throw new WireFormatException("unknown record type " + Text.quote(type) + "; this library reads \""
                        + SCHEDULE_TYPE + "\" (or no type), \"" + CANCEL_TYPE + "\" and \"" + RETRY_TYPE + "\"");
            }
            require(ORDERING_ID_FIELD, orderingId);
            require(SCHEDULED_TIME_FIELD, scheduledTime);
            require(UNIQUENESS_KEY_FIELD, uniquenessKey);
            Instant time;
            try {
                time = WireTime.parse(scheduledTime);
            } catch (DateTimeException e) {
                throw new WireFormatException(
                        "field \"scheduledTime\" is not an ISO-8601 date-time with an offset: "
                                + Text.quote(scheduledTime),
                        e);
            }
            try {
                TaskKey key = new TaskKey(orderingId, time, uniquenessKey);
                if (retry) {
                    return new RetryTask(key);
                }
                return cancel ? new CancelTask(key) : new ScheduleTask(new Task(key, data == null ? Map.of() : data));
            } catch (InvalidTaskException e) {
                throw new WireFormatException("record holds an invalid task: " + e.getMessage(), e);
            }
        }

        private void readVersion(JsonToken value) throws IOException {
            versionSeen = true;
            if (value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT) {
                if (value == JsonToken.VALUE_NUMBER_INT
                        && json.getNumberType() == JsonParser.NumberType.INT
                        && json.getIntValue() == VERSION) {
                    return;
                }
                throw new WireFormatException("unsupported wire format version " + json.getText()
                        + "; this library reads version " + VERSION);
            }
            throw new WireFormatException("field \"version\" must be a number but is " + describe(value)
                    + "; this library reads version " + VERSION);
        }

        private String readString(String field, JsonToken value) throws IOException {
            if (value == JsonToken.VALUE_STRING) {
                return json.getText();
            }
            problem("field " + Text.quote(field) + " must be a string but is " + describe(value));
            json.skipChildren();
            return null;
        }

        private Map<String, String> readData(JsonToken value) throws IOException {
            if (value != JsonToken.START_OBJECT) {
                problem("field \"taskData\" must be an object of strings but is " + describe(value));
                json.skipChildren();
                return null;
            }
            Map<String, String> result = new LinkedHashMap<>();
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String name = json.currentName();
                JsonToken entry = json.nextToken();
                if (entry == JsonToken.VALUE_STRING) {
                    result.put(name, json.getText());
                } else {
                    problem("taskData value for key " + Text.quote(name) + " must be a string but is "
                            + describe(entry));
                    json.skipChildren();
                }
            }
            return result;
        }

        private void problem(String description) {
            if (problem == null) {
                problem = description;
            }
        }

        private static void require(String field, String value) {
            if (value == null) {
                throw new WireFormatException("record has no " + Text.quote(field) + " field");
            }
        }

        private static String describe(JsonToken token) {
            return switch (token) {
                case START_OBJECT -> "an object";
                case START_ARRAY -> "an array";
                case VALUE_STRING -> "a string";
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
                case VALUE_TRUE, VALUE_FALSE -> "a boolean";
                case VALUE_NULL -> "null";
                default -> token.asString() == null ? token.name() : token.asString();
            };
        }
    }
}
