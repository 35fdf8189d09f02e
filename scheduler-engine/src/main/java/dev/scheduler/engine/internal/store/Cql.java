package dev.scheduler.engine.internal.store;

/**
 * The CQL of the engine's reads and writes, in one place, for one keyspace; {@link Schema} has the tables'
 * definitions. The task tables are partitioned by (Kafka partition, time bucket) and clustered by key.
 */
final class Cql {

    /** The full primary key of a task row. */
    static final String TASK_KEY =
            " WHERE partition = ? AND bucket = ? AND scheduled_time = ? AND ordering_id = ? AND uniqueness_key = ?";
    /** What a task row holds for scheduling: key, data and state. */
    static final String TASK_COLUMNS =
            "scheduled_time, ordering_id, uniqueness_key, task_data, status, attempts, next_attempt_at, last_error";
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

    String readCheckpoint() {
        return "SELECT checkpoint FROM " + table("partition_checkpoints") + " WHERE partition = ?";
    }
}
