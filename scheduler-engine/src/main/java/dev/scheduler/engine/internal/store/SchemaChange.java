package dev.scheduler.engine.internal.store;

import java.util.Locale;
import java.util.Objects;

/**
 * One step of a {@link Migration}: CQL with {@value #KEYSPACE} standing for the keyspace. Every step must be safe to
 * run again, because two engines may start at once and a crash may stop a migration half way:
 * {@link #statement} takes only {@code CREATE ... IF NOT EXISTS}, and {@link #addColumn} is run only when the column
 * is missing (Cassandra before 4.1 has no {@code ADD IF NOT EXISTS}).
 *
 * @param template the CQL, with {@value #KEYSPACE} for the keyspace
 * @param table    the table an added column belongs to; null for a statement
 * @param column   the added column; null for a statement
 */
public record SchemaChange(String template, String table, String column) {

    /** Stands for the keyspace in a template, as in docs/design.md. */
    public static final String KEYSPACE = "<ks>";

    private static final String NAME = "[a-z][a-z0-9_]{0,47}";

    public SchemaChange {
        Objects.requireNonNull(template, "template");
        if ((table == null) != (column == null)) {
            throw new IllegalArgumentException("table and column are both set (an added column) or both null");
        }
        String upper = template.toUpperCase(Locale.ROOT);
        if (table == null
                && (!upper.startsWith("CREATE ")
                        || !upper.contains(" IF NOT EXISTS ")
                        || !template.contains(KEYSPACE + "."))) {
            throw new IllegalArgumentException("a migration statement must be CREATE ... IF NOT EXISTS " + KEYSPACE
                    + ".<name> (add columns with addColumn): " + template);
        }
    }

    /**
     * A statement the migrator runs whenever its migration is pending, so it must be a no-op when already applied.
     *
     * @throws IllegalArgumentException when the statement is not a {@code CREATE ... IF NOT EXISTS} on the keyspace
     */
    public static SchemaChange statement(String template) {
        return new SchemaChange(template, null, null);
    }

    /** {@code ALTER TABLE <ks>.table ADD column cqlType}, run only when {@code system_schema} lacks the column. */
    public static SchemaChange addColumn(String table, String column, String cqlType) {
        if (!table.matches(NAME) || !column.matches(NAME)) {
            throw new IllegalArgumentException("table '" + table + "' and column '" + column
                    + "' must be lower-case CQL names (a letter, then letters, digits or underscores)");
        }
        return new SchemaChange(
                "ALTER TABLE " + KEYSPACE + "." + table + " ADD " + column + " " + cqlType, table, column);
    }

    public boolean addsColumn() {
        return column != null;
    }

    /** The statement for one keyspace. */
    public String cql(String keyspace) {
        return template.replace(KEYSPACE, keyspace);
    }
}
