package dev.scheduler.engine;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.scheduler.client.SchedulerClient;
import dev.scheduler.client.SchedulerTopics;
import dev.scheduler.client.TaskKey;
import dev.scheduler.client.TaskPartitioner;
import dev.scheduler.engine.admin.AdminServer;
import dev.scheduler.engine.admin.AdminServerSettings;
import dev.scheduler.engine.admin.AdminService;
import dev.scheduler.engine.internal.ActivityStats;
import dev.scheduler.engine.internal.CassandraTaskStore;
import dev.scheduler.engine.internal.EngineAdmin;
import dev.scheduler.engine.internal.EngineMetrics;
import dev.scheduler.engine.internal.FanOutListener;
import dev.scheduler.engine.internal.MicrometerEngineMetrics;
import dev.scheduler.engine.metrics.MicrometerMetrics;
import dev.scheduler.engine.internal.EngineGuardian;
import dev.scheduler.engine.internal.ExecutionGateway;
import dev.scheduler.engine.internal.PartitionHandle;
import dev.scheduler.engine.internal.PartitionScheduler;
import dev.scheduler.engine.internal.TaskConsumer;
import dev.scheduler.engine.internal.TaskListenerBridge;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs scheduled tasks: embed one in every instance of your service. Instances sharing a Kafka consumer group
 * split the topic's partitions; each runs the tasks of its partitions through your {@link TaskExecutor} at
 * their time, one at a time per ordering id, and records every attempt in Cassandra.
 *
 * <pre>{@code
 * SchedulerEngine engine = SchedulerEngine.builder()
 *     .bootstrapServers("kafka:9092").topic("tasks").groupId("my-service")
 *     .cassandra(new InetSocketAddress("cassandra", 9042), "dc1").keyspace("my_service_tasks")
 *     .taskExecutor(ctx -> notify(ctx.data()))
 *     .build();
 * engine.start();
 * ...
 * engine.close();
 * }</pre>
 *
 * <p>{@link #start()} blocks until the schema is checked and the consumer is running; {@link #close()} blocks
 * until running attempts finished (up to {@link EngineSettings#shutdownTimeout()}), offsets are committed and
 * the instance left the group. Thread-safe.
 */
public final class SchedulerEngine implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SchedulerEngine.class);
    private static final String LAYOUT_ID = "layout";

    private final Builder b;
    private final EngineSettings settings;
    private final Clock clock;
    private CqlSession session;
    private boolean ownsSession;
    private CassandraTaskStore store;
    private ExecutorService pool;
    private ActorSystem<EngineGuardian.SpawnPartition> system;
    private TaskConsumer consumer;
    private Thread pollThread;
    private int partitionCount;
    private EngineMetrics metrics = EngineMetrics.NONE;
    private EngineAdmin admin;
    private AdminServer adminServer;
    private volatile State state = State.NEW;
    private SchedulerClient commandClient;

    private enum State { NEW, RUNNING, CLOSED }

    private SchedulerEngine(Builder b) {
        this.b = b;
        this.settings = b.settings;
        this.clock = b.clock;
    }

    /** A builder; see each setter for its default. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Connects to Cassandra, creates or checks the schema, checks the topic's partition count against the one
     * recorded, and starts consuming. Blocking; call it once.
     *
     * @throws EngineStartException naming what is wrong (unreachable server, changed partition count or
     *     bucket size, missing topic); nothing is left running then
     */
    public synchronized SchedulerEngine start() {
        if (state != State.NEW) {
            throw new IllegalStateException("start() may be called once, on a new engine; this one is " + state);
        }
        try {
            session = b.session != null ? b.session : openSession();
            ownsSession = b.session == null;
            partitionCount = topicPartitionCount();
            prepareSchema();
            store = new CassandraTaskStore(session, b.keyspace, settings, clock);
            AtomicInteger threads = new AtomicInteger();
            pool = new ThreadPoolExecutor(settings.executionThreads(), settings.executionThreads(), 60, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), r -> {
                        Thread t = new Thread(r, "scheduler-executor-" + threads.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            ExecutionGateway gateway = new ExecutionGateway(pool, b.executor, b.asyncExecutor,
                    settings.executionTimeout());
            // Only built when asked for: MicrometerEngineMetrics is the class that loads Micrometer.
            metrics = b.metrics == null ? EngineMetrics.NONE
                    : new MicrometerEngineMetrics(b.metrics, b.topic, settings.retryPolicy().maxAttempts());
            ActivityStats activity = new ActivityStats();
            TaskListenerBridge listener = new TaskListenerBridge(new FanOutListener(List.of(activity, metrics,
                    b.listener)));
            system = ActorSystem.create(EngineGuardian.create(handle -> PartitionScheduler.create(handle.partition(),
                    settings, store, gateway, clock, handle, listener)), "scheduler", actorConfig());
            consumer = new TaskConsumer(new KafkaConsumer<>(consumerProperties()), b.topic, system, settings.limits(),
                    settings.maxUnpersistedRecordsPerPartition(), Duration.ofMillis(100), settings.commitInterval(),
                    settings.shutdownTimeout());
            consumer.instanceId(b.instanceId);
            consumer.metrics(metrics);
            pollThread = new Thread(consumer, "scheduler-poll-" + b.topic);
            admin = new EngineAdmin(session, b.keyspace, settings, clock, new EngineAdmin.Identity(b.topic, b.groupId,
                    b.instanceId, partitionCount), store, consumer, () -> state == State.RUNNING, pollThread::isAlive,
                    activity, metrics, adminCommands());
            if (b.adminServer != null) {
                try {
                    adminServer = AdminServer.start(admin, b.adminServer);
                } catch (java.io.UncheckedIOException e) {
                    throw new EngineStartException(e.getMessage(), e);
                }
            }
            pollThread.start();
            admin.startStaleScan();
            state = State.RUNNING;
            log.info("scheduler engine started: topic {} ({} partitions), group {}, keyspace {}", b.topic,
                    partitionCount, b.groupId, b.keyspace);
            return this;
        } catch (RuntimeException e) {
            releaseResources();
            state = State.CLOSED;
            if (e instanceof EngineStartException) {
                throw e;
            }
            throw new EngineStartException("the scheduler engine could not start: " + e.getMessage(), e);
        }
    }

    private CqlSession openSession() {
        DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10))
                .withDuration(DefaultDriverOption.METADATA_SCHEMA_WINDOW, Duration.ofMillis(50))
                .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(5))
                .withInt(DefaultDriverOption.CONNECTION_MAX_REQUESTS, 4096)
                .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(500))
                .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(5))
                .build();
        try {
            return CqlSession.builder().addContactPoints(b.contactPoints).withLocalDatacenter(b.localDatacenter)
                    .withConfigLoader(config).build();
        } catch (RuntimeException e) {
            throw new EngineStartException("cannot connect to Cassandra at " + b.contactPoints + " (local datacenter "
                    + b.localDatacenter + "): " + e.getMessage(), e);
        }
    }

    private int topicPartitionCount() {
        Map<String, Object> admin = new HashMap<>(b.consumerProperties);
        admin.put("bootstrap.servers", b.bootstrapServers);
        admin.keySet().removeIf(k -> k.startsWith("key.") || k.startsWith("value.") || k.equals("group.id")
                || k.startsWith("auto.") || k.startsWith("enable.") || k.startsWith("max.poll")
                || k.startsWith("partition.assignment") || k.startsWith("session.") || k.startsWith("heartbeat.")
                || k.startsWith("fetch.") || k.startsWith("isolation.") || k.equals("group.protocol"));
        try {
            return SchedulerTopics.partitionCount(admin, b.topic);
        } catch (RuntimeException e) {
            throw new EngineStartException("cannot read topic '" + b.topic + "' from Kafka at " + b.bootstrapServers
                    + " (does it exist? create it with SchedulerTopics.createTopic): " + e.getMessage(), e);
        }
    }

    private void prepareSchema() {
        Duration ddl = Duration.ofSeconds(30);
        if (settings.createSchema()) {
            execute(dev.scheduler.engine.internal.Schema.createKeyspace(b.keyspace, settings.replication()), ddl);
            for (String table : dev.scheduler.engine.internal.Schema.createTables(b.keyspace)) {
                execute(table, ddl);
            }
        }
        long bucketMs = settings.bucketSize().toMillis();
        ResultSet inserted;
        try {
            inserted = session.execute(SimpleStatement.newInstance("INSERT INTO " + b.keyspace + ".scheduler_meta "
                            + "(id, topic, partition_count, bucket_ms, created_at) VALUES (?, ?, ?, ?, ?) IF NOT EXISTS",
                    LAYOUT_ID, b.topic, partitionCount, bucketMs, clock.instant()).setTimeout(ddl));
        } catch (RuntimeException e) {
            throw new EngineStartException("cannot use keyspace '" + b.keyspace + "' (with createSchema=false, create "
                    + "it first with the CQL in docs/design.md): " + e.getMessage(), e);
        }
        if (!inserted.wasApplied()) {
            Row row = inserted.one();
            String topic = row.getString("topic");
            int recordedPartitions = row.getInt("partition_count");
            long recordedBucket = row.getLong("bucket_ms");
            if (!b.topic.equals(topic)) {
                throw new EngineStartException("keyspace '" + b.keyspace + "' holds the tasks of topic '" + topic
                        + "', not '" + b.topic + "': use one keyspace per topic");
            }
            if (recordedPartitions != partitionCount) {
                throw new EngineStartException("topic '" + b.topic + "' now has " + partitionCount + " partitions but "
                        + "its tasks were stored for " + recordedPartitions + "; the partition count of a scheduler "
                        + "topic can never change (tasks and their order are placed by it)");
            }
            if (recordedBucket != bucketMs) {
                throw new EngineStartException("settings.bucketSize is " + settings.bucketSize() + " but keyspace '"
                        + b.keyspace + "' was created with " + Duration.ofMillis(recordedBucket)
                        + "; the bucket size can never change");
            }
        }
    }

    private void execute(String cql, Duration timeout) {
        try {
            session.execute(SimpleStatement.newInstance(cql).setTimeout(timeout));
        } catch (RuntimeException e) {
            throw new EngineStartException("creating the schema failed (" + cql + "): " + e.getMessage(), e);
        }
    }

    private Properties consumerProperties() {
        Properties p = new Properties();
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "scheduler-" + b.groupId);
        p.putAll(b.consumerProperties);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, b.groupId);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    private static Config actorConfig() {
        // A 1 ms timer tick: tasks fire within milliseconds of their time, not on a coarse poll.
        return ConfigFactory.parseString(String.join("\n",
                "pekko.scheduler.tick-duration = 1ms",
                "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]",
                "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"",
                "pekko.loglevel = INFO",
                "pekko.stdout-loglevel = OFF",
                "pekko.log-dead-letters = off",
                "pekko.log-dead-letters-during-shutdown = off",
                "pekko.jvm-shutdown-hooks = off",
                "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off"))
                .withFallback(ConfigFactory.load());
    }

    /**
     * Stops gracefully: takes no new records, lets running attempts finish (up to the shutdown timeout),
     * commits what is durable, leaves the consumer group (its partitions move to other instances at once),
     * and releases threads and, if the engine opened it, the Cassandra session. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        if (consumer != null) {
            consumer.requestClose();
            try {
                pollThread.join(settings.shutdownTimeout().toMillis() + 30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        releaseResources();
        log.info("scheduler engine stopped: topic {}, group {}", b.topic, b.groupId);
    }

    private void releaseResources() {
        synchronized (this) {
            if (commandClient != null) {
                commandClient.close();
            }
        }
        if (adminServer != null) {
            adminServer.close();
        }
        if (admin != null) {
            admin.close();
        }
        metrics.close();
        if (system != null) {
            system.terminate();
            try {
                system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.debug("actor system did not terminate in time", e);
            }
        }
        if (pool != null) {
            pool.shutdownNow();
        }
        if (ownsSession && session != null) {
            session.close();
        }
    }

    /** Partitions this instance owns now, in order, with their state. */
    public List<PartitionState> partitions() {
        if (consumer == null) {
            return List.of();
        }
        List<PartitionState> states = new ArrayList<>();
        for (PartitionHandle h : consumer.partitions().values()) {
            states.add(new PartitionState(h.partition(), h.healthy(), h.tasksInMemory(), h.unpersisted(),
                    h.durableOffset()));
        }
        states.sort(Comparator.comparingInt(PartitionState::partition));
        return states;
    }

    /** This instance's id (see {@link Builder#instanceId}). */
    public String instanceId() {
        return b.instanceId;
    }

    /**
     * The operator's API: tasks by key or range, dead letters, partitions, cancel and retry. Available once
     * started; its calls fail (exceptionally) after {@link #close()}.
     *
     * @throws IllegalStateException before {@link #start()}
     */
    public AdminService admin() {
        if (admin == null) {
            throw new IllegalStateException("the admin API exists once the engine is started: call start() first");
        }
        return admin;
    }

    /** The admin HTTP server, when {@link Builder#adminServer} asked for one and the engine is started. */
    public Optional<AdminServer> adminServer() {
        return Optional.ofNullable(adminServer);
    }

    private EngineAdmin.Commands adminCommands() {
        return new EngineAdmin.Commands(this::cancelTask, this::retryTask);
    }

    /**
     * Cancels a task that has not started, wherever it is owned: publishes a cancel record to the topic, which
     * the partition's owner applies in order with its other records. Completes when Kafka acknowledged it;
     * never throws (a bad key or a closed engine fails the future).
     */
    public CompletableFuture<Void> cancelTask(TaskKey key) {
        return commandClient().thenCompose(c -> c.cancelTask(key));
    }

    /**
     * Runs a {@code FAILED} task once more, now, wherever it is owned (see {@link SchedulerClient#retryTask}).
     * Completes when Kafka acknowledged the request; never throws.
     */
    public CompletableFuture<Void> retryTask(TaskKey key) {
        return commandClient().thenCompose(c -> c.retryTask(key));
    }

    /** A client for operator commands, made on first use with the consumer's connection settings. */
    private synchronized CompletableFuture<SchedulerClient> commandClient() {
        if (state != State.RUNNING) {
            return CompletableFuture.failedFuture(new IllegalStateException("the engine is not running"));
        }
        if (commandClient == null) {
            try {
                SchedulerClient.Builder builder = SchedulerClient.builder().bootstrapServers(b.bootstrapServers)
                        .topic(b.topic).limits(settings.limits());
                // Connection and security settings apply to the producer too; consumer-only ones do not.
                b.consumerProperties.forEach((k, v) -> {
                    if (k.startsWith("security.") || k.startsWith("sasl.") || k.startsWith("ssl.")
                            || k.equals("client.dns.lookup")) {
                        builder.producerProperty(k, v);
                    }
                });
                commandClient = builder.build();
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return CompletableFuture.completedFuture(commandClient);
    }

    /** True while started and not closed. */
    public boolean isRunning() {
        return state == State.RUNNING;
    }

    /** The topic's partition count (known once started). */
    public int partitionCount() {
        return partitionCount;
    }

    /**
     * Reads a task's durable state and attempt history, wherever it is owned. Empty when the key was never
     * stored, or its record expired after the retention period.
     */
    public CompletionStage<Optional<TaskInfo>> findTask(TaskKey key) {
        if (state != State.RUNNING) {
            return CompletableFuture.failedFuture(new IllegalStateException("the engine is not running"));
        }
        Objects.requireNonNull(key, "key");
        return store.readInfo(TaskPartitioner.partitionFor(key.orderingId(), partitionCount), key);
    }

    /** Builds a {@link SchedulerEngine}. Required: bootstrap servers, topic, group id, Cassandra, keyspace, executor. */
    public static final class Builder {
        private String bootstrapServers;
        private String topic;
        private String groupId;
        private final Map<String, Object> consumerProperties = new HashMap<>();
        private CqlSession session;
        private final List<InetSocketAddress> contactPoints = new ArrayList<>();
        private String localDatacenter;
        private String keyspace;
        private TaskExecutor executor;
        private AsyncTaskExecutor asyncExecutor;
        private EngineSettings settings = EngineSettings.defaults();
        private Clock clock = Clock.systemUTC();
        private TaskListener listener = TaskListener.NONE;
        private String instanceId = defaultInstanceId();
        private MicrometerMetrics metrics;
        private AdminServerSettings adminServer;

        private Builder() {
        }

        /** Kafka bootstrap servers, e.g. {@code "kafka-1:9092,kafka-2:9092"}. Required. */
        public Builder bootstrapServers(String servers) { bootstrapServers = servers; return this; }

        /** The topic clients schedule to. Required; it must exist (see {@link SchedulerTopics}). */
        public Builder topic(String name) { topic = name; return this; }

        /** The consumer group shared by all instances of the service. Required. */
        public Builder groupId(String id) { groupId = id; return this; }

        /**
         * A Kafka consumer property, passed through unchanged over the engine's defaults (cooperative-sticky
         * assignment, session timeout 6 s, heartbeat 500 ms, max.poll.records 5000). Bootstrap servers, group
         * id and deserializers are the engine's own and cannot be overridden.
         */
        public Builder consumerProperty(String key, Object value) { consumerProperties.put(key, value); return this; }

        /** Several consumer properties; see {@link #consumerProperty}. */
        public Builder consumerProperties(Map<String, ?> properties) { consumerProperties.putAll(properties); return this; }

        /** Use this session (the engine does not close it). Otherwise give contact points and a datacenter. */
        public Builder cqlSession(CqlSession s) { session = s; return this; }

        /** A Cassandra contact point and the local datacenter's name; the engine opens and closes its session. */
        public Builder cassandra(InetSocketAddress contactPoint, String datacenter) {
            contactPoints.add(contactPoint);
            localDatacenter = datacenter;
            return this;
        }

        /** The keyspace of this topic's tasks (one keyspace per topic). Required. */
        public Builder keyspace(String name) { keyspace = name; return this; }

        /** Your blocking executor. Exactly one of this and {@link #asyncTaskExecutor} is required. */
        public Builder taskExecutor(TaskExecutor e) { executor = e; return this; }

        /** Your non-blocking executor. Exactly one of this and {@link #taskExecutor} is required. */
        public Builder asyncTaskExecutor(AsyncTaskExecutor e) { asyncExecutor = e; return this; }

        /** Default {@link EngineSettings#defaults()}. */
        public Builder settings(EngineSettings s) { settings = s; return this; }

        /** The clock tasks are timed by. Default the system UTC clock; tests may inject another. */
        public Builder clock(Clock c) { clock = c; return this; }

        /** Observes attempts (for metrics). Default none. Called on engine threads: return quickly. */
        public Builder listener(TaskListener l) { listener = l; return this; }

        /**
         * This instance's id, recorded as the owner of the partitions it claims and shown to operators.
         * Default: host name, process id and a random suffix.
         */
        public Builder instanceId(String id) { instanceId = id; return this; }

        /**
         * Records the engine's metrics in a Micrometer registry: {@code .metrics(MicrometerMetrics.of(registry))}.
         * Default none, and then no Micrometer class is loaded: Micrometer is an optional dependency. Meter names
         * and tags are listed on {@link MicrometerMetrics}.
         */
        public Builder metrics(MicrometerMetrics m) { metrics = m; return this; }

        /**
         * Serves the admin HTTP API, probes and dashboard while the engine runs ({@link AdminServer}); for example
         * {@code .adminServer(AdminServerSettings.defaults())} on 127.0.0.1:9180. Default none: the
         * {@link SchedulerEngine#admin()} API is there either way.
         */
        public Builder adminServer(AdminServerSettings s) { adminServer = s; return this; }

        private static String defaultInstanceId() {
            String host;
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                host = "unknown-host";
            }
            return host + "-" + ProcessHandle.current().pid() + "-"
                    + Integer.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextInt(0x10000));
        }

        /** Validates and builds; call {@link SchedulerEngine#start()} next. */
        public SchedulerEngine build() {
            require(bootstrapServers, "bootstrapServers");
            require(topic, "topic");
            require(groupId, "groupId");
            require(keyspace, "keyspace");
            require(instanceId, "instanceId");
            if (!keyspace.matches("[a-zA-Z][a-zA-Z0-9_]{0,47}")) {
                throw new IllegalArgumentException("keyspace '" + keyspace + "' is not a valid Cassandra keyspace name "
                        + "(a letter, then letters, digits or underscores, at most 48 characters)");
            }
            if (session == null && (contactPoints.isEmpty() || localDatacenter == null || localDatacenter.isBlank())) {
                throw new IllegalArgumentException("Cassandra is not set: call cqlSession(...) or cassandra(contactPoint, "
                        + "localDatacenter)");
            }
            if ((executor == null) == (asyncExecutor == null)) {
                throw new IllegalArgumentException("exactly one of taskExecutor(...) and asyncTaskExecutor(...) is required");
            }
            Objects.requireNonNull(settings, "settings");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(listener, "listener");
            return new SchedulerEngine(this);
        }

        private static void require(String value, String name) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(name + " is required");
            }
        }
    }

    static Instant now(Clock clock) {
        return clock.instant();
    }
}
