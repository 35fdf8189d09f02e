package dev.scheduler.engine.internal.store;

/**
 * The CQL of the engine's reads and writes, in one place, for one keyspace; {@link Schema} has the tables'
 * definitions. The task tables are partitioned by (Kafka partition, time bucket) and clustered by key.
 *
 * <p>A statement's binds are in the order of its text: the statements on one task or attempt end with the five of
 * {@link #TASK_KEY} (and then the attempt number).
 */
final class Cql {

    /** The full primary key of a task row. */
    static final String TASK_KEY =
            " WHERE partition = ? AND bucket = ? AND scheduled_time = ? AND ordering_id = ? AND uniqueness_key = ?";
    /**
     * What a task row holds for scheduling: key, data and state; and the TTLs that tell a finished row whose data
     * would outlive its status ({@link Expiry#outlivesStatus}).
     */
    static final String TASK_COLUMNS =
            "scheduled_time, ordering_id, uniqueness_key, task_data, status, attempts, next_attempt_at, last_error,"
                    + " TTL(status) AS status_ttl, TTL(task_data) AS data_ttl";
    /** The same plus the last finished attempt, for reads of one task. */
    static final String TASK_COLUMNS_WITH_LAST_ATTEMPT = TASK_COLUMNS + ", started_at, finished_at, result";
    /** Enough to tell whether a row is overdue, without its data. */
    static final String STATE_COLUMNS = "scheduled_time, ordering_id, uniqueness_key, status, next_attempt_at";

    private final String keyspace;

    Cql(String keyspace) {
        this.keyspace = keyspace;
    }

    String table(String name) {
        return keyspace + "." + name;
    }

    /**
     * A key-ordered range read of one (partition, bucket): from the bound (at it, or strictly after it when
     * {@code afterBound}) to a scheduled time (excluded), with a limit. Binds: partition, bucket, the bound's
     * time, ordering id and uniqueness key, the end time, the limit.
     */
    String taskRange(String columns, boolean afterBound) {
        return "SELECT " + columns + " FROM " + table("tasks") + " WHERE partition = ? AND bucket = ?"
                + " AND (scheduled_time, ordering_id, uniqueness_key) " + (afterBound ? ">" : ">=")
                + " (?, ?, ?) AND scheduled_time < ? LIMIT ?";
    }

    String persistTask() {
        return "UPDATE " + table("tasks") + " SET task_data = ?" + TASK_KEY;
    }

    String cancelTask() {
        return "UPDATE " + table("tasks") + " USING TTL ? SET status = 'CANCELLED', updated_at = ?" + TASK_KEY
                + " IF status = null";
    }

    String finishTask() {
        return "UPDATE " + table("tasks") + " USING TTL ? SET task_data = ?, status = ?, attempts = ?,"
                + " next_attempt_at = null, last_error = ?, updated_at = ?, started_at = ?, finished_at = ?, result = ?"
                + TASK_KEY;
    }

    String retryTask() {
        return "UPDATE " + table("tasks") + " SET attempts = ?, next_attempt_at = ?, last_error = ?, updated_at = ?"
                + TASK_KEY;
    }

    /** Binds the request's time twice: as the new updated_at (its mark) and as the bound on the failure's end. */
    String resetFailedTask() {
        return "UPDATE " + table("tasks") + " SET status = null, next_attempt_at = null, updated_at = ?" + TASK_KEY
                + " IF status = 'FAILED' AND updated_at < ?";
    }

    String readTask() {
        return "SELECT " + TASK_COLUMNS_WITH_LAST_ATTEMPT + " FROM " + table("tasks") + TASK_KEY;
    }

    String writeAttempt() {
        return "UPDATE " + table("task_attempts") + " USING TTL ? SET started_at = ?, finished_at = ?, result = ?,"
                + " error_class = ?, error_message = ?" + TASK_KEY + " AND attempt = ?";
    }

    String writeAttemptStart() {
        return "UPDATE " + table("task_attempts") + " USING TTL ? SET started_at = ?" + TASK_KEY + " AND attempt = ?";
    }

    /** Every attempt row of one task. */
    String readAttempts() {
        return "SELECT attempt, started_at, finished_at, result, error_class, error_message FROM "
                + table("task_attempts") + TASK_KEY;
    }

    String readCheckpoint() {
        return "SELECT checkpoint FROM " + table("partition_checkpoints") + " WHERE partition = ?";
    }

    String writeCheckpoint() {
        return "UPDATE " + table("partition_checkpoints") + " SET checkpoint = ?, updated_at = ? WHERE partition = ?";
    }

    String readOwner() {
        return "SELECT epoch, owner, claimed_at, released, indexed_epoch, indexed_since FROM "
                + table("partition_owners") + " WHERE partition = ?";
    }

    /** The owner rows of several partitions, for lease renewals ({@link LeaseReads}). Binds: a list of partitions. */
    String readOwners() {
        return "SELECT partition, epoch, owner, claimed_at, released FROM " + table("partition_owners")
                + " WHERE partition IN ?";
    }

    /**
     * The first claim of a partition: epoch 1, if no owner row exists. Every claim of this version records that
     * its claimer indexes buckets ({@link BucketIndex}); claims of engines before schema version 3 leave the two
     * columns as they were.
     */
    String claimFirst() {
        return "INSERT INTO " + table("partition_owners")
                + " (partition, epoch, owner, claimed_at, released, indexed_epoch, indexed_since)"
                + " VALUES (?, 1, ?, ?, false, 1, 0) IF NOT EXISTS";
    }

    /** A claim of a partition at the next epoch, if the epoch is still the one read. */
    String claimNext() {
        return "UPDATE " + table("partition_owners") + " SET epoch = ?, owner = ?, claimed_at = ?, released = false,"
                + " indexed_epoch = ?, indexed_since = ? WHERE partition = ? IF epoch = ?";
    }

    /** A claim of a partition whose owner row exists without an epoch (read as epoch 0). */
    String claimUnset() {
        return "UPDATE " + table("partition_owners") + " SET epoch = ?, owner = ?, claimed_at = ?, released = false,"
                + " indexed_epoch = ?, indexed_since = ? WHERE partition = ? IF epoch = null";
    }

    /** An instance's heartbeat. Binds: owner, beat, beat_at. */
    String writeBeat() {
        return "INSERT INTO " + table("owner_heartbeats") + " (shard, owner, beat, beat_at) VALUES (0, ?, ?, ?)"
                + " USING TTL 86400";
    }

    /** Every instance's last heartbeat. */
    String readBeats() {
        return "SELECT owner, beat FROM " + table("owner_heartbeats") + " WHERE shard = 0";
    }

    String release() {
        return "UPDATE " + table("partition_owners") + " SET released = true WHERE partition = ? IF epoch = ?";
    }

    /** The index row of a non-empty bucket. Binds: partition, bucket. */
    String indexBucket() {
        return "INSERT INTO " + table("task_buckets") + " (partition, bucket) VALUES (?, ?)";
    }

    /** The first indexed bucket after one and before another. Binds: partition, after, before. */
    String nextIndexedBucket() {
        return "SELECT bucket FROM " + table("task_buckets") + " WHERE partition = ? AND bucket > ? AND bucket < ?"
                + " LIMIT 1";
    }

    String readIndexFrontier() {
        return "SELECT complete_below, complete_epoch FROM " + table("task_buckets") + " WHERE partition = ? LIMIT 1";
    }

    /** Binds: the frontier, the epoch of the claim that walked to it, the partition. */
    String writeIndexFrontier() {
        return "UPDATE " + table("task_buckets") + " SET complete_below = ?, complete_epoch = ? WHERE partition = ?";
    }

    String writeDeadLetter() {
        return "INSERT INTO " + table("dead_letters") + " (partition, kafka_offset, received_at, reason, record_key,"
                + " raw) VALUES (?, ?, ?, ?, ?, ?) USING TTL ?";
    }
}
