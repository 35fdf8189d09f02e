package dev.scheduler.testkit.internal;

import dev.scheduler.testkit.EmbeddedKafka;
import dev.scheduler.testkit.FaultProxy;
import dev.scheduler.testkit.ForkedCassandra;
import dev.scheduler.testkit.InfrastructureException;
import dev.scheduler.testkit.SchedulerInfrastructure;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The infrastructure behind {@link SchedulerInfrastructure#shared()}: an in-process broker and a forked Cassandra
 * node, both stopped at JVM exit by their own cleanup.
 */
public final class EmbeddedInfrastructure implements SchedulerInfrastructure {

    private static EmbeddedInfrastructure shared;
    private static RuntimeException startFailure;

    private final EmbeddedKafka kafka;
    private final ForkedCassandra cassandra;

    private EmbeddedInfrastructure(EmbeddedKafka kafka, ForkedCassandra cassandra) {
        this.kafka = kafka;
        this.cassandra = cassandra;
    }

    public static synchronized SchedulerInfrastructure shared() {
        if (shared == null) {
            if (startFailure != null) {
                throw new InfrastructureException(
                        "the shared test infrastructure failed to start before: " + startFailure.getMessage(),
                        startFailure);
            }
            try {
                shared = start();
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
        }
        return shared;
    }

    /** Starts Cassandra (the slower one) on another thread while Kafka starts on this one. */
    private static EmbeddedInfrastructure start() {
        FutureTask<ForkedCassandra> cassandraStart =
                // 1g: a whole test suite shares this node, with a keyspace (eight tables) per test; the engine's
                // own suite ran the 512m default out of heap once the heartbeat table came.
                new FutureTask<>(() -> ForkedCassandra.builder().heapSize("1g").start());
        Thread thread = new Thread(cassandraStart, "scheduler-testkit-cassandra-start");
        thread.setDaemon(true);
        thread.start();
        EmbeddedKafka kafka;
        try {
            kafka = EmbeddedKafka.start();
        } catch (RuntimeException e) {
            try {
                awaitCassandra(cassandraStart).close();
            } catch (RuntimeException cassandraFailure) {
                e.addSuppressed(cassandraFailure);
            }
            throw e;
        }
        try {
            return new EmbeddedInfrastructure(kafka, awaitCassandra(cassandraStart));
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
    }

    private static ForkedCassandra awaitCassandra(FutureTask<ForkedCassandra> start) {
        try {
            return start.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new InfrastructureException("cannot start Cassandra", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InfrastructureException("interrupted while starting Cassandra", e);
        }
    }

    @Override
    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    @Override
    public FaultProxy kafkaProxy() {
        return kafka.proxy();
    }

    @Override
    public InetSocketAddress cassandraContactPoint() {
        return cassandra.contactPoint();
    }

    @Override
    public String cassandraLocalDatacenter() {
        return cassandra.localDatacenter();
    }

    @Override
    public String createTopic(String prefix, int partitions) {
        String name = UniqueNames.topic(prefix);
        kafka.createTopic(name, partitions);
        return name;
    }

    @Override
    public String uniqueKeyspaceName(String prefix) {
        return UniqueNames.keyspace(prefix);
    }

    @Override
    public String toString() {
        return "EmbeddedInfrastructure[kafka=" + kafka + ", cassandra=" + cassandra + "]";
    }
}
