package dev.scheduler.engine;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.scheduler.client.SchedulerClient;
import dev.scheduler.client.SchedulerTopics;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.admin.AdminServer;
import dev.scheduler.engine.admin.AdminServerSettings;
import dev.scheduler.engine.admin.AdminService;
import dev.scheduler.engine.internal.EngineRuntime;
import dev.scheduler.engine.internal.admin.EngineAdmin;
import dev.scheduler.engine.metrics.MicrometerMetrics;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

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

    private final EngineRuntime.Config config;
    private volatile EngineRuntime runtime;
    private volatile State state = State.NEW;

    private enum State {
        NEW,
        RUNNING,
        CLOSED
    }

    private SchedulerEngine(EngineRuntime.Config config) {
        this.config = config;
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
            runtime = EngineRuntime.start(
                    config, new EngineAdmin.Commands(this::cancelTask, this::retryTask), this::isRunning);
        } catch (RuntimeException e) {
            state = State.CLOSED;
            throw e;
        }
        state = State.RUNNING;
        return this;
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
        boolean started = state == State.RUNNING;
        state = State.CLOSED;
        if (started) {
            runtime.close();
        }
    }

    /** Partitions this instance owns now, in order, with their state. */
    public List<PartitionState> partitions() {
        EngineRuntime r = runtime;
        return r == null || state != State.RUNNING ? List.of() : r.partitions();
    }

    /** This instance's id (see {@link Builder#instanceId}). */
    public String instanceId() {
        return config.instanceId();
    }

    /**
     * The operator's API: tasks by key or range, dead letters, partitions, cancel and retry. Available once
     * started; its calls fail (exceptionally) after {@link #close()}.
     *
     * @throws IllegalStateException before {@link #start()}
     */
    public AdminService admin() {
        EngineRuntime r = runtime;
        if (r == null) {
            throw new IllegalStateException("the admin API exists once the engine is started: call start() first");
        }
        return r.admin();
    }

    /** The admin HTTP server, when {@link Builder#adminServer} asked for one and the engine is started. */
    public Optional<AdminServer> adminServer() {
        EngineRuntime r = runtime;
        return r == null || state != State.RUNNING ? Optional.empty() : r.adminServer();
    }

    /**
     * Cancels a task that has not started, wherever it is owned: publishes a cancel record to the topic, which
     * the partition's owner applies in order with its other records. Completes when Kafka acknowledged it;
     * never throws (a bad key or a closed engine fails the future).
     *
     * <p>Fails fast when Kafka does not answer: the future fails within about 5 s with a
     * {@link dev.scheduler.client.PublishException} whose message says that Kafka is unreachable and the cancel
     * was not published (sending it again is safe). The call may block the caller up to 3 s while the producer
     * has no metadata for the topic; it never waits for {@link #close()}. The future completes on the Kafka
     * producer's thread: do not block in stages attached without an executor.
     */
    public CompletableFuture<Void> cancelTask(TaskKey key) {
        EngineRuntime r = runningRuntime();
        return r == null ? notRunning() : r.commands().cancel(key);
    }

    /**
     * Runs a {@code FAILED} task once more, now, wherever it is owned (see {@link SchedulerClient#retryTask}).
     * Completes when Kafka acknowledged the request; never throws. Fails fast when Kafka does not answer, as
     * {@link #cancelTask} does.
     */
    public CompletableFuture<Void> retryTask(TaskKey key) {
        EngineRuntime r = runningRuntime();
        return r == null ? notRunning() : r.commands().retry(key);
    }

    private EngineRuntime runningRuntime() {
        return state == State.RUNNING ? runtime : null;
    }

    private static <T> CompletableFuture<T> notRunning() {
        return CompletableFuture.failedFuture(new IllegalStateException("the engine is not running"));
    }

    /** True while started and not closed. */
    public boolean isRunning() {
        return state == State.RUNNING;
    }

    /** The topic's partition count (known once started). */
    public int partitionCount() {
        EngineRuntime r = runtime;
        return r == null ? 0 : r.partitionCount();
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
        return runtime.findTask(key);
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
        private String instanceId = EngineRuntime.Config.defaultInstanceId();
        private MicrometerMetrics metrics;
        private AdminServerSettings adminServer;

        private Builder() {}

        /** Kafka bootstrap servers, e.g. {@code "kafka-1:9092,kafka-2:9092"}. Required. */
        public Builder bootstrapServers(String servers) {
            bootstrapServers = servers;
            return this;
        }

        /** The topic clients schedule to. Required; it must exist (see {@link SchedulerTopics}). */
        public Builder topic(String name) {
            topic = name;
            return this;
        }

        /** The consumer group shared by all instances of the service. Required. */
        public Builder groupId(String id) {
            groupId = id;
            return this;
        }

        /**
         * A Kafka consumer property, passed through unchanged over the engine's defaults (cooperative-sticky
         * assignment, session timeout 6 s, heartbeat 500 ms, max.poll.records 5000). Bootstrap servers, group
         * id and deserializers are the engine's own and cannot be overridden; {@link #build()} refuses
         * {@code enable.auto.commit} other than false, {@code auto.offset.reset} other than earliest and
         * {@code group.protocol} other than classic, which would break the no-loss promise.
         */
        public Builder consumerProperty(String key, Object value) {
            if (key == null || key.isBlank()) {
                throw new IllegalArgumentException("consumerProperty name must not be blank, was " + key);
            }
            if (value == null) {
                throw new IllegalArgumentException("consumerProperty '" + key + "' must not be null");
            }
            consumerProperties.put(key, value);
            return this;
        }

        /** Several consumer properties; see {@link #consumerProperty}. */
        public Builder consumerProperties(Map<String, ?> properties) {
            if (properties == null) {
                throw new IllegalArgumentException("consumerProperties must not be null");
            }
            properties.forEach(this::consumerProperty);
            return this;
        }

        /** Use this session (the engine does not close it). Otherwise give contact points and a datacenter. */
        public Builder cqlSession(CqlSession s) {
            session = s;
            return this;
        }

        /** A Cassandra contact point and the local datacenter's name; the engine opens and closes its session. */
        public Builder cassandra(InetSocketAddress contactPoint, String datacenter) {
            contactPoints.add(contactPoint);
            localDatacenter = datacenter;
            return this;
        }

        /** The keyspace of this topic's tasks (one keyspace per topic). Required. */
        public Builder keyspace(String name) {
            keyspace = name;
            return this;
        }

        /** Your blocking executor. Exactly one of this and {@link #asyncTaskExecutor} is required. */
        public Builder taskExecutor(TaskExecutor e) {
            executor = e;
            return this;
        }

        /** Your non-blocking executor. Exactly one of this and {@link #taskExecutor} is required. */
        public Builder asyncTaskExecutor(AsyncTaskExecutor e) {
            asyncExecutor = e;
            return this;
        }

        /** Default {@link EngineSettings#defaults()}. */
        public Builder settings(EngineSettings s) {
            settings = s;
            return this;
        }

        /** The clock tasks are timed by. Default the system UTC clock; tests may inject another. */
        public Builder clock(Clock c) {
            clock = c;
            return this;
        }

        /** Observes attempts (for metrics). Default none. Called on engine threads: return quickly. */
        public Builder listener(TaskListener l) {
            listener = l;
            return this;
        }

        /**
         * This instance's id, recorded as the owner of the partitions it claims and shown to operators.
         * Default: host name, process id and a random suffix.
         */
        public Builder instanceId(String id) {
            instanceId = id;
            return this;
        }

        /**
         * Records the engine's metrics in a Micrometer registry: {@code .metrics(MicrometerMetrics.of(registry))}.
         * Default none, and then no Micrometer class is loaded: Micrometer is an optional dependency. Meter names
         * and tags are listed on {@link MicrometerMetrics}.
         */
        public Builder metrics(MicrometerMetrics m) {
            metrics = m;
            return this;
        }

        /**
         * Serves the admin HTTP API, probes and dashboard while the engine runs ({@link AdminServer}); for example
         * {@code .adminServer(AdminServerSettings.defaults())} on 127.0.0.1:9180. Default none: the
         * {@link SchedulerEngine#admin()} API is there either way.
         */
        public Builder adminServer(AdminServerSettings s) {
            adminServer = s;
            return this;
        }

        /** Validates and builds; call {@link SchedulerEngine#start()} next. */
        public SchedulerEngine build() {
            return new SchedulerEngine(new EngineRuntime.Config(
                    bootstrapServers,
                    topic,
                    groupId,
                    consumerProperties,
                    session,
                    contactPoints,
                    localDatacenter,
                    keyspace,
                    executor,
                    asyncExecutor,
                    settings,
                    clock,
                    listener,
                    instanceId,
                    metrics,
                    adminServer));
        }
    }
}
