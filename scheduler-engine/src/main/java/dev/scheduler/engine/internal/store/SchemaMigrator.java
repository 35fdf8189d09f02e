package dev.scheduler.engine.internal.store;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.EngineStartException;
import dev.scheduler.engine.Replication;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a keyspace to the newest version of a migration list, or says what CQL would. The version is the
 * {@code version} column of the {@code scheduler_meta} row {@code id = 'schema'}; a keyspace with the tables but no
 * version recorded is at version 1. Safe when several engines start at once: every change can run twice, and the
 * version is recorded with a compare-and-set that only moves it forward. Blocking: called by {@code start()} only.
 *
 * <p>A keyspace newer than the list is accepted as it is when its {@code compatible_from} column, recorded with the
 * version ({@link Schema#compatibleFrom}), is at most the list's newest version: the newer migrations are additive.
 * Otherwise, or when it records no {@code compatible_from} (counted as its version), the engine refuses to start.
 */
public final class SchemaMigrator {

    private static final Logger log = LoggerFactory.getLogger(SchemaMigrator.class);
    private static final Duration DDL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration AGREEMENT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(10);
    private static final int RECORD_ATTEMPTS = 10;

    /**
     * What a keyspace holds.
     *
     * @param keyspaceExists whether the keyspace exists at all
     * @param version        its schema version; 0 when it has no tables (or not those of version 1 yet)
     * @param compatibleFrom its recorded {@code compatible_from}; null when none is recorded
     */
    public record State(boolean keyspaceExists, int version, Integer compatibleFrom) {

        public State(boolean keyspaceExists, int version) {
            this(keyspaceExists, version, null);
        }

        /** The oldest version an engine may know and still run on the keyspace; its version when none is recorded. */
        public int oldestCompatible() {
            return compatibleFrom == null ? version : compatibleFrom;
        }
    }

    private final CqlSession session;
    private final String keyspace;
    private final List<Migration> migrations;
    private final int latest;
    private final Clock clock;
    private final ConsistencyLevel read;
    private final ConsistencyLevel write;
    private final ConsistencyLevel serial;

    /**
     * @param migrations normally {@link Schema#MIGRATIONS}; tests pass longer lists
     * @throws IllegalArgumentException when the list is not versions 1, 2, 3... reaching
     *     {@link Schema#FIRST_RECORDED_VERSION}
     */
    public SchemaMigrator(
            CqlSession session, String keyspace, EngineSettings settings, Clock clock, List<Migration> migrations) {
        this.session = session;
        this.keyspace = keyspace;
        this.migrations = List.copyOf(migrations);
        this.latest = Schema.latestVersion(this.migrations);
        this.clock = clock;
        this.read = DefaultConsistencyLevel.valueOf(settings.readConsistency());
        this.write = DefaultConsistencyLevel.valueOf(settings.writeConsistency());
        this.serial = DefaultConsistencyLevel.valueOf(settings.serialConsistency());
    }

    /** Reads the keyspace's state from {@code system_schema} and {@code scheduler_meta}. */
    public State state() {
        // Unquoted names are stored in lower case.
        String ks = keyspace.toLowerCase(Locale.ROOT);
        if (select("SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?", ks)
                .isEmpty()) {
            return new State(false, 0);
        }
        Set<String> tables = select("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", ks);
        if (!tables.contains("scheduler_meta")) {
            return new State(true, 0);
        }
        Set<String> meta = columns("scheduler_meta");
        if (!meta.contains("version") || !meta.contains(Schema.COMPATIBLE_FROM)) {
            // Made before versions, or migration 2 stopped before adding its last column.
            return new State(true, 1);
        }
        Row row = run(
                        SimpleStatement.newInstance(
                                        "SELECT version, " + Schema.COMPATIBLE_FROM + " FROM " + keyspace
                                                + ".scheduler_meta WHERE id = ?",
                                        Schema.VERSION_ROW)
                                .setConsistencyLevel(read),
                        "reading the schema version")
                .one();
        Integer version = intOrNull(row, "version");
        // The columns exist but no version is recorded: migration 2 stopped before its record.
        return version == null ? new State(true, 1) : new State(true, version, intOrNull(row, Schema.COMPATIBLE_FROM));
    }

    /**
     * Applies every missing migration in order and records the new version; does nothing when the keyspace is
     * current, or newer but compatible.
     *
     * @param replication used only if the keyspace does not exist
     * @return the version the keyspace is at now: newer than this engine's when it is compatible
     * @throws EngineStartException when the keyspace is newer than this engine and not compatible with it, or a
     *     change fails
     */
    public int migrate(Replication replication) {
        State state = state();
        checkNewer(state);
        if (state.version() >= latest) {
            return state.version();
        }
        if (!state.keyspaceExists()) {
            ddl(Schema.createKeyspace(keyspace, replication), null, "creating the keyspace");
        }
        for (Migration m : migrations.subList(state.version(), latest)) {
            String what = "schema migration " + m.version() + " (" + m.description() + ")";
            for (SchemaChange change : m.changes()) {
                ddl(change.cql(keyspace), change, what);
            }
            if (m.version() >= Schema.FIRST_RECORDED_VERSION) {
                // Recorded after each migration, so that a start that fails half way resumes where it stopped.
                record(m.version());
            }
            log.info("keyspace {}: applied {}", keyspace, what);
        }
        // Some changes may have been made by another engine starting meanwhile, whose agreement we did not see.
        awaitSchemaAgreement("schema migrations up to version " + latest);
        return latest;
    }

    /**
     * For {@code createSchema=false}: checks the keyspace is current without changing it.
     *
     * @param replication printed in the {@code CREATE KEYSPACE} statement if the keyspace does not exist
     * @throws EngineStartException when it is behind, with the CQL that would bring it up to date, one per line, or
     *     newer and not compatible with this engine
     */
    public void requireCurrent(Replication replication) {
        State state = state();
        checkNewer(state);
        if (state.version() >= latest) {
            return;
        }
        List<String> cql = new ArrayList<>();
        if (!state.keyspaceExists()) {
            cql.add(Schema.createKeyspace(keyspace, replication));
        }
        // A column already added by hand (an upgrade run half way) is left out: adding it again would fail.
        cql.addAll(Schema.upgradeCql(
                keyspace,
                migrations,
                state.version(),
                change -> !change.addsColumn() || !columns(change.table()).contains(change.column())));
        throw new EngineStartException(behindMessage(keyspace, state, latest, cql));
    }

    /** The message of {@link #requireCurrent}: what is wrong, then each statement on its own line. */
    static String behindMessage(String keyspace, State state, int latest, List<String> cql) {
        String problem;
        if (!state.keyspaceExists()) {
            problem = "keyspace '" + keyspace + "' does not exist";
        } else if (state.version() == 0) {
            problem = "keyspace '" + keyspace + "' has none of the scheduler's tables";
        } else {
            problem = "keyspace '" + keyspace + "' is at schema version " + state.version()
                    + " but this engine needs version " + latest;
        }
        StringBuilder message = new StringBuilder(problem)
                .append(", and createSchema is false, so the engine "
                        + "changes no schema itself. Run this CQL, then start the engine again:");
        for (String statement : cql) {
            message.append('\n').append(statement).append(';');
        }
        return message.toString();
    }

    /**
     * Lets this engine run on a keyspace newer than it knows only when the newer migrations are additive, saying so
     * in the log; refuses otherwise.
     */
    private void checkNewer(State state) {
        if (state.version() <= latest) {
            return;
        }
        if (state.oldestCompatible() > latest) {
            throw new EngineStartException(newerRefusal(keyspace, state, latest));
        }
        log.warn(newerAccepted(keyspace, state, latest));
    }

    /** The message of the refusal to start on a keyspace that is newer and not compatible. */
    static String newerRefusal(String keyspace, State state, int latest) {
        int oldest = state.oldestCompatible();
        String problem = "keyspace '" + keyspace + "' is at schema version " + state.version()
                + ", newer than this engine knows (up to " + latest + "), and ";
        String fix = ". Run a release that knows schema version " + oldest + " or later; an engine never downgrades "
                + "a schema";
        if (state.compatibleFrom() == null) {
            return problem + "it records no " + Schema.COMPATIBLE_FROM + ", so only an engine that knows version "
                    + oldest + " or later may run on it" + fix;
        }
        return problem + "its " + Schema.COMPATIBLE_FROM + " is " + oldest + ": migration " + oldest + " is "
                + "breaking, so only an engine that knows version " + oldest + " or later may run on it" + fix
                + ", so a deploy cannot be rolled back past a breaking migration";
    }

    /** The log line of a start on a keyspace that is newer but compatible. */
    static String newerAccepted(String keyspace, State state, int latest) {
        return "keyspace '" + keyspace + "' is at schema version " + state.version()
                + ", newer than this engine knows (up to " + latest + "): a newer release upgraded it. Starting "
                + "anyway: its " + Schema.COMPATIBLE_FROM + " is " + state.oldestCompatible() + ", so the "
                + "migrations after version " + latest + " are additive and this engine runs on it as it is. "
                + "Expected while a rolling deploy or a rollback is under way; deploy the newer release to finish";
    }

    /**
     * Moves the recorded version up to {@code version}, never down, whatever other engines record meanwhile. Its
     * {@code compatible_from} is written with it, and the compare-and-set is on both, so a pair read is the pair
     * recorded.
     */
    private void record(int version) {
        int compatibleFrom = Schema.compatibleFrom(migrations, version);
        Instant now = clock.instant();
        // What is recorded, as far as this engine knows: at first nothing ("IF version = null" also applies when the
        // row does not exist), then what the last refused compare-and-set found.
        Integer recorded = null;
        Integer recordedFrom = null;
        for (int attempt = 1; ; attempt++) {
            ResultSet rs = lwt(version, compatibleFrom, now, recorded, recordedFrom);
            if (rs.wasApplied()) {
                return;
            }
            Row current = rs.one();
            recorded = intOrNull(current, "version");
            recordedFrom = intOrNull(current, Schema.COMPATIBLE_FROM);
            if (recorded != null && recorded >= version) {
                // Another engine got there first, perhaps further: fine unless this one cannot run on that.
                checkNewer(new State(true, recorded, recordedFrom));
                return;
            }
            if (attempt >= RECORD_ATTEMPTS) {
                throw new EngineStartException("could not record schema version " + version + " in keyspace '"
                        + keyspace + "': it kept changing under " + RECORD_ATTEMPTS + " compare-and-sets");
            }
        }
    }

    private ResultSet lwt(int version, int compatibleFrom, Instant now, Integer recorded, Integer recordedFrom) {
        List<Object> values = new ArrayList<>(List.of(version, compatibleFrom, now, Schema.VERSION_ROW));
        String cql = "UPDATE " + keyspace + ".scheduler_meta SET version = ?, " + Schema.COMPATIBLE_FROM
                + " = ?, applied_at = ? WHERE id = ? IF " + condition("version", recorded, values) + " AND "
                + condition(Schema.COMPATIBLE_FROM, recordedFrom, values);
        return run(
                SimpleStatement.newInstance(cql, values.toArray())
                        .setConsistencyLevel(write)
                        .setSerialConsistencyLevel(serial),
                "recording schema version " + version);
    }

    private static String condition(String column, Integer expected, List<Object> values) {
        if (expected == null) {
            return column + " = null";
        }
        values.add(expected);
        return column + " = ?";
    }

    /** A column of a row; null when the row is missing, lacks the column (a refused compare-and-set) or it is null. */
    private static Integer intOrNull(Row row, String column) {
        return row == null || !row.getColumnDefinitions().contains(column) || row.isNull(column)
                ? null
                : row.getInt(column);
    }

    /**
     * Runs one change. An added column is not looked up in {@code system_schema} first: a node lists a column there a
     * moment before it accepts statements using it, so an engine that skipped the ALTER could fail on the column
     * right after. The ALTER itself is refused only once the node knows the column, so its refusal is the safe sign
     * that another engine (or an earlier start) added it.
     */
    private void ddl(String cql, SchemaChange change, String what) {
        ResultSet rs;
        try {
            rs = settled(SimpleStatement.newInstance(cql));
        } catch (InvalidQueryException e) {
            if (change != null
                    && change.addsColumn()
                    && (isDuplicateColumn(e.getMessage())
                            || columns(change.table()).contains(change.column()))) {
                log.info(
                        "keyspace {}: column {}.{} is there already (added by an engine starting at the same time, "
                                + "or by an earlier start)",
                        keyspace,
                        change.table(),
                        change.column());
                return;
            }
            throw failed(what, cql, e);
        } catch (RuntimeException e) {
            throw failed(what, cql, e);
        }
        if (!rs.getExecutionInfo().isSchemaInAgreement()) {
            awaitSchemaAgreement(cql);
        }
    }

    /**
     * Executes a statement, retrying for up to {@link #SETTLE_TIMEOUT} while this node says a table, column or the
     * keyspace does not exist although {@code system_schema} listed it: the DDL of an engine starting at the same
     * time is still being applied.
     */
    private ResultSet settled(SimpleStatement statement) {
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        while (true) {
            try {
                return session.execute(statement.setTimeout(DDL_TIMEOUT));
            } catch (InvalidQueryException e) {
                if (!isUnknownSchema(e.getMessage()) || System.nanoTime() > deadline) {
                    throw e;
                }
                log.debug("keyspace {}: waiting for this node to apply a schema change ({})", keyspace, e.getMessage());
            }
            pause(Duration.ofMillis(100));
        }
    }

    static boolean isUnknownSchema(String message) {
        return message != null
                && (message.contains("unconfigured table")
                        || message.contains("Undefined column name")
                        || message.contains("doesn't exist")
                        || message.contains("does not exist"));
    }

    /** Cassandra 4 and 5 say "already exists", 3.x "conflicts with an existing column"; system_schema is the backstop. */
    static boolean isDuplicateColumn(String message) {
        return message != null
                && (message.contains("already exists") || message.contains("conflicts with an existing column"));
    }

    private EngineStartException failed(String what, String cql, RuntimeException e) {
        return new EngineStartException(
                what + " failed in keyspace '" + keyspace + "' on: " + cql + ": " + e.getMessage(), e);
    }

    // The driver already waits a while for agreement; a node that lags longer would reject the new tables.
    private void awaitSchemaAgreement(String cql) {
        long deadline = System.nanoTime() + AGREEMENT_TIMEOUT.toNanos();
        while (!session.checkSchemaAgreement()) {
            if (System.nanoTime() > deadline) {
                throw new EngineStartException(
                        "the Cassandra nodes do not agree on the schema " + AGREEMENT_TIMEOUT.toSeconds() + " s after: "
                                + cql + " (see nodetool describecluster); start again once they do");
            }
            pause(Duration.ofMillis(200));
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineStartException("interrupted while preparing the schema", e);
        }
    }

    private Set<String> columns(String table) {
        return select(
                "SELECT column_name FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?",
                keyspace.toLowerCase(Locale.ROOT),
                table);
    }

    private Set<String> select(String cql, Object... values) {
        Set<String> names = new HashSet<>();
        for (Row row : run(SimpleStatement.newInstance(cql, values), "reading the schema")) {
            names.add(row.getString(0));
        }
        return names;
    }

    private ResultSet run(SimpleStatement statement, String what) {
        try {
            return settled(statement);
        } catch (RuntimeException e) {
            throw new EngineStartException(what + " of keyspace '" + keyspace + "' failed: " + e.getMessage(), e);
        }
    }
}
