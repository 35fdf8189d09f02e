package dev.scheduler.testkit;

import dev.scheduler.testkit.internal.Directories;
import dev.scheduler.testkit.internal.ExitCleanup;
import dev.scheduler.testkit.internal.KafkaAdmin;
import dev.scheduler.testkit.internal.KafkaBrokerConfig;
import dev.scheduler.testkit.internal.LoopbackPorts;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker running inside this JVM: a single KRaft node that is broker and controller, listening on free
 * ports of 127.0.0.1, with its log in a temporary directory that {@link #close()} deletes.
 *
 * <p>The broker configuration is described in {@link #start(Map)}. Its log goes through slf4j, so the test's
 * logging binding decides what shows.
 *
 * <p>Caveat: a fatal fault inside the broker ends the whole JVM, as Kafka does in production. Tests that kill or
 * restart a broker use {@link ForkedKafka}.
 *
 * <p>Thread-safe. Closed automatically at JVM exit if the test did not close it.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(30);

    /** How many {@link #proxy()} proxies can be open at once. */
    public static final int PROXY_LISTENERS = 4;

    private final Path directory;
    private final int brokerPort;
    private final KafkaRaftServer server;
    private final KafkaProxyListeners proxyListeners;
    private final ExitCleanup.Registration cleanup;
    private boolean closed;

    private EmbeddedKafka(Path directory, int brokerPort, KafkaRaftServer server, KafkaProxyListeners proxyListeners) {
        this.directory = directory;
        this.brokerPort = brokerPort;
        this.server = server;
        this.proxyListeners = proxyListeners;
        this.cleanup = ExitCleanup.register("embedded Kafka broker on port " + brokerPort, this::shutDown);
    }

    /** Starts a broker with the default configuration; see {@link #start(Map)}. */
    public static EmbeddedKafka start() {
        return start(Map.of());
    }

    /**
     * Formats a new cluster in a temporary directory, starts the broker, and returns once it serves requests
     * (about 2 s).
     *
     * <p>Besides loopback listeners and replication factor 1 for every internal topic, the broker has
     * {@code log.cleaner.dedupe.buffer.size=2097152}, 4 partitions for the offsets and transaction topics,
     * {@code group.initial.rebalance.delay.ms=0}, {@code broker.session.timeout.ms=3000} (so that a broker restarted
     * after a crash registers quickly), {@code group.min.session.timeout.ms=1000}, and for the consumer
     * rebalance protocol (KIP-848) a 6 s session timeout and 500 ms heartbeat interval (minimums 1000 ms and
     * 100 ms) so that a group notices a lost member quickly. It also has {@value #PROXY_LISTENERS} listeners for
     * {@link #proxy()}.
     *
     * @param brokerProperties Kafka broker properties that replace the defaults, passed through unchanged; replacing
     *                         {@code listeners}, {@code advertised.listeners} or
     *                         {@code listener.security.protocol.map} breaks {@link #proxy()}
     * @throws InfrastructureException if the broker does not serve within 60 s
     */
    public static EmbeddedKafka start(Map<String, String> brokerProperties) {
        long startNanos = System.nanoTime();
        Path directory = Directories.createTemporary("kafka");
        KafkaProxyListeners proxyListeners = null;
        try {
            int[] ports = LoopbackPorts.allocate(2 + PROXY_LISTENERS);
            proxyListeners = KafkaProxyListeners.reserve(Arrays.copyOfRange(ports, 2, ports.length));
            Properties properties = KafkaBrokerConfig.serverProperties(
                    directory.resolve("log"), ports[0], ports[1], proxyListeners.listeners(), brokerProperties);
            Path propertiesFile = directory.resolve("server.properties");
            KafkaBrokerConfig.write(properties, propertiesFile);
            KafkaBrokerConfig.formatIfNeeded(propertiesFile);
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(properties), Time.SYSTEM);
            EmbeddedKafka kafka = new EmbeddedKafka(directory, ports[0], server, proxyListeners);
            try {
                server.startup();
                KafkaAdmin.awaitServing(ports[0], START_TIMEOUT);
            } catch (RuntimeException e) {
                kafka.close();
                throw e;
            }
            LOG.info("Embedded Kafka started in {} ms on {}", elapsedMillis(startNanos), kafka.bootstrapServers());
            return kafka;
        } catch (RuntimeException e) {
            if (proxyListeners != null) {
                proxyListeners.close();
            }
            deleteQuietly(directory);
            throw e;
        }
    }

    /** {@code 127.0.0.1:<port>}, for the clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return LoopbackPorts.HOST + ":" + brokerPort;
    }

    /**
     * A {@link FaultProxy} in front of this broker that every connection of a client bootstrapped through it goes
     * through: give the client {@link FaultProxy#address()} as {@code bootstrap.servers}.
     *
     * <p>A Kafka client connects to the bootstrap address only to learn the brokers' addresses, then connects to the
     * address the broker advertises, which would bypass a plain proxy. So the broker has {@value #PROXY_LISTENERS}
     * listeners besides its own, each on its own port and advertising the port of a proxy reserved for it; this method
     * starts a proxy on the port of a free one, forwarding to it, and {@link FaultProxy#close()} frees it again. The
     * broker's other clients, and the broker itself, are not affected by the proxy.
     *
     * <p>A client still running after its proxy was closed reconnects to the proxy port, and waits there until another
     * proxy takes it; close clients before their proxy.
     *
     * @throws IllegalStateException if {@value #PROXY_LISTENERS} proxies of this broker are open, or it is closed
     */
    public FaultProxy proxy() {
        return proxyListeners.take(toString());
    }

    /**
     * Creates a topic with replication factor 1 and returns once every partition has a leader, so that a producer can
     * write to it at once.
     *
     * @throws InfrastructureException if the topic exists or is not ready within 30 s
     */
    public void createTopic(String name, int partitions) {
        KafkaAdmin.createTopic(bootstrapServers(), name, partitions, TOPIC_TIMEOUT);
    }

    /** Shuts the broker down, waits for it, and deletes its directory. Idempotent. */
    @Override
    public void close() {
        cleanup.cancel();
        shutDown();
    }

    private synchronized void shutDown() {
        if (closed) {
            return;
        }
        closed = true;
        long startNanos = System.nanoTime();
        try {
            proxyListeners.close();
            server.shutdown();
            server.awaitShutdown();
        } finally {
            deleteQuietly(directory);
        }
        LOG.info("Embedded Kafka on {} stopped in {} ms", bootstrapServers(), elapsedMillis(startNanos));
    }

    private static void deleteQuietly(Path directory) {
        try {
            Directories.deleteRecursively(directory);
        } catch (UncheckedIOException e) {
            LOG.warn("Cannot delete {}", directory, e);
        }
    }

    private static long elapsedMillis(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + bootstrapServers() + "]";
    }
}
