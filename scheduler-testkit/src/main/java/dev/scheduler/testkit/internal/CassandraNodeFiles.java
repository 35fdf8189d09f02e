package dev.scheduler.testkit.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files of a single-node Cassandra under one node directory:
 * <pre>
 * conf/cassandra.yaml   conf/logback.xml   launcher/ (ForkWatchdog)
 * data/ commitlog/ saved_caches/ hints/ cdc_raw/ triggers/
 * logs/system.log (Cassandra's log)   logs/console.log (standard output and error of the JVM)
 * </pre>
 */
public record CassandraNodeFiles(Path nodeDirectory) {

    /** Ports of the node, chosen once and kept across restarts. */
    public record Ports(int nativeTransport, int storage, int sslStorage) {}

    public Path configFile() {
        return nodeDirectory.resolve("conf").resolve("cassandra.yaml");
    }

    public Path logbackFile() {
        return nodeDirectory.resolve("conf").resolve("logback.xml");
    }

    public Path logDirectory() {
        return nodeDirectory.resolve("logs");
    }

    public Path systemLog() {
        return logDirectory().resolve("system.log");
    }

    public Path consoleLog() {
        return logDirectory().resolve("console.log");
    }

    public Path triggersDirectory() {
        return nodeDirectory.resolve("triggers");
    }

    public Path launcherDirectory() {
        return nodeDirectory.resolve("launcher");
    }

    /** The ports of an existing {@code cassandra.yaml} written by {@link #write}, if any. */
    public Optional<Ports> existingPorts() {
        if (!Files.isRegularFile(configFile())) {
            return Optional.empty();
        }
        try {
            String yaml = Files.readString(configFile(), StandardCharsets.UTF_8);
            return Optional.of(new Ports(
                    port(yaml, "native_transport_port"), port(yaml, "storage_port"), port(yaml, "ssl_storage_port")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static int port(String yaml, String key) {
        Matcher matcher = Pattern.compile("(?m)^" + key + ":\\s*(\\d+)\\s*$").matcher(yaml);
        if (!matcher.find()) {
            throw new IllegalStateException("no " + key);
        }
        return Integer.parseInt(matcher.group(1));
    }

    /**
     * Writes {@code cassandra.yaml} and {@code logback.xml}.
     *
     * <p>{@code commitlog_sync: batch}: a write is acknowledged only after its commit log entry was synced, so that
     * every acknowledged write survives a SIGKILL (with the usual {@code periodic} mode, replay ignores the entries
     * after the last sync: up to 10 s of acknowledged writes would be lost). A sync costs well under a millisecond on
     * local disks, and concurrent writes share it.
     */
    public void write(Ports ports) {
        String host = LoopbackPorts.HOST;
        String yaml = String.join(
                "\n",
                "# written by scheduler-testkit: a single node on " + host,
                "cluster_name: scheduler-testkit",
                "num_tokens: 1",
                "initial_token: 0",
                "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
                "endpoint_snitch: SimpleSnitch",
                "dynamic_snitch: false",
                "auto_bootstrap: false",
                "seed_provider:",
                "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
                "    parameters:",
                "      - seeds: \"" + host + ":" + ports.storage() + "\"",
                "listen_address: " + host,
                "rpc_address: " + host,
                "storage_port: " + ports.storage(),
                "ssl_storage_port: " + ports.sslStorage(),
                "native_transport_port: " + ports.nativeTransport(),
                "start_native_transport: true",
                "data_file_directories:",
                "  - " + quoted(nodeDirectory.resolve("data")),
                "commitlog_directory: " + quoted(nodeDirectory.resolve("commitlog")),
                "saved_caches_directory: " + quoted(nodeDirectory.resolve("saved_caches")),
                "hints_directory: " + quoted(nodeDirectory.resolve("hints")),
                "cdc_raw_directory: " + quoted(nodeDirectory.resolve("cdc_raw")),
                "commitlog_sync: batch",
                "commitlog_segment_size: 8MiB",
                "memtable_heap_space: 64MiB",
                "memtable_offheap_space: 64MiB",
                "concurrent_reads: 8",
                "concurrent_writes: 8",
                "concurrent_counter_writes: 8",
                "concurrent_compactors: 1",
                "authenticator: AllowAllAuthenticator",
                "authorizer: AllowAllAuthorizer",
                "auto_snapshot: false",
                "hinted_handoff_enabled: false",
                "");
        String logback = String.join(
                "\n",
                "<configuration scan=\"false\">",
                "  <appender name=\"FILE\" class=\"ch.qos.logback.core.FileAppender\">",
                "    <file>" + xml(systemLog()) + "</file>",
                "    <append>true</append>",
                "    <encoder><pattern>%-5level [%thread] %date{ISO8601} %logger{36}:%L - %msg%n</pattern></encoder>",
                "  </appender>",
                "  <appender name=\"STDOUT\" class=\"ch.qos.logback.core.ConsoleAppender\">",
                "    <filter class=\"ch.qos.logback.classic.filter.ThresholdFilter\"><level>WARN</level></filter>",
                "    <encoder><pattern>%-5level [%thread] %date{ISO8601} %logger{36} - %msg%n</pattern></encoder>",
                "  </appender>",
                "  <root level=\"INFO\">",
                "    <appender-ref ref=\"FILE\"/>",
                "    <appender-ref ref=\"STDOUT\"/>",
                "  </root>",
                "</configuration>",
                "");
        try {
            Files.createDirectories(configFile().getParent());
            Files.createDirectories(logDirectory());
            Files.createDirectories(triggersDirectory());
            Files.writeString(configFile(), yaml, StandardCharsets.UTF_8);
            Files.writeString(logbackFile(), logback, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write the configuration of the Cassandra node in " + nodeDirectory, e);
        }
    }

    private static String quoted(Path path) {
        return "\"" + path.toAbsolutePath().toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String xml(Path path) {
        return path.toAbsolutePath()
                .toString()
                .replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;");
    }
}
