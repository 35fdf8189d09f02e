package dev.scheduler.engine.internal.store;

import dev.scheduler.engine.Replication;
import java.util.List;

/**
 * The CQL the engine runs to create its keyspace and tables. The same statements are in docs/design.md
 * for operators who create the schema themselves ({@code createSchema=false}).
 */
public final class Schema {

    private Schema() {
    }

    public static String createKeyspace(String keyspace, Replication replication) {
        return "CREATE KEYSPACE IF NOT EXISTS " + keyspace + " WITH replication = " + replication.toCql();
    }

    public static List<String> createTables(String keyspace) {
        return List.of(
                // One row per task. started_at, finished_at and result describe the last finished attempt: a
                // success is recorded here alone, failed attempts also get a task_attempts row.
                // One row per task. Partitioned by (Kafka partition, time bucket) so that loading what is due
                // is an ordered range read of one or a few Cassandra partitions. A pending task has a null
                // status; a finished one is rewritten with a TTL of the retention period.
                "CREATE TABLE IF NOT EXISTS " + keyspace + ".tasks ("
                        + "partition int, bucket bigint, scheduled_time timestamp, ordering_id text, "
                        + "uniqueness_key text, task_data frozen<map<text, text>>, status text, attempts int, "
                        + "next_attempt_at timestamp, last_error text, updated_at timestamp, "
                        + "started_at timestamp, finished_at timestamp, result text, "
                        + "PRIMARY KEY ((partition, bucket), scheduled_time, ordering_id, uniqueness_key))",
                "CREATE TABLE IF NOT EXISTS " + keyspace + ".task_attempts ("
                        + "partition int, bucket bigint, scheduled_time timestamp, ordering_id text, "
                        + "uniqueness_key text, attempt int, started_at timestamp, finished_at timestamp, "
                        + "result text, error_class text, error_message text, "
                        + "PRIMARY KEY ((partition, bucket), scheduled_time, ordering_id, uniqueness_key, attempt))",
                // Per Kafka partition: no incomplete task is stored before this time.
                "CREATE TABLE IF NOT EXISTS " + keyspace + ".partition_checkpoints ("
                        + "partition int PRIMARY KEY, checkpoint timestamp, updated_at timestamp)",
                // Who owns each partition: an epoch claimed with a compare-and-set on assignment, renewed as a lease.
                "CREATE TABLE IF NOT EXISTS " + keyspace + ".partition_owners ("
                        + "partition int PRIMARY KEY, epoch bigint, owner text, claimed_at timestamp, "
                        + "released boolean)",
                // Records that could not be read or failed validation, with the reason and the raw bytes.
                "CREATE TABLE IF NOT EXISTS " + keyspace + ".dead_letters ("
                        + "partition int, kafka_offset bigint, received_at timestamp, reason text, "
                        + "record_key text, raw blob, PRIMARY KEY ((partition), kafka_offset))",
                // What the data layout depends on, recorded on first start so that it cannot silently change.
                "CREATE TABLE IF NOT EXISTS " + keyspace + ".scheduler_meta ("
                        + "id text PRIMARY KEY, topic text, partition_count int, bucket_ms bigint, "
                        + "created_at timestamp)");
    }
}
