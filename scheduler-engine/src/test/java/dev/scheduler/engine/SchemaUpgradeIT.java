package dev.scheduler.engine;

import static dev.scheduler.engine.internal.store.Claims.claimAsRead;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.internal.store.CassandraSessions;
import dev.scheduler.engine.internal.store.CassandraTaskStore;
import dev.scheduler.engine.internal.store.LoadBound;
import dev.scheduler.engine.internal.store.LoadResult;
import dev.scheduler.engine.internal.store.Migration;
import dev.scheduler.engine.internal.store.Schema;
import dev.scheduler.engine.internal.store.SchemaChange;
import dev.scheduler.engine.internal.store.SchemaSetup;
import dev.scheduler.testkit.SchedulerInfrastructure;
import dev.scheduler.testkit.SchedulerInfrastructureExtension;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Schema versions and upgrades at start, against the testkit's real Cassandra. */
@ExtendWith(SchedulerInfrastructureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchemaUpgradeIT {

    private static final String TOPIC = "tasks-schema";
    private static final int PARTITIONS = 4;
    private static final EngineSettings CREATE = EngineSettings.builder().build();
    private static final EngineSettings NO_DDL =
            EngineSettings.builder().createSchema(false).build();

    /** What a later release might add: a column and a table. Test-only, after the real migrations. */
    private static final List<Migration> WITH_TEST_5 = withTestMigration5(false);

    /** The same, marked breaking: engines that know only the real migrations may not run on a keyspace that has it. */
    private static final List<Migration> WITH_BREAKING_5 = withTestMigration5(true);

    private final SchedulerInfrastructure infra;
    private final CqlSession session;

    SchemaUpgradeIT(SchedulerInfrastructure infra) {
        this.infra = infra;
        this.session = openSession();
    }

    @AfterAll
    void closeSession() {
        session.close();
    }

    private static List<Migration> withTestMigration5(boolean breaking) {
        List<Migration> list = new ArrayList<>(Schema.MIGRATIONS);
        list.add(new Migration(
                5,
                "test-only: a column and a table",
                List.of(
                        SchemaChange.addColumn("tasks", "test_note", "text"),
                        SchemaChange.statement(
                                "CREATE TABLE IF NOT EXISTS <ks>.test_extra (id int PRIMARY KEY, note text)")),
                breaking));
        return List.copyOf(list);
    }

    @Test
    void a_keyspace_made_before_versions_is_version_1_and_is_upgraded_in_order() {
        String ks = versionOneKeyspace();

        prepare(ks, CREATE, Schema.MIGRATIONS, session);
        assertThat(recordedVersion(ks)).isEqualTo(4);
        assertThat(tables(ks)).contains("task_buckets", "owner_heartbeats");
        assertThat(columns(ks, "partition_owners")).contains("indexed_epoch", "indexed_since");

        prepare(ks, CREATE, WITH_TEST_5, session);
        assertThat(recordedVersion(ks)).isEqualTo(5);
        assertThat(columns(ks, "tasks")).contains("test_note");
        assertThat(tables(ks)).contains("test_extra");

        // Again, as every later start does: nothing to apply, the same version.
        prepare(ks, CREATE, WITH_TEST_5, session);
        assertThat(recordedVersion(ks)).isEqualTo(5);
        // The layout row written by the old engine survived the upgrade and is still enforced.
        assertThatThrownBy(() -> new SchemaSetup(session, ks, CREATE, Clock.systemUTC(), WITH_TEST_5)
                        .prepare(TOPIC, PARTITIONS + 1))
                .isInstanceOf(EngineStartException.class)
                .hasMessageContaining("partition count");
    }

    @Test
    void two_setups_starting_together_both_succeed_on_a_fresh_and_on_a_version_1_keyspace() throws Exception {
        try (CqlSession second = openSession()) {
            List<String> keyspaces = List.of(
                    infra.uniqueKeyspaceName("schema_race"),
                    versionOneKeyspace(),
                    // The second setup is an older engine, as in a rolling deploy: version 5 is additive.
                    infra.uniqueKeyspaceName("schema_race_old"));
            for (String ks : keyspaces) {
                List<Migration> secondKnows = ks.equals(keyspaces.get(2)) ? Schema.MIGRATIONS : WITH_TEST_5;
                CyclicBarrier together = new CyclicBarrier(2);
                List<CompletableFuture<Void>> starts = new ArrayList<>();
                for (CqlSession s : List.of(session, second)) {
                    starts.add(CompletableFuture.runAsync(() -> {
                        await(together);
                        prepare(ks, CREATE, s == session ? WITH_TEST_5 : secondKnows, s);
                    }));
                }
                CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new))
                        .get(60, TimeUnit.SECONDS);
                assertThat(recordedVersion(ks)).as(ks).isEqualTo(5);
                assertThat(recordedCompatibleFrom(ks)).as(ks).isEqualTo(1);
                assertThat(columns(ks, "scheduler_meta")).contains("version", "applied_at", "compatible_from");
                assertThat(columns(ks, "tasks")).contains("test_note");
                assertThat(tables(ks))
                        .contains(
                                "test_extra",
                                "task_buckets",
                                "tasks",
                                "task_attempts",
                                "partition_checkpoints",
                                "partition_owners",
                                "dead_letters",
                                "scheduler_meta");
            }
        }
    }

    @Test
    void without_create_schema_a_keyspace_behind_is_refused_with_the_cql_that_brings_it_up_to_date() {
        String ks = infra.uniqueKeyspaceName("schema_off");
        prepare(ks, CREATE, Schema.MIGRATIONS, session);

        String message = refusal(ks, NO_DDL, WITH_TEST_5);
        System.out.println("createSchema(false) refused:\n" + message);
        assertThat(message.lines())
                .containsExactly(
                        "keyspace '" + ks
                                + "' is at schema version 4 but this engine needs version 5, and createSchema is "
                                + "false, so the engine changes no schema itself. Run this CQL, then start the engine again:",
                        "ALTER TABLE " + ks + ".tasks ADD test_note text;",
                        "CREATE TABLE IF NOT EXISTS " + ks + ".test_extra (id int PRIMARY KEY, note text);",
                        "INSERT INTO " + ks + ".scheduler_meta (id, version, compatible_from, applied_at) VALUES "
                                + "('schema', 5, 1, toTimestamp(now()));");
        assertThat(columns(ks, "tasks")).doesNotContain("test_note");
        assertThat(recordedVersion(ks)).isEqualTo(4);

        runPrinted(message);
        prepare(ks, NO_DDL, WITH_TEST_5, session);
        assertThat(recordedVersion(ks)).isEqualTo(5);
    }

    @Test
    void without_create_schema_the_printed_cql_also_creates_a_missing_keyspace_and_upgrades_a_version_1_one() {
        String missing = infra.uniqueKeyspaceName("schema_none");
        String created = refusal(missing, NO_DDL, Schema.MIGRATIONS);
        assertThat(created)
                .startsWith("keyspace '" + missing + "' does not exist")
                .contains("\nCREATE KEYSPACE IF NOT EXISTS " + missing + " WITH replication = "
                        + "{'class': 'SimpleStrategy', 'replication_factor': 1};\n");
        runPrinted(created);
        prepare(missing, NO_DDL, Schema.MIGRATIONS, session);

        String old = versionOneKeyspace();
        // As if an upgrade by hand had stopped after its first statement: that one is not printed again.
        session.execute("ALTER TABLE " + old + ".scheduler_meta ADD version int");
        String upgrade = refusal(old, NO_DDL, Schema.MIGRATIONS);
        assertThat(upgrade.lines().skip(1))
                .containsExactly(
                        "ALTER TABLE " + old + ".scheduler_meta ADD applied_at timestamp;",
                        "ALTER TABLE " + old + ".scheduler_meta ADD compatible_from int;",
                        "CREATE TABLE IF NOT EXISTS " + old + ".task_buckets (partition int, bucket bigint, "
                                + "complete_below bigint static, complete_epoch bigint static, PRIMARY KEY ((partition), "
                                + "bucket));",
                        "ALTER TABLE " + old + ".partition_owners ADD indexed_epoch bigint;",
                        "ALTER TABLE " + old + ".partition_owners ADD indexed_since bigint;",
                        "CREATE TABLE IF NOT EXISTS " + old + ".owner_heartbeats (shard int, owner text, beat bigint, "
                                + "beat_at timestamp, PRIMARY KEY ((shard), owner));",
                        "INSERT INTO " + old + ".scheduler_meta (id, version, compatible_from, applied_at) VALUES "
                                + "('schema', 4, 1, toTimestamp(now()));");
        runPrinted(upgrade);
        prepare(old, NO_DDL, Schema.MIGRATIONS, session);
        assertThat(recordedVersion(old)).isEqualTo(4);
    }

    @Test
    void the_public_statements_run_by_hand_make_a_keyspace_the_engine_starts_on_without_ddl() {
        String ks = infra.uniqueKeyspaceName("schema_cql");
        for (String statement : SchemaCql.statements(ks, Replication.simple(1))) {
            session.execute(statement);
        }
        prepare(ks, NO_DDL, Schema.MIGRATIONS, session);
        assertThat(recordedVersion(ks)).isEqualTo(SchemaCql.version());
    }

    @Test
    void an_older_engine_starts_on_a_newer_keyspace_whose_newer_migrations_are_additive() {
        String ks = infra.uniqueKeyspaceName("schema_newer");
        prepare(ks, CREATE, WITH_TEST_5, session);
        assertThat(recordedCompatibleFrom(ks)).isEqualTo(1);

        // An instance of the release that knows only the real migrations restarts mid-rollout, or a deploy is
        // rolled back to it: it runs on the keyspace as it is, with or without createSchema.
        for (EngineSettings settings : List.of(CREATE, NO_DDL)) {
            prepare(ks, settings, Schema.MIGRATIONS, session);
        }
        assertThat(recordedVersion(ks)).isEqualTo(5);
        assertThat(recordedCompatibleFrom(ks)).isEqualTo(1);
        // It still checks the layout.
        assertThatThrownBy(() -> new SchemaSetup(session, ks, CREATE, Clock.systemUTC(), Schema.MIGRATIONS)
                        .prepare(TOPIC, PARTITIONS + 1))
                .isInstanceOf(EngineStartException.class)
                .hasMessageContaining("partition count");
        // And the newer release, deployed again, finds its own version.
        prepare(ks, NO_DDL, WITH_TEST_5, session);
    }

    @Test
    void a_newer_keyspace_whose_newer_migration_is_breaking_is_refused_and_its_version_kept() {
        String ks = infra.uniqueKeyspaceName("schema_breaking");
        prepare(ks, CREATE, WITH_BREAKING_5, session);
        assertThat(recordedCompatibleFrom(ks)).isEqualTo(5);

        for (EngineSettings settings : List.of(CREATE, NO_DDL)) {
            String message = refusal(ks, settings, Schema.MIGRATIONS);
            System.out.println("breaking newer keyspace refused: " + message);
            assertThat(message)
                    .isEqualTo("keyspace '" + ks + "' is at schema version 5, newer than this engine knows (up to 4), "
                            + "and its compatible_from is 5: migration 5 is breaking, so only an engine that knows "
                            + "version 5 or later may run on it. Run a release that knows schema version 5 or later; "
                            + "an engine never downgrades a schema, so a deploy cannot be rolled back past a breaking "
                            + "migration");
        }
        assertThat(recordedVersion(ks)).isEqualTo(5);
        assertThat(recordedCompatibleFrom(ks)).isEqualTo(5);
        prepare(ks, NO_DDL, WITH_BREAKING_5, session);
    }

    @Test
    void a_newer_keyspace_that_records_no_compatible_from_is_refused_as_strictly_as_its_version() {
        String ks = infra.uniqueKeyspaceName("schema_strict");
        prepare(ks, CREATE, WITH_TEST_5, session);
        session.execute("UPDATE " + ks + ".scheduler_meta SET compatible_from = null WHERE id = 'schema'");

        assertThat(refusal(ks, CREATE, Schema.MIGRATIONS))
                .contains("is at schema version 5, newer than this engine knows (up to 4), and it records no "
                        + "compatible_from, so only an engine that knows version 5 or later may run on it");
        assertThat(recordedVersion(ks)).isEqualTo(5);
        // An engine that knows version 5 runs on it as before.
        prepare(ks, CREATE, WITH_TEST_5, session);
    }

    /**
     * Issue 11, finding 7: version 3 indexes non-empty buckets so that loads skip empty ones. A keyspace upgraded
     * from version 2 has buckets without index rows, and a version 2 engine may go on writing such rows during the
     * rolling upgrade: the first load of each partition walks them, so nothing stored before is missed.
     */
    @Test
    void tasks_stored_at_version_2_stay_loadable_after_the_upgrade_to_version_3() throws Exception {
        String ks = infra.uniqueKeyspaceName("schema_v2");
        prepare(ks, CREATE, Schema.MIGRATIONS.subList(0, 2), session);
        assertThat(recordedVersion(ks)).isEqualTo(2);
        Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).plusSeconds(3_600);
        long bucketMillis = CREATE.bucketSize().toMillis();
        List<TaskKey> stored = new ArrayList<>();
        // As a version 2 engine stores them: a claim, then task rows in a few buckets, and no index rows.
        session.execute("INSERT INTO " + ks + ".partition_owners (partition, epoch, owner, claimed_at, released) "
                + "VALUES (1, 1, 'v2', toTimestamp(now()), true)");
        for (int minute : List.of(0, 3, 11)) {
            TaskKey key = TaskKey.of("v2-" + minute, start.plusSeconds(minute * 60L + 5), "u");
            session.execute(
                    "UPDATE " + ks + ".tasks SET task_data = {'k': 'v'} WHERE partition = 1 AND bucket = ?"
                            + " AND scheduled_time = ? AND ordering_id = ? AND uniqueness_key = ?",
                    Math.floorDiv(key.scheduledTime().toEpochMilli(), bucketMillis),
                    key.scheduledTime(),
                    key.orderingId(),
                    key.uniquenessKey());
            stored.add(key);
        }

        prepare(ks, CREATE, Schema.MIGRATIONS, session);
        assertThat(recordedVersion(ks)).isEqualTo(4);
        CassandraTaskStore store = new CassandraTaskStore(session, ks, CREATE, Clock.systemUTC());
        claimAsRead(store, 1, "v3").toCompletableFuture().get(10, TimeUnit.SECONDS);
        LoadResult loaded = store.load(
                        1,
                        LoadBound.before(start.toEpochMilli()),
                        start.plusSeconds(30 * 60).toEpochMilli(),
                        100)
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        assertThat(loaded.rows()).extracting(r -> r.task().key()).containsExactlyElementsOf(stored);
    }

    private void prepare(String ks, EngineSettings settings, List<Migration> migrations, CqlSession s) {
        new SchemaSetup(s, ks, settings, Clock.systemUTC(), migrations).prepare(TOPIC, PARTITIONS);
    }

    private String refusal(String ks, EngineSettings settings, List<Migration> migrations) {
        try {
            prepare(ks, settings, migrations, session);
        } catch (EngineStartException e) {
            return e.getMessage();
        }
        throw new AssertionError("keyspace " + ks + " was accepted");
    }

    /** What an operator does with the refusal: runs its statements, the lines ending in ';'. */
    private void runPrinted(String message) {
        message.lines().skip(1).forEach(line -> {
            assertThat(line).endsWith(";");
            session.execute(line.substring(0, line.length() - 1));
        });
    }

    /** A keyspace exactly as an engine before schema versions left it after its first start. */
    private String versionOneKeyspace() {
        String ks = infra.uniqueKeyspaceName("schema_v1");
        for (String statement : SchemaV1Fixture.statements(ks)) {
            session.execute(statement);
        }
        session.execute(SchemaV1Fixture.layoutRow(
                ks, TOPIC, PARTITIONS, CREATE.bucketSize().toMillis()));
        return ks;
    }

    private Integer recordedVersion(String ks) {
        Row row = session.execute("SELECT version FROM " + ks + ".scheduler_meta WHERE id = 'schema'")
                .one();
        return row == null || row.isNull("version") ? null : row.getInt("version");
    }

    private Integer recordedCompatibleFrom(String ks) {
        Row row = session.execute("SELECT compatible_from FROM " + ks + ".scheduler_meta WHERE id = 'schema'")
                .one();
        return row == null || row.isNull("compatible_from") ? null : row.getInt("compatible_from");
    }

    private Set<String> columns(String ks, String table) {
        Set<String> names = new HashSet<>();
        session.execute(
                        "SELECT column_name FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?",
                        ks,
                        table)
                .forEach(r -> names.add(r.getString(0)));
        return names;
    }

    private Set<String> tables(String ks) {
        Set<String> names = new HashSet<>();
        session.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", ks)
                .forEach(r -> names.add(r.getString(0)));
        return names;
    }

    private CqlSession openSession() {
        return CassandraSessions.open(List.of(infra.cassandraContactPoint()), infra.cassandraLocalDatacenter());
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
