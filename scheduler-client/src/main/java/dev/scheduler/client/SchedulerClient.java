package dev.scheduler.client;

import dev.scheduler.client.internal.Text;
import dev.scheduler.client.wire.CancelTask;
import dev.scheduler.client.wire.ScheduleTask;
import dev.scheduler.client.wire.TaskRecordCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schedules and cancels tasks by publishing records to the scheduler's Kafka topic, from which the
 * engine runs them. A light client: one {@link KafkaProducer} and no threads of its own.
 *
 * <pre>{@code
 * try (SchedulerClient client = SchedulerClient.builder()
 *     .bootstrapServers("kafka:9092")
 *     .topic("scheduler")
 *     .build()) {
 *   client.scheduleTask(Task.of("order-42", Instant.now().plusSeconds(60), "reminder", Map.of("to", "ada")))
 *       .join();
 * }
 * }</pre>
 *
 * <p><b>Failure.</b> {@link #scheduleTask} and {@link #cancelTask} never throw. Their future completes
 * when Kafka has acknowledged the record (with the producer's {@code acks=all}, once it is on every
 * in-sync replica), or completes exceptionally with a {@link SchedulerException}: an
 * {@link InvalidTaskException} for bad input, a {@link TaskTooLateException} for a task scheduled further
 * in the past than the grace period, a {@link ClientClosedException} after {@link #close()}, a
 * {@link PublishException} (with Kafka's exception as cause) when Kafka does not take the record. In the
 * first three cases nothing was sent. Sending a task again after a failure is safe: a task is identified
 * by its {@link TaskKey}.
 *
 * <p><b>Partitioning.</b> The record key is the {@code orderingId} and the partition is set explicitly to
 * {@link TaskPartitioner#partitionFor(String, int)} over the topic's current partition count, which is
 * what Kafka's default partitioner picks for that key. Setting it explicitly keeps the placement the
 * engine relies on even if {@code partitioner.class} or {@code partitioner.ignore.keys} is configured.
 *
 * <p><b>Threads.</b> Thread-safe; share one client. Like {@link KafkaProducer#send}, a call may block the
 * caller up to {@code max.block.ms} (10 s by default here) when the producer has no metadata for the
 * topic yet or its buffer is full. The futures complete on the producer's I/O thread, so stages attached
 * with non-async methods ({@code thenApply}, {@code whenComplete}) run there too: keep them short and
 * never block in them, or use the {@code ...Async} variants with an executor of your own.
 */
public final class SchedulerClient implements AutoCloseable {

    /** Default {@link Builder#gracePeriod(Duration)}, the original scheduler's scheduling grace window. */
    public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(SchedulerClient.class);

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final Duration gracePeriod;
    private final TaskLimits limits;
    private final Clock clock;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SchedulerClient(Builder builder, Producer<String, byte[]> producer) {
        this.producer = producer;
        this.topic = builder.topic;
        this.gracePeriod = builder.gracePeriod;
        this.limits = builder.limits;
        this.clock = builder.clock;
    }

    /** A builder; {@link Builder#bootstrapServers} and {@link Builder#topic} must be set. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Publishes {@code task}, replacing a pending task with the same key. Checks, before anything is sent,
     * the task's ids and encoded size against the {@link TaskLimits} and its scheduled time against the
     * grace period: a task due up to the grace period ago is accepted and runs at once; one due earlier is
     * refused with {@link TaskTooLateException}.
     *
     * @return completes once Kafka has acknowledged the record; exceptionally as described in the class
     *     documentation, never by throwing
     */
    public CompletableFuture<Void> scheduleTask(Task task) {
        try {
            if (task == null) {
                throw new InvalidTaskException("task must not be null");
            }
            requireOpen();
            limits.validate(task.key());
            var now = clock.instant();
            if (Duration.between(task.scheduledTime(), now).compareTo(gracePeriod) > 0) {
                throw new TaskTooLateException(task.key(), now, gracePeriod);
            }
            byte[] value = TaskRecordCodec.encode(new ScheduleTask(task));
            limits.validateEncodedSize(value.length);
            return publish(task.key(), value);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(asSchedulerException(task == null ? null : task.key(), e));
        }
    }

    /**
     * Publishes a cancellation of the task with {@code key}. The engine drops the task if it has not run
     * yet; cancelling a task that ran or never existed does nothing. Not refused for a time in the past:
     * a task may still be waiting for a retry long after its scheduled time.
     *
     * @return completes once Kafka has acknowledged the record; exceptionally as described in the class
     *     documentation, never by throwing
     */
    public CompletableFuture<Void> cancelTask(TaskKey key) {
        try {
            if (key == null) {
                throw new InvalidTaskException("key must not be null");
            }
            requireOpen();
            limits.validate(key);
            byte[] value = TaskRecordCodec.encode(new CancelTask(key));
            limits.validateEncodedSize(value.length);
            return publish(key, value);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(asSchedulerException(key, e));
        }
    }

    /**
     * Asks the engine to run a {@code FAILED} task once more, now: an operator's action after fixing what made it
     * fail. The record goes through the topic, in order with the partition's other records; the owner resets
     * the task to pending and runs it at once. A key that is not {@code FAILED} is left alone. If that attempt
     * fails too, the task is {@code FAILED} again (no further automatic retries). Completes when Kafka
     * acknowledged the record; never throws, like {@link #cancelTask}.
     */
    public CompletableFuture<Void> retryTask(TaskKey key) {
        try {
            if (key == null) {
                throw new InvalidTaskException("key must not be null");
            }
            requireOpen();
            limits.validate(key);
            byte[] value = TaskRecordCodec.encode(new dev.scheduler.client.wire.RetryTask(key));
            return publish(key, value);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(asSchedulerException(key, e));
        }
    }

    private CompletableFuture<Void> publish(TaskKey key, byte[] value) {
        List<PartitionInfo> partitions = producer.partitionsFor(topic);
        if (partitions == null || partitions.isEmpty()) {
            throw new PublishException(
                    "publishing " + key + " failed: the producer knows no partitions of topic " + Text.quote(topic),
                    null);
        }
        int partition = TaskPartitioner.partitionFor(key.orderingId(), partitions.size());
        CompletableFuture<Void> acknowledged = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(topic, partition, key.orderingId(), value), (metadata, exception) -> {
            if (exception == null) {
                acknowledged.complete(null);
            } else {
                acknowledged.completeExceptionally(publishFailed(key, exception));
            }
        });
        return acknowledged;
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new ClientClosedException("the SchedulerClient for topic " + Text.quote(topic) + " is closed");
        }
    }

    private SchedulerException asSchedulerException(TaskKey key, RuntimeException e) {
        if (e instanceof SchedulerException known) {
            return known;
        }
        if (closed.get()) {
            // A send that raced with close() meets a closed producer.
            return new ClientClosedException(
                    "the SchedulerClient for topic " + Text.quote(topic) + " was closed while publishing " + key, e);
        }
        return publishFailed(key, e);
    }

    private PublishException publishFailed(TaskKey key, Exception cause) {
        return new PublishException(
                "publishing " + key + " to topic " + Text.quote(topic) + " failed: " + cause.getMessage(), cause);
    }

    /**
     * Closes the producer after every record already handed to it has completed: sent, or failed after
     * the producer's {@code delivery.timeout.ms} (2 minutes by default). Later calls fail with
     * {@link ClientClosedException}. Idempotent; only the first call waits.
     *
     * @throws SchedulerException if the producer fails to close
     */
    @Override
    public void close() {
        close(Duration.ofMillis(Long.MAX_VALUE));
    }

    /**
     * Like {@link #close()}, but waits at most {@code timeout} for records in flight; those not sent by
     * then have their futures completed exceptionally with {@link PublishException}.
     *
     * @throws IllegalArgumentException if {@code timeout} is null or negative
     * @throws SchedulerException if the producer fails to close
     */
    public void close(Duration timeout) {
        if (timeout == null || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be zero or positive, was " + timeout);
        }
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            producer.close(timeout);
            log.debug("Closed the scheduler client for topic {}", topic);
        } catch (KafkaException e) {
            throw new SchedulerException(
                    "closing the Kafka producer of the SchedulerClient for topic " + Text.quote(topic) + " failed: "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * Builds a {@link SchedulerClient}. Not thread-safe; each setter replaces the previous value.
     *
     * <p>Producer properties are, from lowest to highest precedence: our defaults
     * ({@code acks=all}, {@code enable.idempotence=true}, {@code compression.type=lz4},
     * {@code linger.ms=5}, {@code max.block.ms=10000}), then {@link #bootstrapServers}, then whatever is
     * passed to {@link #producerProperty} and {@link #producerProperties}, unchanged. Key and value
     * serializers are fixed ({@code orderingId} as a UTF-8 string, the value as encoded bytes) and any
     * configured ones are ignored.
     */
    public static final class Builder {

        private static final Pattern LEGAL_TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

        private String bootstrapServers;
        private String topic;
        private final Map<String, Object> producerProperties = new LinkedHashMap<>();
        private Duration gracePeriod = DEFAULT_GRACE_PERIOD;
        private TaskLimits limits = TaskLimits.defaults();
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /**
         * Kafka's {@code bootstrap.servers}, as {@code host:port[,host:port...]}. Required, unless a
         * {@code bootstrap.servers} producer property is given instead. No default.
         */
        public Builder bootstrapServers(String bootstrapServers) {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrapServers must not be blank, was " + bootstrapServers);
            }
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        /**
         * The scheduler topic, which the engine consumes. Required; no default. Create it with
         * {@link SchedulerTopics} before the first task is scheduled.
         */
        public Builder topic(String topic) {
            if (topic == null || !LEGAL_TOPIC.matcher(topic).matches()) {
                throw new IllegalArgumentException("topic must be 1 to 249 of the characters a-z A-Z 0-9 . _ -, was "
                        + (topic == null ? null : Text.quote(topic)));
            }
            this.topic = topic;
            return this;
        }

        /** A Kafka producer property, passed through unchanged over the defaults. No default. */
        public Builder producerProperty(String name, Object value) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("producerProperty name must not be blank, was " + name);
            }
            if (value == null) {
                throw new IllegalArgumentException("producerProperty " + Text.quote(name) + " must not be null");
            }
            producerProperties.put(name, value);
            return this;
        }

        /** Kafka producer properties, each as by {@link #producerProperty}. No default. */
        public Builder producerProperties(Map<String, ?> properties) {
            if (properties == null) {
                throw new IllegalArgumentException("producerProperties must not be null");
            }
            properties.forEach(this::producerProperty);
            return this;
        }

        /**
         * How far in the past a task may be scheduled and still be accepted; earlier ones are refused with
         * {@link TaskTooLateException}. Default 10 seconds ({@link #DEFAULT_GRACE_PERIOD}), as the original
         * scheduler. Zero refuses every task due before now.
         */
        public Builder gracePeriod(Duration gracePeriod) {
            if (gracePeriod == null || gracePeriod.isNegative()) {
                throw new IllegalArgumentException("gracePeriod must be zero or positive, was " + gracePeriod);
            }
            this.gracePeriod = gracePeriod;
            return this;
        }

        /** Size limits checked before sending. Default {@link TaskLimits#defaults()}. */
        public Builder limits(TaskLimits limits) {
            if (limits == null) {
                throw new IllegalArgumentException("limits must not be null");
            }
            this.limits = limits;
            return this;
        }

        /** The clock the grace period is measured with. Default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            if (clock == null) {
                throw new IllegalArgumentException("clock must not be null");
            }
            this.clock = clock;
            return this;
        }

        /**
         * Creates the client and its producer. Connects to nothing yet: the producer fetches metadata on
         * the first send.
         *
         * @throws IllegalArgumentException if {@link #bootstrapServers} or {@link #topic} was not set, or
         *     Kafka refuses a producer property
         * @throws SchedulerException if the producer cannot be created for another reason
         */
        public SchedulerClient build() {
            Map<String, Object> properties = producerConfig();
            KafkaProducer<String, byte[]> producer;
            try {
                producer = new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
            } catch (ConfigException e) {
                throw new IllegalArgumentException("invalid producer configuration: " + e.getMessage(), e);
            } catch (KafkaException e) {
                throw new SchedulerException("creating the Kafka producer failed: " + e.getMessage(), e);
            }
            log.debug("Created a scheduler client for topic {} with producer properties {}", topic, properties);
            return new SchedulerClient(this, producer);
        }

        /** Builds a client around a producer made elsewhere; for tests with a {@code MockProducer}. */
        SchedulerClient build(Producer<String, byte[]> producer) {
            producerConfig();
            return new SchedulerClient(this, producer);
        }

        private Map<String, Object> producerConfig() {
            if (topic == null) {
                throw new IllegalArgumentException("topic is required: call SchedulerClient.Builder.topic(String)");
            }
            Map<String, Object> properties = new LinkedHashMap<>();
            properties.put(ProducerConfig.ACKS_CONFIG, "all");
            properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            properties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
            properties.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
            if (bootstrapServers != null) {
                properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            }
            properties.putAll(producerProperties);
            if (properties.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG) == null) {
                throw new IllegalArgumentException(
                        "bootstrapServers is required: call SchedulerClient.Builder.bootstrapServers(String)");
            }
            return properties;
        }
    }
}
