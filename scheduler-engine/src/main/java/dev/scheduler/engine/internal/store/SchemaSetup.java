package dev.scheduler.engine.internal.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.EngineStartException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Prepares a keyspace at start: brings its schema to this engine's version with {@link SchemaMigrator} (or, without
 * {@link EngineSettings#createSchema()}, only checks it is there), then checks the layout recorded in
 * {@code scheduler_meta} on first start (topic, partition count, bucket size), which can never change. Blocking:
 * called by {@code start()} only.
 */
public final class SchemaSetup {

    private static final String LAYOUT_ID = "layout";
    private static final Duration DDL_TIMEOUT = Duration.ofSeconds(30);

    private final CqlSession session;
    private final String keyspace;
    private final EngineSettings settings;
    private final Clock clock;
    private final SchemaMigrator migrator;

    public SchemaSetup(CqlSession session, String keyspace, EngineSettings settings, Clock clock) {
        this(session, keyspace, settings, clock, Schema.MIGRATIONS);
    }

    /** With another migration list than {@link Schema#MIGRATIONS}: for tests of upgrades. */
    public SchemaSetup(
            CqlSession session, String keyspace, EngineSettings settings, Clock clock, List<Migration> migrations) {
        this.session = session;
        this.keyspace = keyspace;
        this.settings = settings;
        this.clock = clock;
        this.migrator = new SchemaMigrator(session, keyspace, settings, clock, migrations);
    }

    /**
     * @throws EngineStartException naming what is wrong: the keyspace unusable, behind this engine's schema version
     *     with createSchema false (with the CQL to run), newer than this engine with a breaking migration it does
     *     not know, or its recorded layout not matching this topic, partition count or bucket size
     */
    public void prepare(String topic, int partitionCount) {
        if (settings.createSchema()) {
            migrator.migrate(settings.replication());
        } else {
            migrator.requireCurrent(settings.replication());
        }
        checkLayout(topic, partitionCount);
    }

    private void checkLayout(String topic, int partitionCount) {
        long bucketMs = settings.bucketSize().toMillis();
        ResultSet inserted;
        try {
            inserted = session.execute(SimpleStatement.newInstance(
                            "INSERT INTO " + keyspace + ".scheduler_meta "
                                    + "(id, topic, partition_count, bucket_ms, created_at) VALUES (?, ?, ?, ?, ?) IF NOT EXISTS",
                            LAYOUT_ID,
                            topic,
                            partitionCount,
                            bucketMs,
                            clock.instant())
                    .setTimeout(DDL_TIMEOUT));
        } catch (RuntimeException e) {
            throw new EngineStartException(
                    "cannot record the layout in keyspace '" + keyspace + "': " + e.getMessage(), e);
        }
        if (inserted.wasApplied()) {
            return;
        }
        Row row = inserted.one();
        String recordedTopic = row.getString("topic");
        int recordedPartitions = row.getInt("partition_count");
        long recordedBucket = row.getLong("bucket_ms");
        if (!topic.equals(recordedTopic)) {
            throw new EngineStartException("keyspace '" + keyspace + "' holds the tasks of topic '" + recordedTopic
                    + "', not '" + topic + "': use one keyspace per topic");
        }
        if (recordedPartitions != partitionCount) {
            throw new EngineStartException("topic '" + topic + "' now has " + partitionCount + " partitions but "
                    + "its tasks were stored for " + recordedPartitions + "; the partition count of a scheduler "
                    + "topic can never change (tasks and their order are placed by it)");
        }
        if (recordedBucket != bucketMs) {
            throw new EngineStartException("settings.bucketSize is " + settings.bucketSize() + " but keyspace '"
                    + keyspace + "' was created with " + Duration.ofMillis(recordedBucket)
                    + "; the bucket size can never change");
        }
    }
}
