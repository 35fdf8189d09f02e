package dev.scheduler.testkit;

import dev.scheduler.testkit.internal.KafkaAdmin;
import dev.scheduler.testkit.internal.UniqueNames;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.cassandra.CassandraContainer;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Kafka ({@value #KAFKA_IMAGE}) and Cassandra ({@value #CASSANDRA_IMAGE}) in Docker containers, for machines with a
 * Docker engine. Needs {@code org.testcontainers:testcontainers-kafka} and {@code testcontainers-cassandra} on the
 * test classpath (optional dependencies of this testkit).
 *
 * <p>The broker gets the same group settings as {@link EmbeddedKafka}. Thread-safe.
 */
public final class ContainerInfrastructure implements SchedulerInfrastructure, AutoCloseable {

    public static final String KAFKA_IMAGE = "apache/kafka:4.1.0";
    public static final String CASSANDRA_IMAGE = "cassandra:5.0";
    private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaContainer kafka;
    private final CassandraContainer cassandra;

    private ContainerInfrastructure(KafkaContainer kafka, CassandraContainer cassandra) {
        this.kafka = kafka;
        this.cassandra = cassandra;
    }

    /** Whether Testcontainers finds a Docker engine. */
    public static boolean isDockerAvailable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    /**
     * Starts both containers (in parallel) and returns when both are ready.
     *
     * @throws InfrastructureException if there is no Docker engine
     */
    public static ContainerInfrastructure start() {
        if (!isDockerAvailable()) {
            throw new InfrastructureException("no Docker engine found; container mode cannot run here");
        }
        KafkaContainer kafka = new KafkaContainer(KAFKA_IMAGE)
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
                .withEnv("KAFKA_GROUP_MIN_SESSION_TIMEOUT_MS", "1000")
                .withEnv("KAFKA_GROUP_CONSUMER_MIN_SESSION_TIMEOUT_MS", "1000")
                .withEnv("KAFKA_GROUP_CONSUMER_SESSION_TIMEOUT_MS", "6000")
                .withEnv("KAFKA_GROUP_CONSUMER_MIN_HEARTBEAT_INTERVAL_MS", "100")
                .withEnv("KAFKA_GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS", "500");
        CassandraContainer cassandra = new CassandraContainer(CASSANDRA_IMAGE)
                .withEnv("MAX_HEAP_SIZE", "512M")
                .withEnv("HEAP_NEWSIZE", "128M");
        FutureTask<Void> kafkaStart = new FutureTask<>(kafka::start, null);
        new Thread(kafkaStart, "scheduler-testkit-kafka-container-start").start();
        try {
            cassandra.start();
        } catch (RuntimeException e) {
            awaitQuietly(kafkaStart);
            kafka.stop();
            throw e;
        }
        try {
            kafkaStart.get();
        } catch (ExecutionException e) {
            cassandra.stop();
            kafka.stop();
            throw new InfrastructureException("the Kafka container " + KAFKA_IMAGE + " did not start", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cassandra.stop();
            kafka.stop();
            throw new InfrastructureException("interrupted while starting the Kafka container", e);
        }
        return new ContainerInfrastructure(kafka, cassandra);
    }

    private static void awaitQuietly(FutureTask<?> task) {
        try {
            task.get();
        } catch (ExecutionException e) {
            // reported by the caller's own failure
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String kafkaBootstrapServers() {
        return kafka.getBootstrapServers();
    }

    /**
     * Not supported: the Kafka container advertises the one port Testcontainers maps, so a proxy in front of it would
     * only see the bootstrap connection.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public FaultProxy kafkaProxy() {
        throw new UnsupportedOperationException("kafkaProxy() needs the embedded infrastructure ("
                + SchedulerInfrastructureExtension.MODE_PROPERTY + "=embedded): the Kafka container advertises a"
                + " single listener");
    }

    @Override
    public InetSocketAddress cassandraContactPoint() {
        return cassandra.getContactPoint();
    }

    @Override
    public String cassandraLocalDatacenter() {
        return cassandra.getLocalDatacenter();
    }

    @Override
    public String createTopic(String prefix, int partitions) {
        String name = UniqueNames.topic(prefix);
        KafkaAdmin.createTopic(kafkaBootstrapServers(), name, partitions, TOPIC_TIMEOUT);
        return name;
    }

    @Override
    public String uniqueKeyspaceName(String prefix) {
        return UniqueNames.keyspace(prefix);
    }

    /** Stops both containers. */
    @Override
    public void close() {
        try {
            kafka.stop();
        } finally {
            cassandra.stop();
        }
    }
}
