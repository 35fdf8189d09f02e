package dev.scheduler.examples;

import dev.scheduler.client.SchedulerException;
import dev.scheduler.client.SchedulerTopics;
import dev.scheduler.testkit.EmbeddedKafka;
import dev.scheduler.testkit.ForkedCassandra;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The servers of the incident notifier: those the options name, or an embedded Kafka broker and a forked
 * Cassandra node started for the run (Cassandra in the background while Kafka starts) and stopped after it.
 */
final class DemoServers {

    private final NotifierOptions options;
    private final PrintStream out;
    private volatile CompletableFuture<Timed<ForkedCassandra>> cassandraStart;
    private volatile EmbeddedKafka kafka;
    private volatile ForkedCassandra cassandra;

    DemoServers(NotifierOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /**
     * Starts what the options do not name: Cassandra in the background, the Kafka broker here. Returns Kafka's
     * bootstrap servers; {@link #awaitCassandra()} gives Cassandra's address.
     */
    String start() {
        if (options.embeddedCassandra()) {
            out.println("Starting a Cassandra node in a forked JVM (the first run downloads it, about 65 MiB)...");
            cassandraStart = CompletableFuture.supplyAsync(
                    timed(() -> ForkedCassandra.builder().start()), runnable -> {
                        Thread t = new Thread(runnable, "cassandra-start");
                        t.setDaemon(true);
                        t.start();
                    });
        }
        if (!options.embeddedKafka()) {
            out.println("Using Kafka at " + options.kafka());
            return options.kafka();
        }
        out.println("Starting an embedded Kafka broker in this JVM...");
        long start = System.nanoTime();
        kafka = EmbeddedKafka.start();
        out.printf("  Kafka ready at %s after %s%n", kafka.bootstrapServers(), seconds(System.nanoTime() - start));
        return kafka.bootstrapServers();
    }

    InetSocketAddress awaitCassandra() {
        if (!options.embeddedCassandra()) {
            InetSocketAddress given = options.cassandra();
            InetSocketAddress resolved = new InetSocketAddress(given.getHostString(), given.getPort());
            if (resolved.isUnresolved()) {
                throw new IllegalArgumentException("cannot resolve the Cassandra host " + given.getHostString());
            }
            out.println("Using Cassandra at " + given.getHostString() + ":" + given.getPort() + ", datacenter "
                    + options.datacenter());
            return resolved;
        }
        Timed<ForkedCassandra> started;
        try {
            started = cassandraStart.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        cassandra = started.value();
        out.printf(
                "  Cassandra ready at %s:%d after %s (pid %d)%n",
                cassandra.host(), cassandra.nativePort(), seconds(started.nanos()), cassandra.pid());
        return cassandra.contactPoint();
    }

    static void createTopic(String bootstrapServers, String topic, int partitions) {
        try {
            // One replica is enough for a demo; min.insync.replicas=1 lets acks=all work whatever the broker's default.
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
        } catch (SchedulerException e) {
            throw new SchedulerException(
                    "cannot create topic " + topic + " on Kafka at " + bootstrapServers + " (is it running?): "
                            + e.getMessage(),
                    e);
        }
    }

    /** The local datacenter of the Cassandra in use. */
    String datacenter() {
        return options.embeddedCassandra() ? cassandra.localDatacenter() : options.datacenter();
    }

    /** True once this run started a server of its own (or began to). */
    boolean startedAny() {
        return kafka != null || cassandraStart != null;
    }

    /** Stops the servers this run started; {@code quietly} runs each step and reports a failure without throwing. */
    void close(BiConsumer<String, Runnable> quietly) {
        if (cassandraStart != null && cassandra == null) {
            cassandraStart.thenAccept(started -> started.value().close()); // Ctrl-C while it was starting
        }
        quietly.accept("stopping Kafka", () -> {
            if (kafka != null) {
                kafka.close();
            }
        });
        quietly.accept("stopping Cassandra", () -> {
            if (cassandra != null) {
                cassandra.close();
            }
        });
    }

    private static String seconds(long nanos) {
        return String.format("%.1f s", nanos / 1e9);
    }

    private record Timed<T>(T value, long nanos) {}

    private static <T> Supplier<Timed<T>> timed(Supplier<T> action) {
        return () -> {
            long start = System.nanoTime();
            T value = action.get();
            return new Timed<>(value, System.nanoTime() - start);
        };
    }
}
