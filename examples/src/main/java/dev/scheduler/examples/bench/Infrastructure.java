package dev.scheduler.examples.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.scheduler.client.SchedulerTopics;
import dev.scheduler.testkit.ForkedCassandra;
import dev.scheduler.testkit.ForkedKafka;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The Kafka and Cassandra the benchmark runs against: forked on this machine (each in a JVM of its own, so that
 * its CPU time can be read from {@code /proc/<pid>/stat}), or external clusters given on the command line.
 */
final class Infrastructure implements AutoCloseable {

    private final PrintStream out;
    private ForkedKafka kafka;
    private ForkedCassandra cassandra;
    private String bootstrapServers;
    private InetSocketAddress contactPoint;
    private String datacenter;
    private String cassandraVersion = "unknown";

    private Infrastructure(PrintStream out) {
        this.out = out;
    }

    /** Starts what {@code options} does not name, Cassandra in the background while Kafka starts. */
    static Infrastructure start(BenchOptions options, PrintStream out) {
        Infrastructure infrastructure = new Infrastructure(out);
        try {
            infrastructure.startServers(options);
            return infrastructure;
        } catch (RuntimeException e) {
            infrastructure.close();
            throw e;
        }
    }

    private void startServers(BenchOptions options) {
        long start = System.nanoTime();
        CompletableFuture<ForkedCassandra> cassandraStart = null;
        if (options.forkCassandra()) {
            out.println("Forking a Cassandra node (the first run downloads it, about 65 MiB)...");
            cassandraStart = CompletableFuture.supplyAsync(
                    () -> ForkedCassandra.builder().start(), runnable -> {
                        Thread t = new Thread(runnable, "cassandra-start");
                        t.setDaemon(true);
                        t.start();
                    });
        }
        if (options.forkKafka()) {
            out.println("Forking a Kafka broker...");
            kafka = ForkedKafka.builder().start();
            bootstrapServers = kafka.bootstrapServers();
            out.printf(
                    "  Kafka ready at %s (pid %d) after %.1f s%n",
                    bootstrapServers, kafka.pid(), (System.nanoTime() - start) / 1e9);
        } else {
            bootstrapServers = options.kafka();
            out.println("Using Kafka at " + bootstrapServers);
        }
        if (cassandraStart != null) {
            try {
                cassandra = cassandraStart.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
            contactPoint = cassandra.contactPoint();
            datacenter = cassandra.localDatacenter();
            out.printf(
                    "  Cassandra ready at %s:%d (pid %d) after %.1f s%n",
                    cassandra.host(), cassandra.nativePort(), cassandra.pid(), (System.nanoTime() - start) / 1e9);
        } else {
            contactPoint = options.cassandra();
            datacenter = options.datacenter();
            out.println("Using Cassandra at " + contactPoint.getHostString() + ":" + contactPoint.getPort()
                    + ", datacenter " + datacenter);
        }
        try (CqlSession session = CqlSession.builder()
                .addContactPoint(contactPoint)
                .withLocalDatacenter(datacenter)
                .build()) {
            Row row =
                    session.execute("SELECT release_version FROM system.local").one();
            if (row != null) {
                cassandraVersion = row.getString("release_version");
            }
        }
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    InetSocketAddress contactPoint() {
        return contactPoint;
    }

    String datacenter() {
        return datacenter;
    }

    String cassandraVersion() {
        return cassandraVersion;
    }

    /** The forked broker's pid, if the broker is forked here. */
    OptionalLong kafkaPid() {
        return kafka == null ? OptionalLong.empty() : OptionalLong.of(kafka.pid());
    }

    /** The forked node's pid, if the node is forked here. */
    OptionalLong cassandraPid() {
        return cassandra == null ? OptionalLong.empty() : OptionalLong.of(cassandra.pid());
    }

    /** Creates a scheduler topic with one replica and {@code min.insync.replicas=1}, waiting for its leaders. */
    void createTopic(String topic, int partitions) {
        SchedulerTopics.createTopic(
                Map.of(
                        "bootstrap.servers",
                        bootstrapServers,
                        "default.api.timeout.ms",
                        15_000,
                        "request.timeout.ms",
                        5_000),
                topic,
                partitions,
                (short) 1,
                Map.of("min.insync.replicas", "1"));
    }

    /** Kills the forked servers and deletes their directories; external clusters are left alone. */
    @Override
    public void close() {
        if (kafka != null) {
            try {
                kafka.close();
            } catch (RuntimeException e) {
                out.println("stopping Kafka failed: " + e);
            }
        }
        if (cassandra != null) {
            try {
                cassandra.close();
            } catch (RuntimeException e) {
                out.println("stopping Cassandra failed: " + e);
            }
        }
    }
}
