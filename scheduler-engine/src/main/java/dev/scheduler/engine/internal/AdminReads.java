package dev.scheduler.engine.internal;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskStatus;
import dev.scheduler.engine.admin.DeadLetterRecord;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The reads of the admin API and of the stale-task scan: range reads of one (partition, bucket) at a time, small
 * whole-table reads of the per-partition tables, and dead letters. Blocking: called on the engine's admin
 * threads only, never on an actor or driver thread.
 */
final class AdminReads {

    /** A partition's owner row. */
    record Owner(long epoch, String owner, Instant claimedAt, boolean released) {
    }

    /**
     * Unfinished tasks due before a threshold, as far as a bounded scan got.
     *
     * @param capped true when the scan stopped at its bound before reaching the threshold
     */
    record Overdue(int count, boolean capped, TaskKey oldest, Instant oldestDueAt) {
        static final Overdue NONE = new Overdue(0, false, null, null);
    }

    private static final String ROW_COLUMNS =
            "scheduled_time, ordering_id, uniqueness_key, task_data, status, attempts, next_attempt_at, last_error";
    private static final String LIGHT_COLUMNS = "scheduled_time, ordering_id, uniqueness_key, status, next_attempt_at";

    private final CqlSession session;
    private final String keyspace;
    private final long bucketMillis;
    private final ConsistencyLevel read;
    private final PreparedStatement rowsFrom;
    private final PreparedStatement rowsAfter;
    private final PreparedStatement lightFrom;
    private final PreparedStatement lightAfter;
    private final PreparedStatement checkpoint;
    private final PreparedStatement deadLetters;

    /** Prepares statements: blocking, call at start. */
    AdminReads(CqlSession session, String keyspace, long bucketMillis, ConsistencyLevel read) {
        this.session = session;
        this.keyspace = keyspace;
        this.bucketMillis = bucketMillis;
        this.read = read;
        String range = " FROM " + keyspace + ".tasks WHERE partition = ? AND bucket = ?"
                + " AND (scheduled_time, ordering_id, uniqueness_key) %s (?, ?, ?) AND scheduled_time < ? LIMIT ?";
        rowsFrom = session.prepare("SELECT " + ROW_COLUMNS + String.format(range, ">="));
        rowsAfter = session.prepare("SELECT " + ROW_COLUMNS + String.format(range, ">"));
        lightFrom = session.prepare("SELECT " + LIGHT_COLUMNS + String.format(range, ">="));
        lightAfter = session.prepare("SELECT " + LIGHT_COLUMNS + String.format(range, ">"));
        checkpoint = session.prepare("SELECT checkpoint FROM " + keyspace + ".partition_checkpoints WHERE partition = ?");
        deadLetters = session.prepare("SELECT partition, kafka_offset, received_at, reason, record_key, raw FROM "
                + keyspace + ".dead_letters WHERE partition = ? AND kafka_offset > ? LIMIT ?");
    }

    long bucketOf(long epochMillis) {
        return Math.floorDiv(epochMillis, bucketMillis);
    }

    /**
     * Task rows of one (partition, bucket) scheduled in {@code [fromMillis, toMillis)}, after {@code after} when
     * given (exclusive), in key order, at most {@code limit}.
     */
    List<StoredTask> bucketRows(int partition, long bucket, TaskKey after, long fromMillis, long toMillis, int limit) {
        ResultSet rs = session.execute((after == null
                ? rowsFrom.bind(partition, bucket, Instant.ofEpochMilli(fromMillis), "", "", Instant.ofEpochMilli(toMillis), limit)
                : rowsAfter.bind(partition, bucket, after.scheduledTime(), after.orderingId(), after.uniquenessKey(),
                        Instant.ofEpochMilli(toMillis), limit))
                .setConsistencyLevel(read).setPageSize(limit));
        List<StoredTask> rows = new ArrayList<>();
        for (Row row : rs) {
            Map<String, String> data = row.getMap("task_data", String.class, String.class);
            rows.add(new StoredTask(Task.of(key(row), data == null ? Map.of() : data), status(row),
                    row.isNull("attempts") ? 0 : row.getInt("attempts"), row.getInstant("next_attempt_at"),
                    row.getString("last_error")));
        }
        return rows;
    }

    /**
     * Scans a partition from its checkpoint for unfinished tasks due before {@code threshold}: at most
     * {@code maxQueries} bucket reads and {@code maxRows} rows.
     */
    Overdue overdue(int partition, Instant checkpoint, Instant threshold, int maxQueries, int maxRows) {
        if (checkpoint == null || !checkpoint.isBefore(threshold)) {
            return Overdue.NONE;
        }
        long from = checkpoint.toEpochMilli();
        long to = threshold.toEpochMilli();
        long bucket = bucketOf(from);
        long lastBucket = bucketOf(to - 1);
        TaskKey after = null;
        int queries = 0;
        int rows = 0;
        int count = 0;
        TaskKey oldest = null;
        Instant oldestDue = null;
        while (bucket <= lastBucket) {
            if (queries >= maxQueries || rows >= maxRows) {
                return new Overdue(count, true, oldest, oldestDue);
            }
            int limit = Math.min(1_000, maxRows - rows);
            ResultSet rs = session.execute((after == null
                    ? lightFrom.bind(partition, bucket, Instant.ofEpochMilli(from), "", "", threshold, limit)
                    : lightAfter.bind(partition, bucket, after.scheduledTime(), after.orderingId(),
                            after.uniquenessKey(), threshold, limit))
                    .setConsistencyLevel(read).setPageSize(limit));
            queries++;
            int got = 0;
            for (Row row : rs) {
                got++;
                rows++;
                after = key(row);
                if (status(row) != TaskStatus.PENDING) {
                    continue;
                }
                Instant next = row.getInstant("next_attempt_at");
                Instant due = next != null && next.isAfter(after.scheduledTime()) ? next : after.scheduledTime();
                if (due.isBefore(threshold)) {
                    count++;
                    if (oldestDue == null || due.isBefore(oldestDue)) {
                        oldest = after;
                        oldestDue = due;
                    }
                }
            }
            if (got < limit) {
                bucket++;
                after = null;
            }
        }
        return new Overdue(count, false, oldest, oldestDue);
    }

    Optional<Instant> checkpoint(int partition) {
        Row row = session.execute(checkpoint.bind(partition).setConsistencyLevel(read)).one();
        return row == null ? Optional.empty() : Optional.ofNullable(row.getInstant("checkpoint"));
    }

    /** Every partition's checkpoint (a small table: one row per partition). */
    Map<Integer, Instant> checkpoints() {
        Map<Integer, Instant> result = new HashMap<>();
        for (Row row : session.execute(SimpleStatement.newInstance("SELECT partition, checkpoint FROM " + keyspace
                + ".partition_checkpoints").setConsistencyLevel(read))) {
            result.put(row.getInt("partition"), row.getInstant("checkpoint"));
        }
        return result;
    }

    /** Every partition's owner row; empty if the keyspace predates ownership (no partition_owners table). */
    Map<Integer, Owner> owners() {
        Map<Integer, Owner> result = new HashMap<>();
        try {
            for (Row row : session.execute(SimpleStatement.newInstance("SELECT partition, epoch, owner, claimed_at, "
                    + "released FROM " + keyspace + ".partition_owners").setConsistencyLevel(read))) {
                result.put(row.getInt("partition"), new Owner(row.getLong("epoch"), row.getString("owner"),
                        row.getInstant("claimed_at"), !row.isNull("released") && row.getBoolean("released")));
            }
        } catch (InvalidQueryException e) {
            return Map.of();
        }
        return result;
    }

    /** Dead letters of one partition after {@code afterOffset}, by offset, at most {@code limit}. */
    List<DeadLetterRecord> deadLetters(int partition, long afterOffset, int limit) {
        List<DeadLetterRecord> result = new ArrayList<>();
        for (Row row : session.execute(deadLetters.bind(partition, afterOffset, limit).setConsistencyLevel(read)
                .setPageSize(limit))) {
            ByteBuffer raw = row.getByteBuffer("raw");
            result.add(new DeadLetterRecord(row.getInt("partition"), row.getLong("kafka_offset"),
                    row.getInstant("received_at"), row.getString("reason"), row.getString("record_key"),
                    raw == null ? null : text(raw), raw == null ? -1 : raw.remaining()));
        }
        return result;
    }

    private static String text(ByteBuffer raw) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(raw.duplicate()).toString();
            return s.length() <= DeadLetterRecord.MAX_RAW_TEXT ? s : s.substring(0, DeadLetterRecord.MAX_RAW_TEXT);
        } catch (java.nio.charset.CharacterCodingException e) {
            return null; // cannot happen with REPLACE
        }
    }

    private static TaskKey key(Row row) {
        return TaskKey.of(row.getString("ordering_id"), row.getInstant("scheduled_time"),
                row.getString("uniqueness_key"));
    }

    private static TaskStatus status(Row row) {
        String s = row.getString("status");
        return s == null ? TaskStatus.PENDING : TaskStatus.valueOf(s);
    }
}
