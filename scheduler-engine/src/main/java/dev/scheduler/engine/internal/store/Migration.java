package dev.scheduler.engine.internal.store;

import java.util.List;
import java.util.Objects;

/**
 * The changes that take a keyspace from schema version {@code version - 1} to {@code version}. The list of every
 * migration is {@link Schema#MIGRATIONS}.
 *
 * @param version     from 1, one more than the previous migration's
 * @param description what the version adds, for logs and for operators
 * @param changes     run in order; each one safe to run again
 */
public record Migration(int version, String description, List<SchemaChange> changes) {

    public Migration {
        if (version < 1) {
            throw new IllegalArgumentException("a migration version starts at 1, was " + version);
        }
        Objects.requireNonNull(description, "description");
        changes = List.copyOf(changes);
        if (changes.isEmpty()) {
            throw new IllegalArgumentException("migration " + version + " changes nothing");
        }
    }
}
