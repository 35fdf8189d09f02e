package dev.scheduler.engine;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import dev.scheduler.client.TaskLimits;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * Every tuning knob of the engine, immutable, with documented defaults. Build with {@link #builder()};
 * {@link #defaults()} is what an engine uses when given none.
 *
 * @param lookAhead tasks due within this window are held in memory and fired by a timer at their time;
 *     later ones wait in Cassandra. Default 60 s.
 * @param loadInterval how often each partition checks whether to load the next window from Cassandra.
 *     Default 1 s.
 * @param loadBatchSize rows read from Cassandra per load query. Default 2,000.
 * @param maxTasksInMemoryPerPartition hard bound on tasks a partition holds in memory (waiting, queued,
 *     running, awaiting retry), including those arriving from Kafka; beyond it the latest tasks are left
 *     to Cassandra and loaded later. Default 50,000.
 * @param maxUnpersistedRecordsPerPartition Kafka records of one partition handed to the engine but not yet
 *     durable in Cassandra; beyond it that partition's fetch is paused. Default 20,000.
 * @param bucketSize tasks are stored in Cassandra partitions of (Kafka partition, time bucket of this size).
 *     Recorded in the keyspace on first start; an engine with another value refuses to start. Default 1 min.
 * @param executionThreads threads of the pool that runs {@link TaskExecutor}s (shared by all partitions).
 *     Default 32.
 * @param maxRunningPerPartition attempts running at once per partition (each of a different ordering id).
 *     Default 64.
 * @param executionTimeout an attempt running longer fails (and is retried per policy). Default 60 s.
 * @param retryPolicy how failed attempts are retried. Default {@link RetryPolicy#defaults()}.
 * @param retention how long a finished (succeeded, failed, cancelled) task, its attempts and dead-lettered
 *     records are kept; while kept, the same key never runs again. Default 14 days.
 * @param shutdownTimeout how long a stopping engine (or a partition being handed off) waits for running
 *     attempts to finish. Default 30 s.
 * @param commitInterval how often durable Kafka offsets are committed. Default 1 s.
 * @param storeRetryMinBackoff first wait before a failed Cassandra call is retried. Default 100 ms.
 * @param storeRetryMaxBackoff cap on that wait; calls are retried until they succeed. Default 10 s.
 * @param createSchema create keyspace and tables when absent and upgrade an older schema version; when false, run
 *     no DDL and refuse to start on a missing or older schema, with the CQL to run in the message. Default true.
 * @param replication replication of a keyspace the engine creates. Default SimpleStrategy, factor 1.
 * @param readConsistency consistency of reads, a driver level name. Default LOCAL_QUORUM.
 * @param writeConsistency consistency of writes. Default LOCAL_QUORUM.
 * @param serialConsistency consistency of the compare-and-set used by cancels. Default LOCAL_SERIAL.
 * @param ownerLease how long a confirmation of partition ownership in Cassandra lasts; this instance starts
 *     tasks and records outcomes for five sixths of it, so that its last writes land within it; renewed every
 *     third of it. An instance that takes a partition over from one that
 *     did not release it waits this long before starting tasks. Keep it below the consumer session timeout.
 *     Default 3 s.
 * @param leaveGroupAfter how long Cassandra may fail to answer this instance's heartbeat (writes or reads) before
 *     the instance leaves the consumer group, so that healthy instances take its partitions over; it keeps
 *     probing and rejoins once Cassandra has answered it for a lease (longer after each flap). At least the
 *     owner lease. Default 6 s.
 * @param limits limits a task read from Kafka must meet; records beyond them are dead-lettered. Default
 *     {@link TaskLimits#defaults()}: keep it equal to the clients'.
 */
public record EngineSettings(
        Duration lookAhead,
        Duration loadInterval,
        int loadBatchSize,
        int maxTasksInMemoryPerPartition,
        int maxUnpersistedRecordsPerPartition,
        Duration bucketSize,
        int executionThreads,
        int maxRunningPerPartition,
        Duration executionTimeout,
        RetryPolicy retryPolicy,
        Duration retention,
        Duration shutdownTimeout,
        Duration commitInterval,
        Duration storeRetryMinBackoff,
        Duration storeRetryMaxBackoff,
        boolean createSchema,
        Replication replication,
        String readConsistency,
        String writeConsistency,
        String serialConsistency,
        Duration ownerLease,
        Duration leaveGroupAfter,
        TaskLimits limits) {

    public EngineSettings {
        positive("lookAhead", lookAhead);
        positive("loadInterval", loadInterval);
        atLeast("loadBatchSize", loadBatchSize, 1);
        atLeast("maxTasksInMemoryPerPartition", maxTasksInMemoryPerPartition, 10);
        atLeast("maxUnpersistedRecordsPerPartition", maxUnpersistedRecordsPerPartition, 1);
        positive("bucketSize", bucketSize);
        if (bucketSize.toMillis() < 1000 || bucketSize.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException(
                    "bucketSize must be a whole number of seconds, at least 1 s, was " + bucketSize);
        }
        atLeast("executionThreads", executionThreads, 1);
        atLeast("maxRunningPerPartition", maxRunningPerPartition, 1);
        positive("executionTimeout", executionTimeout);
        Objects.requireNonNull(retryPolicy, "retryPolicy");
        positive("retention", retention);
        if (retention.toSeconds() > 20L * 365 * 24 * 3600) {
            throw new IllegalArgumentException(
                    "retention must be at most 20 years (Cassandra's TTL limit), was " + retention);
        }
        positive("shutdownTimeout", shutdownTimeout);
        positive("commitInterval", commitInterval);
        positive("storeRetryMinBackoff", storeRetryMinBackoff);
        positive("storeRetryMaxBackoff", storeRetryMaxBackoff);
        if (storeRetryMaxBackoff.compareTo(storeRetryMinBackoff) < 0) {
            throw new IllegalArgumentException("storeRetryMaxBackoff (" + storeRetryMaxBackoff
                    + ") must not be less than storeRetryMinBackoff (" + storeRetryMinBackoff + ")");
        }
        Objects.requireNonNull(replication, "replication");
        consistency("readConsistency", readConsistency, false);
        consistency("writeConsistency", writeConsistency, false);
        consistency("serialConsistency", serialConsistency, true);
        positive("ownerLease", ownerLease);
        if (ownerLease.toMillis() < 300) {
            throw new IllegalArgumentException("ownerLease must be at least 300 ms, was " + ownerLease);
        }
        positive("leaveGroupAfter", leaveGroupAfter);
        if (leaveGroupAfter.compareTo(ownerLease) < 0) {
            throw new IllegalArgumentException(
                    "leaveGroupAfter (" + leaveGroupAfter + ") must not be less than ownerLease (" + ownerLease + ")");
        }
        Objects.requireNonNull(limits, "limits");
    }

    /** A driver consistency level by name; a serial one (SERIAL, LOCAL_SERIAL) exactly where {@code serial}. */
    private static void consistency(String name, String value, boolean serial) {
        Objects.requireNonNull(value, name);
        DefaultConsistencyLevel level;
        try {
            level = DefaultConsistencyLevel.valueOf(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    name + " '" + value + "' is not a Cassandra consistency level; use one of "
                            + Arrays.toString(DefaultConsistencyLevel.values()),
                    e);
        }
        if (level.isSerial() != serial) {
            throw new IllegalArgumentException(name + " '" + value + "' must be "
                    + (serial
                            ? "a serial level (SERIAL or LOCAL_SERIAL)"
                            : "a level that is not serial (for example LOCAL_QUORUM)"));
        }
    }

    private static void positive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + value);
        }
    }

    private static void atLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", was " + value);
        }
    }

    /** The defaults listed on this record. */
    public static EngineSettings defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.lookAhead = lookAhead;
        b.loadInterval = loadInterval;
        b.loadBatchSize = loadBatchSize;
        b.maxTasksInMemoryPerPartition = maxTasksInMemoryPerPartition;
        b.maxUnpersistedRecordsPerPartition = maxUnpersistedRecordsPerPartition;
        b.bucketSize = bucketSize;
        b.executionThreads = executionThreads;
        b.maxRunningPerPartition = maxRunningPerPartition;
        b.executionTimeout = executionTimeout;
        b.retryPolicy = retryPolicy;
        b.retention = retention;
        b.shutdownTimeout = shutdownTimeout;
        b.commitInterval = commitInterval;
        b.storeRetryMinBackoff = storeRetryMinBackoff;
        b.storeRetryMaxBackoff = storeRetryMaxBackoff;
        b.createSchema = createSchema;
        b.replication = replication;
        b.readConsistency = readConsistency;
        b.writeConsistency = writeConsistency;
        b.serialConsistency = serialConsistency;
        b.ownerLease = ownerLease;
        b.leaveGroupAfter = leaveGroupAfter;
        b.limits = limits;
        return b;
    }

    /** Builds {@link EngineSettings}; every setter's default is the one documented on the record. */
    public static final class Builder {
        private Duration lookAhead = Duration.ofSeconds(60);
        private Duration loadInterval = Duration.ofSeconds(1);
        private int loadBatchSize = 2_000;
        private int maxTasksInMemoryPerPartition = 50_000;
        private int maxUnpersistedRecordsPerPartition = 20_000;
        private Duration bucketSize = Duration.ofMinutes(1);
        private int executionThreads = 32;
        private int maxRunningPerPartition = 64;
        private Duration executionTimeout = Duration.ofSeconds(60);
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private Duration retention = Duration.ofDays(14);
        private Duration shutdownTimeout = Duration.ofSeconds(30);
        private Duration commitInterval = Duration.ofSeconds(1);
        private Duration storeRetryMinBackoff = Duration.ofMillis(100);
        private Duration storeRetryMaxBackoff = Duration.ofSeconds(10);
        private boolean createSchema = true;
        private Replication replication = Replication.simple(1);
        private String readConsistency = "LOCAL_QUORUM";
        private String writeConsistency = "LOCAL_QUORUM";
        private String serialConsistency = "LOCAL_SERIAL";
        private Duration ownerLease = Duration.ofSeconds(3);
        private Duration leaveGroupAfter = Duration.ofSeconds(6);
        private TaskLimits limits = TaskLimits.defaults();

        private Builder() {}

        /** Default 60 s. */
        public Builder lookAhead(Duration v) {
            lookAhead = v;
            return this;
        }
        /** Default 1 s. */
        public Builder loadInterval(Duration v) {
            loadInterval = v;
            return this;
        }
        /** Default 2,000. */
        public Builder loadBatchSize(int v) {
            loadBatchSize = v;
            return this;
        }
        /** Default 50,000. */
        public Builder maxTasksInMemoryPerPartition(int v) {
            maxTasksInMemoryPerPartition = v;
            return this;
        }
        /** Default 20,000. */
        public Builder maxUnpersistedRecordsPerPartition(int v) {
            maxUnpersistedRecordsPerPartition = v;
            return this;
        }
        /** Default 1 min; fixed for the life of a keyspace. */
        public Builder bucketSize(Duration v) {
            bucketSize = v;
            return this;
        }
        /** Default 32. */
        public Builder executionThreads(int v) {
            executionThreads = v;
            return this;
        }
        /** Default 64. */
        public Builder maxRunningPerPartition(int v) {
            maxRunningPerPartition = v;
            return this;
        }
        /** Default 60 s. */
        public Builder executionTimeout(Duration v) {
            executionTimeout = v;
            return this;
        }
        /** Default {@link RetryPolicy#defaults()}. */
        public Builder retryPolicy(RetryPolicy v) {
            retryPolicy = v;
            return this;
        }
        /** Default 14 days. */
        public Builder retention(Duration v) {
            retention = v;
            return this;
        }
        /** Default 30 s. */
        public Builder shutdownTimeout(Duration v) {
            shutdownTimeout = v;
            return this;
        }
        /** Default 1 s. */
        public Builder commitInterval(Duration v) {
            commitInterval = v;
            return this;
        }
        /** Defaults 100 ms and 10 s. */
        public Builder storeRetryBackoff(Duration min, Duration max) {
            storeRetryMinBackoff = min;
            storeRetryMaxBackoff = max;
            return this;
        }
        /** Default true. */
        public Builder createSchema(boolean v) {
            createSchema = v;
            return this;
        }
        /** Default SimpleStrategy with factor 1. */
        public Builder replication(Replication v) {
            replication = v;
            return this;
        }
        /** Defaults LOCAL_QUORUM, LOCAL_QUORUM and LOCAL_SERIAL. */
        public Builder consistency(String read, String write, String serial) {
            readConsistency = read;
            writeConsistency = write;
            serialConsistency = serial;
            return this;
        }
        /** Default 3 s. */
        public Builder ownerLease(Duration v) {
            ownerLease = v;
            return this;
        }
        /** Default 6 s. */
        public Builder leaveGroupAfter(Duration v) {
            leaveGroupAfter = v;
            return this;
        }
        /** Default {@link TaskLimits#defaults()}. */
        public Builder limits(TaskLimits v) {
            limits = v;
            return this;
        }

        /** Validates and builds; a bad value fails with a message naming the setting and its limit. */
        public EngineSettings build() {
            return new EngineSettings(
                    lookAhead,
                    loadInterval,
                    loadBatchSize,
                    maxTasksInMemoryPerPartition,
                    maxUnpersistedRecordsPerPartition,
                    bucketSize,
                    executionThreads,
                    maxRunningPerPartition,
                    executionTimeout,
                    retryPolicy,
                    retention,
                    shutdownTimeout,
                    commitInterval,
                    storeRetryMinBackoff,
                    storeRetryMaxBackoff,
                    createSchema,
                    replication,
                    readConsistency,
                    writeConsistency,
                    serialConsistency,
                    ownerLease,
                    leaveGroupAfter,
                    limits);
        }
    }
}
