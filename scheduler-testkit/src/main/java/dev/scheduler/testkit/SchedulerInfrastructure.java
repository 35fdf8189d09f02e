package dev.scheduler.testkit;

import dev.scheduler.testkit.internal.EmbeddedInfrastructure;
import java.net.InetSocketAddress;

/**
 * A Kafka broker and a Cassandra node for tests, whatever runs them: an in-process broker and a forked node
 * ({@link #shared()}), or containers ({@link ContainerInfrastructure}). Tests get one from
 * {@link SchedulerInfrastructureExtension}.
 *
 * <p>Tests sharing one infrastructure isolate themselves by name: a topic from {@link #createTopic(String, int)} and
 * a keyspace named by {@link #uniqueKeyspaceName(String)} belong to one test.
 *
 * <p>Implementations are thread-safe.
 */
public interface SchedulerInfrastructure {

    /** {@code host:port} of the broker, for {@code bootstrap.servers}. */
    String kafkaBootstrapServers();

    /**
     * A {@link FaultProxy} that every connection of a Kafka client bootstrapped through its {@link FaultProxy#address()}
     * goes through, bootstrap and broker connections alike; closing it frees it for another test. See
     * {@link EmbeddedKafka#proxy()} for how, and the limit of {@value EmbeddedKafka#PROXY_LISTENERS} open at once.
     *
     * @throws IllegalStateException if that many are open
     * @throws UnsupportedOperationException with containers ({@link ContainerInfrastructure})
     */
    FaultProxy kafkaProxy();

    /** Host and CQL port of the Cassandra node, for the driver's {@code addContactPoint}. */
    InetSocketAddress cassandraContactPoint();

    /**
     * A new {@link FaultProxy} to the Cassandra node: give the driver its {@link FaultProxy#socketAddress()} as the
     * only contact point. The node is alone in its cluster, so the driver finds no other address to connect to, and
     * every connection of the session goes through the proxy. Close it after the session.
     */
    default FaultProxy cassandraProxy() {
        return FaultProxy.start(cassandraContactPoint());
    }

    /** The node's datacenter, for the driver's {@code withLocalDatacenter}. */
    String cassandraLocalDatacenter();

    /**
     * Creates a topic named {@code <prefix>-<unique suffix>} with replication factor 1 and returns its name once
     * every partition has a leader, so that producing to it works at once.
     *
     * @param prefix     letters, digits, {@code .}, {@code _} or {@code -}; at most 200 characters
     * @param partitions at least 1
     * @throws IllegalArgumentException if {@code prefix} or {@code partitions} is not as described
     * @throws InfrastructureException if the topic is not ready within 30 s
     */
    String createTopic(String prefix, int partitions);

    /**
     * A keyspace name no other call of this JVM returns: {@code <prefix>_<unique suffix>} in lower case, a valid
     * unquoted CQL identifier of at most 48 characters. The prefix is shortened if needed. Creates nothing.
     *
     * @param prefix starts with a letter; letters, digits and {@code _}
     * @throws IllegalArgumentException if {@code prefix} is not as described
     */
    String uniqueKeyspaceName(String prefix);

    /**
     * The embedded infrastructure of this JVM: an in-process {@link EmbeddedKafka} and a {@link ForkedCassandra}
     * (512m heap), started together on the first call (about 5 to 10 s, plus Cassandra's download the very first
     * time) and stopped at JVM exit. Thread-safe; concurrent first calls start one infrastructure. If starting
     * failed, every later call throws the same failure rather than trying again.
     */
    static SchedulerInfrastructure shared() {
        return EmbeddedInfrastructure.shared();
    }
}
