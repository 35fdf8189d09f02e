package dev.scheduler.engine.internal.store;

import static dev.scheduler.engine.internal.store.SchemaChange.addColumn;
import static dev.scheduler.engine.internal.store.SchemaChange.statement;

import dev.scheduler.engine.Replication;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The engine's schema as an ordered list of versioned migrations ({@link #MIGRATIONS}), and the CQL that records
 * which version a keyspace is at and which engines may run on it ({@link #compatibleFrom}). docs/design.md lists the
 * same statements for operators who create the schema themselves ({@code createSchema=false}).
 */
public final class Schema {

    /** The id of the {@code scheduler_meta} row holding the version. */
    public static final String VERSION_ROW = "schema";

    /**
     * The first version that records itself: migration 2 adds the columns the record needs. A keyspace with the
     * tables but no record is at version 1 (created before versions existed).
     */
    public static final int FIRST_RECORDED_VERSION = 2;

    /** The column added last by migration 2: a keyspace that lacks it is not at version 2 yet. */
    static final String COMPATIBLE_FROM = "compatible_from";

    /**
     * Every migration, oldest first. To change the schema, append one: the next version, with {@code CREATE ... IF
     * NOT EXISTS} statements or added columns. Never edit or remove a released one: a keyspace that has its version
     * never runs it again. Keep every change readable by the previous engine release, which may still be running
     * during a rolling upgrade, and which may start on the upgraded keyspace (a restart, a rollback). Only when that
     * cannot be, mark the migration {@link Migration#breaking() breaking}: engines that do not know it then refuse
     * to start on a keyspace that has it.
     */
    public static final List<Migration> MIGRATIONS = List.of(
            new Migration(
                    1,
                    "tasks, task_attempts, partition_checkpoints, partition_owners, dead_letters and "
                            + "scheduler_meta",
                    List.of(
                            // One row per task. Partitioned by (Kafka partition, time bucket) so that loading what is
                            // due
                            // is an ordered range read of one or a few Cassandra partitions. A pending task has a null
                            // status; a finished one is rewritten with a TTL of the retention period. started_at,
                            // finished_at and result describe the last finished attempt: a success is recorded here
                            // alone,
                            // failed attempts also get a task_attempts row.
                            statement(
                                    "CREATE TABLE IF NOT EXISTS <ks>.tasks ("
                                            + "partition int, bucket bigint, scheduled_time timestamp, ordering_id text, "
                                            + "uniqueness_key text, task_data frozen<map<text, text>>, status text, attempts int, "
                                            + "next_attempt_at timestamp, last_error text, updated_at timestamp, "
                                            + "started_at timestamp, finished_at timestamp, result text, "
                                            + "PRIMARY KEY ((partition, bucket), scheduled_time, ordering_id, uniqueness_key))"),
                            statement("CREATE TABLE IF NOT EXISTS <ks>.task_attempts ("
                                    + "partition int, bucket bigint, scheduled_time timestamp, ordering_id text, "
                                    + "uniqueness_key text, attempt int, started_at timestamp, finished_at timestamp, "
                                    + "result text, error_class text, error_message text, "
                                    + "PRIMARY KEY ((partition, bucket), scheduled_time, ordering_id, uniqueness_key, "
                                    + "attempt))"),
                            // Per Kafka partition: no incomplete task is stored before this time.
                            statement("CREATE TABLE IF NOT EXISTS <ks>.partition_checkpoints ("
                                    + "partition int PRIMARY KEY, checkpoint timestamp, updated_at timestamp)"),
                            // Who owns each partition: an epoch claimed with a compare-and-set on assignment, renewed
                            // as a
                            // lease.
                            statement("CREATE TABLE IF NOT EXISTS <ks>.partition_owners ("
                                    + "partition int PRIMARY KEY, epoch bigint, owner text, claimed_at timestamp, "
                                    + "released boolean)"),
                            // Records that could not be read or failed validation, with the reason and the raw bytes.
                            statement("CREATE TABLE IF NOT EXISTS <ks>.dead_letters ("
                                    + "partition int, kafka_offset bigint, received_at timestamp, reason text, "
                                    + "record_key text, raw blob, PRIMARY KEY ((partition), kafka_offset))"),
                            // What the data layout depends on, recorded on first start so that it cannot silently
                            // change.
                            // Created last: a keyspace that has it has every other table of version 1.
                            statement("CREATE TABLE IF NOT EXISTS <ks>.scheduler_meta ("
                                    + "id text PRIMARY KEY, topic text, partition_count int, bucket_ms bigint, "
                                    + "created_at timestamp)"))),
            new Migration(
                    2,
                    "scheduler_meta records the schema version and the oldest version an engine may know to run on "
                            + "the keyspace (row id = 'schema')",
                    List.of(
                            addColumn("scheduler_meta", "version", "int"),
                            addColumn("scheduler_meta", "applied_at", "timestamp"),
                            addColumn("scheduler_meta", COMPATIBLE_FROM, "int"))),
            new Migration(
                    3,
                    "task_buckets indexes each partition's non-empty buckets, so that loads skip empty ones; "
                            + "partition_owners records which claims index",
                    List.of(
                            // One row per (Kafka partition, bucket) that has rows, written before them. The static
                            // columns record up to which bucket rows written before the index are indexed too, and
                            // by which claim (BucketIndex).
                            statement("CREATE TABLE IF NOT EXISTS <ks>.task_buckets ("
                                    + "partition int, bucket bigint, complete_below bigint static, "
                                    + "complete_epoch bigint static, PRIMARY KEY ((partition), bucket))"),
                            // Written by every claim of engines that index, left alone by older ones.
                            addColumn("partition_owners", "indexed_epoch", "bigint"),
                            addColumn("partition_owners", "indexed_since", "bigint"))),
            new Migration(
                    4,
                    "owner_heartbeats: each instance's heartbeat, so that a partition's next owner can tell a dead "
                            + "owner from a live one",
                    List.of(
                            // One Cassandra partition (shard 0) holds every instance's row, so that one read
                            // watches them all; a row expires a day after its instance's last beat.
                            statement("CREATE TABLE IF NOT EXISTS <ks>.owner_heartbeats ("
                                    + "shard int, owner text, beat bigint, beat_at timestamp, "
                                    + "PRIMARY KEY ((shard), owner))"))));

    private Schema() {}

    public static String createKeyspace(String keyspace, Replication replication) {
        return "CREATE KEYSPACE IF NOT EXISTS " + keyspace + " WITH replication = " + replication.toCql();
    }

    /** What an operator runs to record a version by hand; the engine itself records with a compare-and-set. */
    public static String recordVersion(String keyspace, int version, int compatibleFrom) {
        return "INSERT INTO " + keyspace + ".scheduler_meta (id, version, " + COMPATIBLE_FROM
                + ", applied_at) VALUES ('" + VERSION_ROW + "', " + version + ", " + compatibleFrom
                + ", toTimestamp(now()))";
    }

    /**
     * What a keyspace at {@code version} records as {@code compatible_from}: the oldest version an engine may know
     * and still run on it. That is the newest breaking migration up to {@code version}, or 1 when every one is
     * additive. It never decreases as the version grows.
     *
     * @param migrations a list reaching at least {@code version}
     */
    public static int compatibleFrom(List<Migration> migrations, int version) {
        int from = 1;
        for (Migration m : migrations.subList(0, Math.min(version, migrations.size()))) {
            if (m.breaking()) {
                from = m.version();
            }
        }
        return from;
    }

    /**
     * The newest version of a migration list, after checking that it is usable: versions 1, 2, 3... in order, and at
     * least up to {@link #FIRST_RECORDED_VERSION} so that the version can be recorded.
     *
     * @throws IllegalArgumentException naming the first misplaced migration
     */
    public static int latestVersion(List<Migration> migrations) {
        for (int i = 0; i < migrations.size(); i++) {
            if (migrations.get(i).version() != i + 1) {
                throw new IllegalArgumentException("migration versions must be 1, 2, 3... in order, but migration "
                        + (i + 1) + " of the list has version "
                        + migrations.get(i).version());
            }
        }
        if (migrations.size() < FIRST_RECORDED_VERSION) {
            throw new IllegalArgumentException("the migration list must reach version " + FIRST_RECORDED_VERSION
                    + ", which adds the columns that record the version; it ends at " + migrations.size());
        }
        return migrations.size();
    }

    /**
     * The CQL that takes a keyspace from {@code fromVersion} (0: it has no tables) to the newest version of the
     * list, ending with the statement that records that version; empty when it is there already.
     *
     * @param include which changes to list: all of them, or those a keyspace still lacks
     */
    public static List<String> upgradeCql(
            String keyspace, List<Migration> migrations, int fromVersion, Predicate<SchemaChange> include) {
        int latest = latestVersion(migrations);
        List<String> cql = new ArrayList<>();
        for (Migration m : migrations.subList(Math.min(Math.max(fromVersion, 0), latest), latest)) {
            for (SchemaChange change : m.changes()) {
                if (include.test(change)) {
                    cql.add(change.cql(keyspace));
                }
            }
        }
        if (fromVersion < latest) {
            cql.add(recordVersion(keyspace, latest, compatibleFrom(migrations, latest)));
        }
        return List.copyOf(cql);
    }
}
