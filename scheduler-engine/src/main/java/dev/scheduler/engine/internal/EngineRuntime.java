package dev.scheduler.engine.internal;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.scheduler.client.SchedulerTopics;
import dev.scheduler.client.TaskKey;
import dev.scheduler.client.TaskPartitioner;
import dev.scheduler.engine.AsyncTaskExecutor;
import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.EngineStartException;
import dev.scheduler.engine.PartitionState;
import dev.scheduler.engine.TaskExecutor;
import dev.scheduler.engine.TaskInfo;
import dev.scheduler.engine.TaskListener;
import dev.scheduler.engine.admin.AdminServer;
import dev.scheduler.engine.admin.AdminServerSettings;
import dev.scheduler.engine.internal.admin.EngineAdmin;
import dev.scheduler.engine.internal.kafka.CommandPublisher;
import dev.scheduler.engine.internal.kafka.EndOffsets;
import dev.scheduler.engine.internal.kafka.KafkaProperties;
import dev.scheduler.engine.internal.kafka.TaskConsumer;
import dev.scheduler.engine.internal.liveness.Heartbeats;
import dev.scheduler.engine.internal.observe.ActivityStats;
import dev.scheduler.engine.internal.observe.AttemptEventFanOut;
import dev.scheduler.engine.internal.observe.EngineMetrics;
import dev.scheduler.engine.internal.observe.MicrometerEngineMetrics;
import dev.scheduler.engine.internal.partition.EngineGuardian;
import dev.scheduler.engine.internal.partition.ExecutionGateway;
import dev.scheduler.engine.internal.partition.PartitionContext;
import dev.scheduler.engine.internal.partition.PartitionHandle;
import dev.scheduler.engine.internal.partition.PartitionScheduler;
import dev.scheduler.engine.internal.store.CassandraSessions;
import dev.scheduler.engine.internal.store.CassandraTaskStore;
import dev.scheduler.engine.internal.store.SchemaSetup;
import dev.scheduler.engine.metrics.MicrometerMetrics;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One started engine: the Cassandra session and store, the executor pool, the actor system with its partitions,
 * the Kafka poll thread, the admin API and server, and the client for operator commands. {@code SchedulerEngine}
 * owns one from {@code start()} to {@code close()}; this class does the wiring and the teardown, so that the
 * public class keeps only the builder, the lifecycle and the documented methods.
 */
public final class EngineRuntime {

    private static final Logger log = LoggerFactory.getLogger(EngineRuntime.class);

    /** What the application configured on {@code SchedulerEngine.Builder}, validated. */
    public record Config(
            String bootstrapServers,
            String topic,
            String groupId,
            Map<String, Object> consumerProperties,
            CqlSession session,
            List<InetSocketAddress> contactPoints,
            String localDatacenter,
            String keyspace,
            TaskExecutor executor,
            AsyncTaskExecutor asyncExecutor,
            EngineSettings settings,
            Clock clock,
            TaskListener listener,
            String instanceId,
            MicrometerMetrics metrics,
            AdminServerSettings adminServer) {

        /** Checks what {@code SchedulerEngine.Builder.build()} promises to check, with its messages. */
        public Config {
            require(bootstrapServers, "bootstrapServers");
            require(topic, "topic");
            require(groupId, "groupId");
            require(keyspace, "keyspace");
            require(instanceId, "instanceId");
            requireValidKeyspace(keyspace);
            if (session == null && (contactPoints.isEmpty() || localDatacenter == null || localDatacenter.isBlank())) {
                throw new IllegalArgumentException(
                        "Cassandra is not set: call cqlSession(...) or cassandra(contactPoint, localDatacenter)");
            }
            if ((executor == null) == (asyncExecutor == null)) {
                throw new IllegalArgumentException(
                        "exactly one of taskExecutor(...) and asyncTaskExecutor(...) is required");
            }
            Objects.requireNonNull(settings, "settings");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(listener, "listener");
            refuseUnsafe(consumerProperties);
            consumerProperties = Map.copyOf(consumerProperties);
            contactPoints = List.copyOf(contactPoints);
        }

        /**
         * Consumer properties that would silently break what the engine promises: offsets committed before
         * their records are stored, records skipped when a group has no committed offset yet, or the
         * consumer-group protocol whose rebalances the engine does not follow (docs/design.md).
         */
        private static void refuseUnsafe(Map<String, Object> properties) {
            refuse(
                    properties,
                    "enable.auto.commit",
                    "false",
                    "the engine commits an offset only after its records "
                            + "are stored in Cassandra; auto-commit would commit records not stored yet, and a crash would "
                            + "lose them");
            refuse(
                    properties,
                    "auto.offset.reset",
                    "earliest",
                    "a group with no committed offset must read its "
                            + "partitions from the start (earliest); otherwise tasks published before the group's first "
                            + "commit are never read");
            refuse(
                    properties,
                    "group.protocol",
                    "classic",
                    "the engine hands partitions over in the classic "
                            + "protocol's cooperative rebalance callbacks (see docs/design.md); leave it unset or classic");
        }

        private static void refuse(Map<String, Object> properties, String name, String allowed, String why) {
            Object value = properties.get(name);
            if (value != null && !String.valueOf(value).trim().equalsIgnoreCase(allowed)) {
                throw new IllegalArgumentException(
                        "consumer property " + name + "=" + value + " is not allowed (only " + allowed + "): " + why);
            }
        }

        /** The default instance id: host name, process id and a random suffix. */
        public static String defaultInstanceId() {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                host = "unknown-host";
            }
            return host + "-" + ProcessHandle.current().pid() + "-"
                    + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000));
        }

        /** A name Cassandra accepts unquoted: a letter, then letters, digits or underscores, at most 48. */
        public static void requireValidKeyspace(String keyspace) {
            if (keyspace == null || !keyspace.matches("[a-zA-Z][a-zA-Z0-9_]{0,47}")) {
                throw new IllegalArgumentException("keyspace '" + keyspace + "' is not a valid Cassandra keyspace "
                        + "name (a letter, then letters, digits or underscores, at most 48 characters)");
            }
        }

        private static void require(String value, String name) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(name + " is required");
            }
        }
    }

    private final Config config;
    private CqlSession session;
    private boolean ownsSession;
    private CassandraTaskStore store;
    private ExecutorService pool;
    private ActorSystem<EngineGuardian.SpawnPartition> system;
    private TaskConsumer consumer;
    private boolean pollStarted;
    private Thread pollThread;
    private int partitionCount;
    private EngineMetrics metrics = EngineMetrics.NONE;
    private EngineAdmin admin;
    private Heartbeats heartbeats;
    private AdminServer adminServer;
    private final CommandPublisher commands;

    private EngineRuntime(Config config) {
        this.config = config;
        this.commands = CommandPublisher.create(
                config.bootstrapServers(), config.topic(), config.settings().limits(), config.consumerProperties());
    }

    /**
     * Connects, prepares the schema, and starts consuming. Blocking.
     *
     * @param running whether the owning engine is running, for the admin API's health
     * @throws EngineStartException naming what is wrong; nothing is left running then
     */
    public static EngineRuntime start(Config config, EngineAdmin.Commands commands, BooleanSupplier running) {
        EngineRuntime runtime = new EngineRuntime(config);
        try {
            runtime.startComponents(commands, running);
            return runtime;
        } catch (RuntimeException e) {
            runtime.release();
            if (e instanceof EngineStartException) {
                throw e;
            }
            throw new EngineStartException("the scheduler engine could not start: " + e.getMessage(), e);
        }
    }

    private void startComponents(EngineAdmin.Commands commands, BooleanSupplier running) {
        EngineSettings settings = config.settings();
        ownsSession = config.session() == null;
        session = ownsSession ? openSession() : config.session();
        partitionCount = topicPartitionCount();
        new SchemaSetup(session, config.keyspace(), settings, config.clock()).prepare(config.topic(), partitionCount);
        store = new CassandraTaskStore(session, config.keyspace(), settings, config.clock());
        pool = executorPool(settings.executionThreads());
        ExecutionGateway gateway =
                ExecutionGateway.pooled(pool, config.executor(), config.asyncExecutor(), settings.executionTimeout());
        // Only built when asked for: MicrometerEngineMetrics is the class that loads Micrometer.
        metrics = config.metrics() == null
                ? EngineMetrics.NONE
                : new MicrometerEngineMetrics(config.metrics(), config.topic());
        ActivityStats activity = new ActivityStats();
        AttemptEventFanOut events = new AttemptEventFanOut(List.of(activity, metrics), config.listener());
        heartbeats = new Heartbeats(
                store,
                config.instanceId(),
                settings.ownerLease(),
                System::nanoTime,
                ThreadLocalRandom.current().nextLong());
        system = ActorSystem.create(
                EngineGuardian.create(handle -> PartitionScheduler.create(
                        new PartitionContext(settings, store, gateway, config.clock(), handle, events, heartbeats))),
                "scheduler",
                actorConfig());
        system.systemActorOf(heartbeats.behavior(), "heartbeats", Props.empty());
        java.util.Properties consumerProperties =
                KafkaProperties.consumer(config.bootstrapServers(), config.groupId(), config.consumerProperties());
        consumer = new TaskConsumer(
                new KafkaConsumer<>(consumerProperties),
                config.topic(),
                partitionCount,
                system,
                settings.limits(),
                settings.maxUnpersistedRecordsPerPartition(),
                Duration.ofMillis(100),
                settings.commitInterval(),
                settings.shutdownTimeout());
        consumer.instanceId(config.instanceId());
        consumer.leaveGroupWhenCassandraIsLost(heartbeats, settings.leaveGroupAfter(), settings.ownerLease());
        consumer.rejoinWhenCutOffFromKafka(Duration.ofMillis(Long.parseLong(
                String.valueOf(consumerProperties.getOrDefault(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "45000")))));
        consumer.metrics(metrics);
        Map<String, Object> offsetsClient =
                KafkaProperties.admin(config.bootstrapServers(), config.consumerProperties());
        offsetsClient.put("client.id", consumerProperties.get(ConsumerConfig.CLIENT_ID_CONFIG) + "-end-offsets");
        IsolationLevel isolation = IsolationLevel.valueOf(String.valueOf(
                        consumerProperties.getOrDefault(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted"))
                .strip()
                .toUpperCase(java.util.Locale.ROOT));
        consumer.endOffsetsFrom(EndOffsets.viaAdmin(Admin.create(offsetsClient), isolation, Duration.ofSeconds(5)));
        pollThread = new Thread(consumer, "scheduler-poll-" + config.topic());
        admin = new EngineAdmin(
                session,
                config.keyspace(),
                settings,
                config.clock(),
                new EngineAdmin.Identity(config.topic(), config.groupId(), config.instanceId(), partitionCount),
                store,
                consumer,
                running,
                pollThread::isAlive,
                activity,
                metrics,
                commands);
        if (config.adminServer() != null) {
            try {
                adminServer = AdminServer.start(admin, config.adminServer());
            } catch (UncheckedIOException e) {
                throw new EngineStartException(e.getMessage(), e);
            }
        }
        pollThread.start();
        pollStarted = true;
        admin.startStaleScan();
        log.info(
                "scheduler engine started: topic {} ({} partitions), group {}, keyspace {}",
                config.topic(),
                partitionCount,
                config.groupId(),
                config.keyspace());
    }

    private CqlSession openSession() {
        try {
            return CassandraSessions.open(config.contactPoints(), config.localDatacenter());
        } catch (RuntimeException e) {
            throw new EngineStartException(
                    "cannot connect to Cassandra at " + config.contactPoints() + " (local datacenter "
                            + config.localDatacenter() + "): " + e.getMessage(),
                    e);
        }
    }

    private int topicPartitionCount() {
        try {
            return SchedulerTopics.partitionCount(
                    KafkaProperties.admin(config.bootstrapServers(), config.consumerProperties()), config.topic());
        } catch (RuntimeException e) {
            throw new EngineStartException(
                    "cannot read topic '" + config.topic() + "' from Kafka at "
                            + config.bootstrapServers()
                            + " (does it exist? create it with SchedulerTopics.createTopic): "
                            + e.getMessage(),
                    e);
        }
    }

    private static ExecutorService executorPool(int threads) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "scheduler-executor-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    private static com.typesafe.config.Config actorConfig() {
        // Timers that wait for their own deadline: tasks fire within a millisecond of their time, and an idle
        // engine does not wake on a tick (PreciseScheduler).
        return ConfigFactory.parseString(String.join(
                        "\n",
                        "pekko.scheduler.implementation = \"" + PreciseScheduler.class.getName() + "\"",
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

    /** Partitions this instance owns now, in order, with their state. */
    public List<PartitionState> partitions() {
        List<PartitionState> states = new ArrayList<>();
        for (PartitionHandle h : consumer.partitions().values()) {
            states.add(new PartitionState(
                    h.partition(), h.healthy(), h.tasksInMemory(), h.unpersisted(), h.durableOffset()));
        }
        states.sort(Comparator.comparingInt(PartitionState::partition));
        return states;
    }

    public EngineAdmin admin() {
        return admin;
    }

    public Optional<AdminServer> adminServer() {
        return Optional.ofNullable(adminServer);
    }

    public int partitionCount() {
        return partitionCount;
    }

    /** A task's durable state and history, read from its partition's rows. */
    public CompletionStage<Optional<TaskInfo>> findTask(TaskKey key) {
        return store.readInfo(TaskPartitioner.partitionFor(key.orderingId(), partitionCount), key);
    }

    /** Publishes operator commands; lock-free, so that a command never waits for {@link #close()}. */
    public CommandPublisher commands() {
        return commands;
    }

    /**
     * Stops gracefully: the poll loop hands off every partition (running attempts finish, up to the shutdown
     * timeout), commits and leaves the group; then threads, the actor system and an owned session are released.
     */
    public void close() {
        consumer.requestClose();
        try {
            pollThread.join(config.settings().shutdownTimeout().toMillis() + 30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        release();
        log.info("scheduler engine stopped: topic {}, group {}", config.topic(), config.groupId());
    }

    private void release() {
        if (consumer != null && !pollStarted) {
            consumer.discard(); // a start that failed after the consumer was built
        }
        commands.close();
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
}
