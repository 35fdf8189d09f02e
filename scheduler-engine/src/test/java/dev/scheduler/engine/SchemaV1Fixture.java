package dev.scheduler.engine;

import java.util.List;

/**
 * The schema exactly as engines before schema versions created it (version 1, no version recorded), copied from
 * Schema.java as it was then. Frozen on purpose: tests of upgrades must keep starting from what real keyspaces hold,
 * whatever Schema.java becomes.
 */
final class SchemaV1Fixture {

    private SchemaV1Fixture() {}

    /** The keyspace and every table, as the engine ran them with {@code Replication.simple(1)}. */
    static List<String> statements(String keyspace) {
        return List.of(
                "CREATE KEYSPACE IF NOT EXISTS " + keyspace
                        + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
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
                "CREATE TABLE IF NOT EXISTS " + keyspace + ".partition_checkpoints ("
                        + "partition int PRIMARY KEY, checkpoint timestamp, updated_at timestamp)",
                "CREATE TABLE IF NOT EXISTS " + keyspace + ".partition_owners ("
                        + "partition int PRIMARY KEY, epoch bigint, owner text, claimed_at timestamp, "
                        + "released boolean)",
                "CREATE TABLE IF NOT EXISTS " + keyspace + ".dead_letters ("
                        + "partition int, kafka_offset bigint, received_at timestamp, reason text, "
                        + "record_key text, raw blob, PRIMARY KEY ((partition), kafka_offset))",
                "CREATE TABLE IF NOT EXISTS " + keyspace + ".scheduler_meta ("
                        + "id text PRIMARY KEY, topic text, partition_count int, bucket_ms bigint, "
                        + "created_at timestamp)");
    }

    /** The layout row such an engine wrote on its first start. */
    static String layoutRow(String keyspace, String topic, int partitions, long bucketMs) {
        return "INSERT INTO " + keyspace + ".scheduler_meta (id, topic, partition_count, bucket_ms, created_at) "
                + "VALUES ('layout', '" + topic + "', " + partitions + ", " + bucketMs + ", toTimestamp(now()))";
    }
}
