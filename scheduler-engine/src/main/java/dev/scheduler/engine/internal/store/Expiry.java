package dev.scheduler.engine.internal.store;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.scheduler.client.TaskKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * Makes a finished row expire whole. A pending row is only {@code task_data} (and a retry's cells), written
 * without a TTL; a cancel sets a TTL on the status alone, and a key scheduled again after it finished gets its
 * {@code task_data} rewritten without one. Once such a status expired, what is left reads as a pending task: a
 * cancelled or finished task would run. So the cells a row still holds without a TTL are rewritten with the
 * TTL its status has left: after every cancel (also one answered "cancelled already", which may be the replay
 * of a cancel whose rewrite never happened), and whenever a load or a read meets a finished row whose data has
 * no TTL. Read then write: idempotent, and cheap enough for the rare rows it concerns; persisting a task costs
 * nothing more.
 */
final class Expiry {

    /** Cassandra's limit on a TTL: 20 years. */
    static final long MAX_TTL_SECONDS = 630_720_000L;

    /** The row's cells besides its key and its status. */
    private static final List<String> CELLS = List.of(
            "task_data",
            "attempts",
            "next_attempt_at",
            "last_error",
            "updated_at",
            "started_at",
            "finished_at",
            "result");

    private final CqlSession session;
    private final ConsistencyLevel read;
    private final ConsistencyLevel write;
    private final PreparedStatement readCells;
    private final PreparedStatement rewrite;

    /** Prepares statements: blocking, call at start. */
    Expiry(CqlSession session, Cql cql, ConsistencyLevel read, ConsistencyLevel write) {
        this.session = session;
        this.read = read;
        this.write = write;
        StringBuilder select = new StringBuilder("SELECT status, TTL(status) AS status_ttl");
        StringBuilder set = new StringBuilder();
        for (String cell : CELLS) {
            select.append(", ")
                    .append(cell)
                    .append(", TTL(")
                    .append(cell)
                    .append(") AS ")
                    .append(cell + "_ttl")
                    .append(", WRITETIME(")
                    .append(cell)
                    .append(") AS ")
                    .append(cell + "_written");
            set.append(set.length() == 0 ? " SET " : ", ").append(cell).append(" = ?");
        }
        readCells = session.prepare(select + " FROM " + cql.table("tasks") + Cql.TASK_KEY);
        rewrite = session.prepare("UPDATE " + cql.table("tasks") + " USING TTL ? AND TIMESTAMP ?" + set + Cql.TASK_KEY);
    }

    /**
     * The TTL of a cancel: the retention, counted from the task's time when that is later than now. A cancelled
     * task due further ahead than the retention thus stays cancelled until the loader reaches it, so that a
     * schedule of the key stored after the cancel (whose data has no TTL) is met, and made to expire, while the
     * status still says CANCELLED.
     */
    static int cancelTtl(long retentionSeconds, Instant now, Instant scheduledTime) {
        long ahead = Math.max(0, Duration.between(now, scheduledTime).toSeconds());
        return (int) Math.min(MAX_TTL_SECONDS, retentionSeconds + ahead);
    }

    /**
     * True for a row of {@link Cql#TASK_COLUMNS} that is finished but whose data has no TTL: a key scheduled
     * again after it finished, or a cancel whose rewrite did not happen (written by an older engine).
     */
    static boolean outlivesStatus(Row row) {
        return !row.isNull("status") && !row.isNull("status_ttl") && !row.isNull("task_data") && row.isNull("data_ttl");
    }

    /**
     * Rewrites the row's cells that would outlive its status with the TTL the status has left (a second less, so
     * that no cell outlives it). Nothing to do for a row not stored, or one that expires whole already. Fails when
     * the row reads pending (a cancel not visible yet to a read at a weak consistency, or an operator's retry just
     * reset it): the caller retries, and finds what is true then.
     */
    CompletionStage<Void> expireWithStatus(int partition, long bucket, TaskKey k) {
        BoundStatement s = readCells
                .bind(partition, bucket, k.scheduledTime(), k.orderingId(), k.uniquenessKey())
                .setConsistencyLevel(read);
        return session.executeAsync(s).thenCompose(rs -> {
            Row row = rs.one();
            if (row == null) {
                return CompletableFuture.completedFuture(null); // never stored, or expired whole already
            }
            if (row.isNull("status")) {
                return CompletableFuture.failedFuture(
                        new IllegalStateException("task " + k + " on partition " + partition
                                + " reads pending after it finished or was cancelled (a read at a weak consistency?)"));
            }
            if (row.isNull("status_ttl")) {
                return CompletableFuture.completedFuture(null); // a status written by hand: it never expires
            }
            int statusTtl = row.getInt("status_ttl");
            // Only the cells that would outlive the status are rewritten.
            return rewrite(
                    partition,
                    bucket,
                    k,
                    row,
                    Math.max(1, statusTtl - 1),
                    cell -> row.isNull(cell + "_ttl") || row.getInt(cell + "_ttl") > statusTtl);
        });
    }

    /**
     * The opposite, after an operator's retry reset a FAILED row to pending: its cells, written with a TTL when it
     * failed, are rewritten without one, so that the pending task keeps its data however long it waits. Nothing to
     * do for a row that is not pending (it ran and finished meanwhile) or not stored.
     */
    CompletionStage<Void> keepWhilePending(int partition, long bucket, TaskKey k) {
        BoundStatement s = readCells
                .bind(partition, bucket, k.scheduledTime(), k.orderingId(), k.uniquenessKey())
                .setConsistencyLevel(read);
        return session.executeAsync(s).thenCompose(rs -> {
            Row row = rs.one();
            if (row == null || !row.isNull("status")) {
                return CompletableFuture.completedFuture(null);
            }
            return rewrite(partition, bucket, k, row, 0, cell -> !row.isNull(cell + "_ttl"));
        });
    }

    /**
     * Writes the chosen cells of a row read by {@link #readCells} again, with their values, a new TTL (0: none),
     * and the timestamp of the newest of them plus one: the rewrite replaces exactly what was read, and loses to
     * any write made since (a task's outcome, a schedule of the key), which then stands as written.
     */
    private CompletionStage<Void> rewrite(
            int partition, long bucket, TaskKey k, Row row, int ttl, Predicate<String> chosen) {
        BoundStatement w = rewrite.bind()
                .setInt(0, ttl)
                .setInt(CELLS.size() + 2, partition)
                .setLong(CELLS.size() + 3, bucket)
                .setInstant(CELLS.size() + 4, k.scheduledTime())
                .setString(CELLS.size() + 5, k.orderingId())
                .setString(CELLS.size() + 6, k.uniquenessKey());
        long newest = Long.MIN_VALUE;
        for (int i = 0; i < CELLS.size(); i++) {
            String cell = CELLS.get(i);
            // Cells left unset are not written.
            if (!row.isNull(cell) && chosen.test(cell)) {
                w = w.setBytesUnsafe(i + 2, row.getBytesUnsafe(cell));
                newest = Math.max(newest, row.getLong(cell + "_written"));
            }
        }
        if (newest == Long.MIN_VALUE) {
            return CompletableFuture.completedFuture(null);
        }
        return session.executeAsync(
                        w.setLong(1, newest + 1).setConsistencyLevel(write).setIdempotent(true))
                .thenApply(done -> (Void) null);
    }
}
