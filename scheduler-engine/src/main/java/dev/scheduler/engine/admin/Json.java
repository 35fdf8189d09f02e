package dev.scheduler.engine.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.scheduler.client.TaskKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The admin API's JSON, written and read with jackson-core's streaming API (no data binding, no reflection): the
 * error document, the field writers the answers share (their documents are {@link JsonViews}) and the POST bodies.
 */
final class Json {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(8)
                    .maxStringLength(1 << 16)
                    .build())
            .build();

    private Json() {}

    /** Writes one JSON document. */
    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    static byte[] bytes(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] error(String message) {
        return bytes(g -> {
            g.writeStartObject();
            g.writeStringField("error", message);
            g.writeEndObject();
        });
    }

    static void time(JsonGenerator g, String field, Instant t) throws IOException {
        if (t == null) {
            g.writeNullField(field);
        } else {
            g.writeStringField(field, t.toString());
        }
    }

    static void millis(JsonGenerator g, String field, Duration d) throws IOException {
        g.writeNumberField(field, d.toNanos() / 1_000_000.0);
    }

    static void key(JsonGenerator g, String field, TaskKey k) throws IOException {
        if (k == null) {
            g.writeNullField(field);
            return;
        }
        g.writeObjectFieldStart(field);
        g.writeStringField("orderingId", k.orderingId());
        g.writeStringField("scheduledTime", k.scheduledTime().toString());
        g.writeStringField("uniquenessKey", k.uniquenessKey());
        g.writeEndObject();
    }

    /**
     * Reads a flat JSON object of string (or null) fields, as the POST bodies are.
     *
     * @throws IllegalArgumentException naming what is wrong with the body
     */
    static Map<String, String> flatObject(byte[] body) {
        Map<String, String> fields = new HashMap<>();
        try (JsonParser p = FACTORY.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("the request body must be a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_STRING) {
                    fields.put(name, p.getText());
                } else if (value != JsonToken.VALUE_NULL) {
                    throw new IllegalArgumentException("field '" + name + "' must be a string");
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new IllegalArgumentException("the request body must be one JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("the request body could not be read: " + e.getMessage());
        }
        return fields;
    }
}
