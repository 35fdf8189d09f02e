package dev.scheduler.engine.internal.store;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
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
public final class AdminReads {

    /**
     * Unfinished tasks due before a threshold, as far as a bounded scan got.
     *
     * @param capped true when the scan stopped at its bound before reaching the threshold
     */
    public record Overdue(int count, boolean capped, TaskKey oldest, Instant oldestDueAt) {
        static final Overdue NONE = new Overdue(0, false, null, null);
    }

    private final CqlSession session;
    private final Cql cql;
    private final Buckets buckets;
    private final ConsistencyLevel read;
    private final PreparedStatement rowsFrom;
    private final PreparedStatement rowsAfter;
    private final PreparedStatement lightFrom;
    private final PreparedStatement lightAfter;
    private final PreparedStatement checkpoint;
    private final PreparedStatement deadLetters;

    /** Prepares statements: blocking, call at start. */
    public AdminReads(CqlSession session, String keyspace, Buckets buckets, ConsistencyLevel read) {
        this.session = session;
        this.cql = new Cql(keyspace);
        this.buckets = buckets;
        this.read = read;
        rowsFrom = session.prepare(cql.taskRange(Cql.TASK_COLUMNS, false));
        rowsAfter = session.prepare(cql.taskRange(Cql.TASK_COLUMNS, true));
        lightFrom = session.prepare(cql.taskRange(Cql.STATE_COLUMNS, false));
        lightAfter = session.prepare(cql.taskRange(Cql.STATE_COLUMNS, true));
        checkpoint = session.prepare(cql.readCheckpoint());
        deadLetters = session.prepare("SELECT partition, kafka_offset, received_at, reason, record_key, raw FROM "
                + cql.table("dead_letters") + " WHERE partition = ? AND kafka_offset > ? LIMIT ?");
    }

    public Buckets buckets() {
        return buckets;
    }

    /**
     * Task rows of one (partition, bucket) scheduled in {@code [fromMillis, toMillis)}, after {@code after} when
     * given (exclusive), in key order, at most {@code limit}.
     */
    public List<StoredTask> bucketRows(
            int partition, long bucket, TaskKey after, long fromMillis, long toMillis, int limit) {
        ResultSet rs = session.execute((after == null
                        ? rowsFrom.bind(
                                partition,
                                bucket,
                                Instant.ofEpochMilli(fromMillis),
                                "",
                                "",
                                Instant.ofEpochMilli(toMillis),
                                limit)
                        : rowsAfter.bind(
                                partition,
                                bucket,
                                after.scheduledTime(),
                                after.orderingId(),
                                after.uniquenessKey(),
                                Instant.ofEpochMilli(toMillis),
                                limit))
                .setConsistencyLevel(read)
                .setPageSize(limit));
        List<StoredTask> rows = new ArrayList<>();
        for (Row row : rs) {
            rows.add(Rows.storedTask(row));
        }
        return rows;
    }

    /**
     * Scans a partition from its checkpoint for unfinished tasks due before {@code threshold}: at most
     * {@code maxQueries} bucket reads and {@code maxRows} rows.
     */
    public Overdue overdue(int partition, Instant checkpoint, Instant threshold, int maxQueries, int maxRows) {
        if (checkpoint == null || !checkpoint.isBefore(threshold)) {
            return Overdue.NONE;
        }
        long from = checkpoint.toEpochMilli();
        long to = threshold.toEpochMilli();
        long bucket = buckets.bucketOf(from);
        long lastBucket = buckets.bucketOf(to - 1);
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
                            : lightAfter.bind(
                                    partition,
                                    bucket,
                                    after.scheduledTime(),
                                    after.orderingId(),
                                    after.uniquenessKey(),
                                    threshold,
                                    limit))
                    .setConsistencyLevel(read)
                    .setPageSize(limit));
            queries++;
            int got = 0;
            for (Row row : rs) {
                got++;
                rows++;
                after = Rows.key(row);
                if (Rows.status(row) != TaskStatus.PENDING) {
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

    public Optional<Instant> checkpoint(int partition) {
        Row row = session.execute(checkpoint.bind(partition).setConsistencyLevel(read))
                .one();
        return row == null ? Optional.empty() : Optional.ofNullable(row.getInstant("checkpoint"));
    }

    /** Every partition's checkpoint (a small table: one row per partition). */
    public Map<Integer, Instant> checkpoints() {
        Map<Integer, Instant> result = new HashMap<>();
        for (Row row : session.execute(
                SimpleStatement.newInstance("SELECT partition, checkpoint FROM " + cql.table("partition_checkpoints"))
                        .setConsistencyLevel(read))) {
            result.put(row.getInt("partition"), row.getInstant("checkpoint"));
        }
        return result;
    }

    /** Every partition's owner row; empty if the keyspace predates ownership (no partition_owners table). */
    public Map<Integer, OwnerRow> owners() {
        Map<Integer, OwnerRow> result = new HashMap<>();
        try {
            for (Row row : session.execute(SimpleStatement.newInstance("SELECT partition, epoch, owner, claimed_at, "
                            + "released FROM " + cql.table("partition_owners"))
                    .setConsistencyLevel(read))) {
                result.put(row.getInt("partition"), Rows.owner(row));
            }
        } catch (InvalidQueryException e) {
            return Map.of();
        }
        return result;
    }

    /** Dead letters of one partition after {@code afterOffset}, by offset, at most {@code limit}. */
    public List<DeadLetterRecord> deadLetters(int partition, long afterOffset, int limit) {
        List<DeadLetterRecord> result = new ArrayList<>();
        for (Row row : session.execute(deadLetters
                .bind(partition, afterOffset, limit)
                .setConsistencyLevel(read)
                .setPageSize(limit))) {
            ByteBuffer raw = row.getByteBuffer("raw");
            result.add(new DeadLetterRecord(
                    row.getInt("partition"),
                    row.getLong("kafka_offset"),
                    row.getInstant("received_at"),
                    row.getString("reason"),
                    row.getString("record_key"),
                    raw == null ? null : text(raw),
                    raw == null ? -1 : raw.remaining()));
        }
        return result;
    }

    private static String text(ByteBuffer raw) {
        try {
            String s = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(raw.duplicate())
                    .toString();
            return s.length() <= DeadLetterRecord.MAX_RAW_TEXT ? s : s.substring(0, DeadLetterRecord.MAX_RAW_TEXT);
        } catch (java.nio.charset.CharacterCodingException e) {
            return null; // cannot happen with REPLACE
        }
    }
}
