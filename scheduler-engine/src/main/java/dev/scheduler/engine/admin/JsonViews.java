package dev.scheduler.engine.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.AttemptInfo;
import dev.scheduler.engine.TaskInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The documents the admin API answers with, written field by field (the helpers for times, durations and keys
 * are {@link Json}'s). Their field names are the API of docs/operations.md, read by the dashboard and by
 * operators' scripts: a rename or a reorder here is a change of the API.
 */
final class JsonViews {

    private JsonViews() {}

    static void health(JsonGenerator g, Health h) throws IOException {
        g.writeStartObject();
        g.writeBooleanField("live", h.live());
        g.writeBooleanField("ready", h.ready());
        g.writeArrayFieldStart("problems");
        for (String p : h.problems()) {
            g.writeString(p);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("warnings");
        for (String w : h.warnings()) {
            g.writeString(w);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    static void overview(JsonGenerator g, Overview o) throws IOException {
        g.writeStartObject();
        g.writeStringField("topic", o.topic());
        g.writeStringField("groupId", o.groupId());
        g.writeStringField("instanceId", o.instanceId());
        g.writeNumberField("partitionCount", o.partitionCount());
        g.writeArrayFieldStart("ownedPartitions");
        for (int p : o.ownedPartitions()) {
            g.writeNumber(p);
        }
        g.writeEndArray();
        g.writeFieldName("health");
        health(g, o.health());
        Activity a = o.activity();
        g.writeObjectFieldStart("activity");
        Json.millis(g, "windowMs", a.window());
        g.writeNumberField("attemptsStarted", a.attemptsStarted());
        g.writeNumberField("attemptsSucceeded", a.attemptsSucceeded());
        g.writeNumberField("attemptsFailed", a.attemptsFailed());
        g.writeNumberField("attemptsTimedOut", a.attemptsTimedOut());
        g.writeNumberField("finishedPerSecond", a.finishedPerSecond());
        percentiles(g, "latenessMs", a.lateness());
        percentiles(g, "durationMs", a.duration());
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void percentiles(JsonGenerator g, String field, Activity.Percentiles p) throws IOException {
        g.writeObjectFieldStart(field);
        g.writeNumberField("samples", p.samples());
        Json.millis(g, "p50", p.p50());
        Json.millis(g, "p90", p.p90());
        Json.millis(g, "p99", p.p99());
        Json.millis(g, "p999", p.p999());
        Json.millis(g, "max", p.max());
        g.writeEndObject();
    }

    static void partitions(JsonGenerator g, Duration overdueAfter, List<PartitionView> views) throws IOException {
        g.writeStartObject();
        g.writeStringField("overdueAfter", overdueAfter.toString());
        g.writeArrayFieldStart("partitions");
        for (PartitionView v : views) {
            g.writeStartObject();
            g.writeNumberField("partition", v.partition());
            g.writeStringField("owner", v.owner());
            nullable(g, "ownerEpoch", v.ownerEpoch());
            Json.time(g, "claimedAt", v.claimedAt());
            g.writeBooleanField("released", v.released());
            g.writeBooleanField("ownedHere", v.ownedHere());
            nullable(g, "healthy", v.healthy());
            nullable(g, "tasksInMemory", v.tasksInMemory());
            nullable(g, "unpersistedRecords", v.unpersistedRecords());
            nullable(g, "durableOffset", v.durableOffset());
            nullable(g, "consumerLag", v.consumerLag());
            Json.time(g, "checkpoint", v.checkpoint());
            g.writeNumberField("overdueTasks", v.overdueTasks());
            g.writeBooleanField("overdueCountCapped", v.overdueCountCapped());
            Json.key(g, "oldestOverdue", v.oldestOverdue());
            Json.time(g, "oldestOverdueDueAt", v.oldestOverdueDueAt());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void nullable(JsonGenerator g, String field, Object value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else if (value instanceof Boolean b) {
            g.writeBooleanField(field, b);
        } else {
            g.writeNumberField(field, ((Number) value).longValue());
        }
    }

    static void task(JsonGenerator g, TaskInfo t) throws IOException {
        g.writeStartObject();
        Json.key(g, "key", t.task().key());
        g.writeNumberField("partition", t.partition());
        g.writeStringField("status", t.status().name());
        g.writeNumberField("attempts", t.attempts());
        Json.time(g, "nextAttemptAt", t.nextAttemptAt());
        g.writeStringField("lastError", t.lastError());
        g.writeObjectFieldStart("data");
        for (Map.Entry<String, String> e : t.task().data().entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
        g.writeArrayFieldStart("history");
        for (AttemptInfo a : t.history()) {
            g.writeStartObject();
            g.writeNumberField("attempt", a.attempt());
            Json.time(g, "startedAt", a.startedAt());
            Json.time(g, "finishedAt", a.finishedAt());
            g.writeStringField("result", a.result());
            g.writeStringField("errorClass", a.errorClass());
            g.writeStringField("errorMessage", a.errorMessage());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    static void taskPage(JsonGenerator g, TaskQuery q, TaskPage page) throws IOException {
        g.writeStartObject();
        Json.time(g, "from", q.from());
        Json.time(g, "to", q.to());
        g.writeArrayFieldStart("tasks");
        for (TaskInfo t : page.tasks()) {
            task(g, t);
        }
        g.writeEndArray();
        g.writeStringField("nextPageToken", page.nextPageToken());
        g.writeNumberField("rowsScanned", page.rowsScanned());
        g.writeEndObject();
    }

    static void deadLetters(JsonGenerator g, DeadLetterPage page) throws IOException {
        g.writeStartObject();
        g.writeArrayFieldStart("records");
        for (DeadLetterRecord r : page.records()) {
            g.writeStartObject();
            g.writeNumberField("partition", r.partition());
            g.writeNumberField("offset", r.offset());
            Json.time(g, "receivedAt", r.receivedAt());
            g.writeStringField("reason", r.reason());
            g.writeStringField("recordKey", r.recordKey());
            g.writeStringField("raw", r.rawText());
            g.writeNumberField("rawBytes", r.rawBytes());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeStringField("nextPageToken", page.nextPageToken());
        g.writeEndObject();
    }

    static void accepted(JsonGenerator g, boolean cancel, TaskKey key) throws IOException {
        g.writeStartObject();
        g.writeBooleanField("accepted", true);
        g.writeStringField("action", cancel ? "cancel" : "retry");
        Json.key(g, "key", key);
        g.writeStringField(
                "message",
                cancel
                        ? "the cancel is on the topic; the partition's owner drops the task if it has not started"
                        : "the retry is on the topic; the partition's owner runs the task again now");
        g.writeEndObject();
    }
}
