package dev.scheduler.engine.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaTest {

    private static final String OWNER_HEARTBEATS = "CREATE TABLE IF NOT EXISTS ks.owner_heartbeats (shard int, "
            + "owner text, beat bigint, beat_at timestamp, PRIMARY KEY ((shard), owner))";

    private static final Migration TEST_5 = new Migration(
            5,
            "test",
            List.of(
                    SchemaChange.statement("CREATE TABLE IF NOT EXISTS <ks>.extra (id int PRIMARY KEY)"),
                    SchemaChange.addColumn("tasks", "note", "text")));

    private static List<Migration> withTest5() {
        List<Migration> list = new ArrayList<>(Schema.MIGRATIONS);
        list.add(TEST_5);
        return list;
    }

    @Test
    void the_migrations_are_versions_1_to_the_latest_in_order() {
        assertThat(Schema.latestVersion(Schema.MIGRATIONS)).isEqualTo(Schema.MIGRATIONS.size());
        assertThat(Schema.latestVersion(withTest5())).isEqualTo(5);
    }

    @Test
    void a_list_with_a_gap_or_without_the_version_columns_is_refused() {
        List<Migration> gap = List.of(
                Schema.MIGRATIONS.get(0), Schema.MIGRATIONS.get(1), new Migration(4, "skips 3", TEST_5.changes()));
        assertThatThrownBy(() -> Schema.latestVersion(gap))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("migration 3 of the list has version 4");
        assertThatThrownBy(() -> Schema.latestVersion(Schema.MIGRATIONS.subList(0, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must reach version 2");
    }

    @Test
    void only_idempotent_statements_are_accepted() {
        assertThatThrownBy(() -> SchemaChange.statement("CREATE TABLE <ks>.t (id int PRIMARY KEY)"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("IF NOT EXISTS");
        assertThatThrownBy(() -> SchemaChange.statement("DROP TABLE IF EXISTS <ks>.t"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SchemaChange.addColumn("Tasks", "x", "text"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lower-case");
        assertThat(SchemaChange.addColumn("tasks", "note", "text").cql("ks"))
                .isEqualTo("ALTER TABLE ks.tasks ADD note text");
    }

    @Test
    void upgrade_cql_lists_the_missing_migrations_in_order_then_records_the_newest() {
        assertThat(Schema.upgradeCql("ks", withTest5(), 4, c -> true))
                .containsExactly(
                        "CREATE TABLE IF NOT EXISTS ks.extra (id int PRIMARY KEY)",
                        "ALTER TABLE ks.tasks ADD note text",
                        "INSERT INTO ks.scheduler_meta (id, version, compatible_from, applied_at) VALUES ('schema', 5, 1, "
                                + "toTimestamp(now()))");
        assertThat(Schema.upgradeCql("ks", withTest5(), 1, c -> !c.addsColumn()))
                .containsExactly(
                        "CREATE TABLE IF NOT EXISTS ks.task_buckets (partition int, bucket bigint, complete_below "
                                + "bigint static, complete_epoch bigint static, PRIMARY KEY ((partition), bucket))",
                        OWNER_HEARTBEATS,
                        "CREATE TABLE IF NOT EXISTS ks.extra (id int PRIMARY KEY)",
                        "INSERT INTO ks.scheduler_meta (id, version, compatible_from, applied_at) VALUES ('schema', 5, 1, "
                                + "toTimestamp(now()))");
        assertThat(Schema.upgradeCql("ks", withTest5(), 5, c -> true)).isEmpty();
        assertThat(Schema.upgradeCql("ks", Schema.MIGRATIONS, 0, c -> true)).hasSize(6 + 3 + 3 + 1 + 1);
    }

    @Test
    void migrations_are_additive_unless_marked_breaking_and_the_real_ones_are_additive() {
        assertThat(TEST_5.breaking()).isFalse();
        assertThat(Schema.MIGRATIONS).noneMatch(Migration::breaking);
        assertThat(Schema.compatibleFrom(Schema.MIGRATIONS, 2)).isEqualTo(1);
        // Migration 3 (the bucket index) is additive: a version 2 engine during a rolling upgrade writes rows
        // without index rows, and its claims tell the engines that index to walk them (BucketIndex).
        assertThat(Schema.compatibleFrom(Schema.MIGRATIONS, 3)).isEqualTo(1);
        // Migration 4 (the heartbeats) is additive: an older engine neither beats nor watches.
        assertThat(Schema.compatibleFrom(Schema.MIGRATIONS, 4)).isEqualTo(1);
        assertThat(Schema.compatibleFrom(withTest5(), 5)).isEqualTo(1);
    }

    @Test
    void compatible_from_is_the_newest_breaking_migration_up_to_the_version_or_1() {
        List<Migration> list = new ArrayList<>(withTest5());
        list.set(2, breaking(3)); // then versions 4 and 5, additive
        list.add(breaking(6));
        assertThat(List.of(1, 2, 3, 4, 5, 6).stream()
                        .map(v -> Schema.compatibleFrom(list, v))
                        .toList())
                .containsExactly(1, 1, 3, 3, 3, 6);
        // What the statements record by hand is what the engine records.
        assertThat(Schema.upgradeCql("ks", list.subList(0, 4), 2, c -> true))
                .last()
                .isEqualTo(
                        "INSERT INTO ks.scheduler_meta (id, version, compatible_from, applied_at) VALUES ('schema', 4, "
                                + "3, toTimestamp(now()))");
    }

    @Test
    void a_newer_keyspace_is_refused_naming_both_versions_only_when_its_compatible_from_is_newer_than_the_engine() {
        assertThat(SchemaMigrator.newerRefusal("ks", new SchemaMigrator.State(true, 4, 3), 2))
                .isEqualTo("keyspace 'ks' is at schema version 4, newer than this engine knows (up to 2), and its "
                        + "compatible_from is 3: migration 3 is breaking, so only an engine that knows version 3 or "
                        + "later may run on it. Run a release that knows schema version 3 or later; an engine never "
                        + "downgrades a schema, so a deploy cannot be rolled back past a breaking migration");
        // Recorded without compatible_from (never by a release): as strict as the version.
        SchemaMigrator.State unrecorded = new SchemaMigrator.State(true, 3);
        assertThat(unrecorded.oldestCompatible()).isEqualTo(3);
        assertThat(SchemaMigrator.newerRefusal("ks", unrecorded, 2))
                .isEqualTo("keyspace 'ks' is at schema version 3, newer than this engine knows (up to 2), and it "
                        + "records no compatible_from, so only an engine that knows version 3 or later may run on "
                        + "it. Run a release that knows schema version 3 or later; an engine never downgrades a "
                        + "schema");
        assertThat(SchemaMigrator.newerAccepted("ks", new SchemaMigrator.State(true, 3, 1), 2))
                .isEqualTo("keyspace 'ks' is at schema version 3, newer than this engine knows (up to 2): a newer "
                        + "release upgraded it. Starting anyway: its compatible_from is 1, so the migrations after "
                        + "version 2 are additive and this engine runs on it as it is. Expected while a rolling "
                        + "deploy or a rollback is under way; deploy the newer release to finish");
    }

    private static Migration breaking(int version) {
        return new Migration(version, "breaking", TEST_5.changes(), true);
    }

    @Test
    void the_refusal_with_create_schema_off_names_the_problem_then_prints_one_statement_per_line() {
        String message = SchemaMigrator.behindMessage(
                "ks",
                new SchemaMigrator.State(true, 1),
                2,
                Schema.upgradeCql("ks", Schema.MIGRATIONS.subList(0, 2), 1, c -> true));
        assertThat(message.lines())
                .containsExactly(
                        "keyspace 'ks' is at schema version 1 but this engine needs version 2, and createSchema is false, so "
                                + "the engine changes no schema itself. Run this CQL, then start the engine again:",
                        "ALTER TABLE ks.scheduler_meta ADD version int;",
                        "ALTER TABLE ks.scheduler_meta ADD applied_at timestamp;",
                        "ALTER TABLE ks.scheduler_meta ADD compatible_from int;",
                        "INSERT INTO ks.scheduler_meta (id, version, compatible_from, applied_at) VALUES ('schema', 2, 1, "
                                + "toTimestamp(now()));");
        assertThat(SchemaMigrator.behindMessage("ks", new SchemaMigrator.State(false, 0), 2, List.of()))
                .startsWith("keyspace 'ks' does not exist, and createSchema is false");
        assertThat(SchemaMigrator.behindMessage("ks", new SchemaMigrator.State(true, 0), 2, List.of()))
                .startsWith("keyspace 'ks' has none of the scheduler's tables");
    }

    @Test
    void a_column_added_meanwhile_by_another_engine_is_recognised_in_any_cassandra_wording() {
        assertThat(SchemaMigrator.isDuplicateColumn("Column with name 'version' already exists"))
                .isTrue();
        assertThat(SchemaMigrator.isDuplicateColumn(
                        "Invalid column name version because it conflicts with an existing column"))
                .isTrue();
        assertThat(SchemaMigrator.isDuplicateColumn("Undefined column name x")).isFalse();
        assertThat(SchemaMigrator.isDuplicateColumn(null)).isFalse();
    }

    @Test
    void a_table_or_column_this_node_does_not_know_yet_is_told_apart_from_other_refusals() {
        assertThat(SchemaMigrator.isUnknownSchema("unconfigured table scheduler_meta"))
                .isTrue();
        assertThat(SchemaMigrator.isUnknownSchema("Undefined column name applied_at in table ks.scheduler_meta"))
                .isTrue();
        assertThat(SchemaMigrator.isUnknownSchema("Keyspace 'ks' doesn't exist"))
                .isTrue();
        assertThat(SchemaMigrator.isUnknownSchema("Column with name 'version' already exists"))
                .isFalse();
        assertThat(SchemaMigrator.isUnknownSchema("Unknown type texte")).isFalse();
    }
}
