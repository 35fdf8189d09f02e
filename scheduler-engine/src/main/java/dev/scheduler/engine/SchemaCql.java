package dev.scheduler.engine;

import dev.scheduler.engine.internal.store.Schema;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The CQL of the engine's keyspace and tables, for operators who create the schema themselves
 * ({@link EngineSettings#createSchema()} false) and for tools that need the tables without an engine.
 * The statements are idempotent ({@code IF NOT EXISTS}) and are what a starting engine runs itself.
 */
public final class SchemaCql {

    private SchemaCql() {
    }

    /**
     * The statements that create the keyspace and every table of the current schema, in order.
     *
     * @param keyspace a valid keyspace name (a letter, then letters, digits or underscores, at most 48)
     * @throws IllegalArgumentException when the keyspace name is not valid
     */
    public static List<String> statements(String keyspace, Replication replication) {
        Objects.requireNonNull(replication, "replication");
        if (keyspace == null || !keyspace.matches("[a-zA-Z][a-zA-Z0-9_]{0,47}")) {
            throw new IllegalArgumentException("keyspace '" + keyspace + "' is not a valid Cassandra keyspace name "
                    + "(a letter, then letters, digits or underscores, at most 48 characters)");
        }
        List<String> all = new ArrayList<>();
        all.add(Schema.createKeyspace(keyspace, replication));
        all.addAll(Schema.createTables(keyspace));
        return List.copyOf(all);
    }
}
