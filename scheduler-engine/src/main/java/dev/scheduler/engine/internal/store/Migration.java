package dev.scheduler.engine.internal.store;

import java.util.List;
import java.util.Objects;

/**
 * The changes that take a keyspace from schema version {@code version - 1} to {@code version}. The list of every
 * migration is {@link Schema#MIGRATIONS}.
 *
 * <p>Most migrations are additive: an engine that knows only the earlier versions keeps working on a keyspace that
 * has them, because it ignores the added tables and columns. A migration is <em>breaking</em> when it is not: when
 * such an engine would do wrong on the keyspace once engines that know the migration use it (for example, they keep
 * something where older engines do not look). The keyspace records {@code compatible_from}, the version of the
 * newest breaking migration it has ({@link Schema#compatibleFrom}), and engines that know less refuse to start on it.
 *
 * @param version     from 1, one more than the previous migration's
 * @param description what the version adds, for logs and for operators
 * @param changes     run in order; each one safe to run again
 * @param breaking    whether engines that know only earlier versions can no longer run on a keyspace that has it
 */
public record Migration(int version, String description, List<SchemaChange> changes, boolean breaking) {

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

    /** An additive migration: engines that know only earlier versions still run on a keyspace that has it. */
    public Migration(int version, String description, List<SchemaChange> changes) {
        this(version, description, changes, false);
    }
}
