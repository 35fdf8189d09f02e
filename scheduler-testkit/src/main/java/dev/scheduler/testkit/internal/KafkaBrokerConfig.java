package dev.scheduler.testkit.internal;

import dev.scheduler.testkit.InfrastructureException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;

/**
 * Configuration and storage of a single-node KRaft cluster (one process that is broker and controller) on
 * 127.0.0.1, shared by the in-process and the forked broker.
 */
public final class KafkaBrokerConfig {

    private KafkaBrokerConfig() {}

    /** A listener named {@code name} on 127.0.0.1:{@code port} that advertises 127.0.0.1:{@code advertisedPort}. */
    public record ProxiedListener(String name, int port, int advertisedPort) {}

    /**
     * The broker's properties: combined broker+controller, loopback listeners, replication factor 1 everywhere, and
     * settings that make a small test broker start fast and let consumers react quickly:
     * <ul>
     *   <li>{@code log.cleaner.dedupe.buffer.size=2097152}: the 128 MiB default can exhaust a small heap, and the broker
     *       then exits with code 1 without a word.</li>
     *   <li>4 partitions for the offsets and transaction state topics, {@code group.initial.rebalance.delay.ms=0}.</li>
     *   <li>{@code broker.session.timeout.ms=3000} (heartbeat 500 ms): after a SIGKILL the restarted broker waits for
     *       its old session to expire, 9 s by default.</li>
     *   <li>{@code group.min.session.timeout.ms=1000} (classic protocol); for the consumer protocol (KIP-848) a 6 s
     *       session and 500 ms heartbeat by default, with minimums of 1000 ms and 100 ms.</li>
     * </ul>
     * Each of {@code proxiedListeners} is a plaintext listener of its own, bound on its port and advertising
     * 127.0.0.1:{@code advertisedPort}, where a proxy in front of it listens: a client that bootstraps through the
     * proxy is told to connect to the proxy again. {@code overrides} are applied last, unchanged.
     */
    public static Properties serverProperties(
            Path logDirectory,
            int brokerPort,
            int controllerPort,
            List<ProxiedListener> proxiedListeners,
            Map<String, String> overrides) {
        String host = LoopbackPorts.HOST;
        StringBuilder listeners = new StringBuilder(
                "PLAINTEXT://" + host + ":" + brokerPort + ",CONTROLLER://" + host + ":" + controllerPort);
        StringBuilder advertised = new StringBuilder(listeners);
        StringBuilder protocols = new StringBuilder("CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        for (ProxiedListener proxied : proxiedListeners) {
            listeners
                    .append(',')
                    .append(proxied.name())
                    .append("://")
                    .append(host)
                    .append(':')
                    .append(proxied.port());
            advertised
                    .append(',')
                    .append(proxied.name())
                    .append("://")
                    .append(host)
                    .append(':')
                    .append(proxied.advertisedPort());
            protocols.append(',').append(proxied.name()).append(":PLAINTEXT");
        }
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.bootstrap.servers", host + ":" + controllerPort);
        p.setProperty("listeners", listeners.toString());
        p.setProperty("advertised.listeners", advertised.toString());
        p.setProperty("controller.listener.names", "CONTROLLER");
        // Brokers talk to each other (here: to itself) on PLAINTEXT, never through a proxy.
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", protocols.toString());
        p.setProperty("log.dirs", logDirectory.toAbsolutePath().toString());
        p.setProperty("num.partitions", "1");
        p.setProperty("default.replication.factor", "1");
        p.setProperty("min.insync.replicas", "1");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "4");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "4");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("log.cleaner.dedupe.buffer.size", "2097152");
        // A broker restarted after SIGKILL can only register once the controller expired its previous session:
        // 9 s by default.
        p.setProperty("broker.heartbeat.interval.ms", "500");
        p.setProperty("broker.session.timeout.ms", "3000");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("group.min.session.timeout.ms", "1000");
        p.setProperty("group.consumer.min.session.timeout.ms", "1000");
        p.setProperty("group.consumer.session.timeout.ms", "6000");
        p.setProperty("group.consumer.min.heartbeat.interval.ms", "100");
        p.setProperty("group.consumer.heartbeat.interval.ms", "500");
        overrides.forEach(p::setProperty);
        return p;
    }

    public static void write(Properties properties, Path file) {
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(writer, "written by scheduler-testkit");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public static Properties read(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return properties;
    }

    /**
     * Formats the log directory named in {@code propertiesFile} as a new standalone cluster, unless it holds a
     * {@code meta.properties} already (a restart on the same data).
     */
    public static void formatIfNeeded(Path propertiesFile) {
        Path logDirectory = Path.of(read(propertiesFile).getProperty("log.dirs"));
        if (Files.exists(logDirectory.resolve("meta.properties"))) {
            return;
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        String[] args = {
            "format",
            "--cluster-id",
            Uuid.randomUuid().toString(),
            "--config",
            propertiesFile.toString(),
            "--standalone",
            "--ignore-formatted"
        };
        int exitCode;
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            // execute(), unlike main(), returns instead of exiting the JVM.
            exitCode = StorageTool.execute(args, out);
        } catch (Exception e) {
            throw new InfrastructureException(
                    "cannot format Kafka storage in " + logDirectory + ": " + output.toString(StandardCharsets.UTF_8),
                    e);
        }
        if (exitCode != 0) {
            throw new InfrastructureException("formatting Kafka storage in " + logDirectory + " failed with code "
                    + exitCode + ": " + output.toString(StandardCharsets.UTF_8));
        }
    }
}
