package dev.scheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaCqlTest {

    @Test
    void version_1_of_the_statements_is_still_exactly_what_keyspaces_made_before_versions_hold() {
        // Migration 1 is never run again on such a keyspace: editing it would make new and old keyspaces differ.
        List<String> v1 = SchemaV1Fixture.statements("ks");
        assertThat(SchemaCql.statements("ks", Replication.simple(1)).subList(0, v1.size()))
                .isEqualTo(v1);
    }

    @Test
    void the_statements_end_by_recording_the_current_version() {
        List<String> all = SchemaCql.statements("ks", Replication.simple(1));
        assertThat(SchemaCql.version()).isEqualTo(4);
        assertThat(all.get(all.size() - 1))
                .isEqualTo("INSERT INTO ks.scheduler_meta (id, version, compatible_from, applied_at) "
                        + "VALUES ('schema', 4, 1, toTimestamp(now()))");
        assertThat(all).noneMatch(s -> s.contains("<ks>"));
    }

    @Test
    void upgrade_statements_from_version_1_add_the_version_columns_the_bucket_index_and_the_heartbeats() {
        List<String> version3 = List.of(
                "CREATE TABLE IF NOT EXISTS my_ks.task_buckets (partition int, bucket bigint, complete_below bigint "
                        + "static, complete_epoch bigint static, PRIMARY KEY ((partition), bucket))",
                "ALTER TABLE my_ks.partition_owners ADD indexed_epoch bigint",
                "ALTER TABLE my_ks.partition_owners ADD indexed_since bigint",
                "CREATE TABLE IF NOT EXISTS my_ks.owner_heartbeats (shard int, owner text, beat bigint, "
                        + "beat_at timestamp, PRIMARY KEY ((shard), owner))",
                "INSERT INTO my_ks.scheduler_meta (id, version, compatible_from, applied_at) "
                        + "VALUES ('schema', 4, 1, toTimestamp(now()))");
        assertThat(SchemaCql.upgradeStatements("my_ks", 1))
                .startsWith(
                        "ALTER TABLE my_ks.scheduler_meta ADD version int",
                        "ALTER TABLE my_ks.scheduler_meta ADD applied_at timestamp",
                        "ALTER TABLE my_ks.scheduler_meta ADD compatible_from int")
                .endsWith(version3.toArray(String[]::new))
                .hasSize(3 + version3.size());
        assertThat(SchemaCql.upgradeStatements("my_ks", 2)).isEqualTo(version3);
        assertThat(SchemaCql.upgradeStatements("my_ks", SchemaCql.version())).isEmpty();
    }

    @Test
    void refuses_versions_it_does_not_know_and_invalid_keyspaces() {
        assertThatThrownBy(() -> SchemaCql.upgradeStatements("ks", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 1 and 4");
        assertThatThrownBy(() -> SchemaCql.upgradeStatements("ks", 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was 5");
        assertThatThrownBy(() -> SchemaCql.statements("1ks", Replication.simple(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'1ks'");
    }
}
