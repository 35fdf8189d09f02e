package dev.scheduler.engine;

import dev.scheduler.engine.internal.store.Schema;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The CQL of the engine's keyspace and tables, for operators who manage the schema themselves
 * ({@link EngineSettings#createSchema()} false) and for tools that need the tables without an engine.
 *
 * <p>The schema has a version, {@link #version()}, recorded in the keyspace's {@code scheduler_meta} table (row
 * {@code id = 'schema'}). A starting engine brings an older keyspace up to its version, or, with createSchema false,
 * refuses to start and prints the statements of {@link #upgradeStatements} for that keyspace. With the version, the
 * row records {@code compatible_from}: the oldest version an engine may know and still run on the keyspace, which
 * stays where it is while migrations only add tables and columns. So an engine starts on a keyspace newer than its
 * own version, as during a rolling deploy or after a rollback, unless {@code compatible_from} is newer than its
 * version too (a newer migration is breaking) or not recorded.
 *
 * <p>{@code CREATE} statements are idempotent ({@code IF NOT EXISTS}). {@code ALTER TABLE ... ADD} statements are
 * not: run each once, on a keyspace that does not have the column yet.
 */
public final class SchemaCql {

    private SchemaCql() {}

    /** The schema version of this engine release: what it records, and what it needs to start. */
    public static int version() {
        return Schema.latestVersion(Schema.MIGRATIONS);
    }

    /**
     * The statements that create the keyspace and every table of the current schema, in order, ending with the
     * one that records {@link #version()} and its {@code compatible_from}: a keyspace made with them is one the
     * engine starts on as it is.
     *
     * @param keyspace a valid keyspace name (a letter, then letters, digits or underscores, at most 48)
     * @throws IllegalArgumentException when the keyspace name is not valid
     */
    public static List<String> statements(String keyspace, Replication replication) {
        Objects.requireNonNull(replication, "replication");
        requireValid(keyspace);
        List<String> all = new ArrayList<>();
        all.add(Schema.createKeyspace(keyspace, replication));
        all.addAll(Schema.upgradeCql(keyspace, Schema.MIGRATIONS, 0, change -> true));
        return List.copyOf(all);
    }

    /**
     * The statements that take a keyspace from {@code fromVersion} to {@link #version()}, in order, ending with the
     * one that records the new version and its {@code compatible_from}; empty when {@code fromVersion} is the current version. A keyspace created
     * before schema versions existed, with no {@code id = 'schema'} row in {@code scheduler_meta}, is at version 1.
     *
     * @throws IllegalArgumentException when the keyspace name is not valid, or {@code fromVersion} is not between
     *     1 and {@link #version()}
     */
    public static List<String> upgradeStatements(String keyspace, int fromVersion) {
        requireValid(keyspace);
        if (fromVersion < 1 || fromVersion > version()) {
            throw new IllegalArgumentException("fromVersion must be between 1 and " + version()
                    + " (this engine's schema version), was " + fromVersion);
        }
        return Schema.upgradeCql(keyspace, Schema.MIGRATIONS, fromVersion, change -> true);
    }

    private static void requireValid(String keyspace) {
        if (keyspace == null || !keyspace.matches("[a-zA-Z][a-zA-Z0-9_]{0,47}")) {
            throw new IllegalArgumentException("keyspace '" + keyspace + "' is not a valid Cassandra keyspace name "
                    + "(a letter, then letters, digits or underscores, at most 48 characters)");
        }
    }
}
