package dev.scheduler.testkit;

import dev.scheduler.testkit.internal.Directories;
import dev.scheduler.testkit.internal.ExitCleanup;
import dev.scheduler.testkit.internal.ForkedJvm;
import dev.scheduler.testkit.internal.ForkedKafkaMain;
import dev.scheduler.testkit.internal.KafkaAdmin;
import dev.scheduler.testkit.internal.KafkaBrokerConfig;
import dev.scheduler.testkit.internal.LoopbackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A real Kafka broker in a JVM of its own, configured like {@link EmbeddedKafka} (a single KRaft broker+controller on
 * 127.0.0.1), that a test can {@link #kill()}, {@link #stop()} and {@link #start()} again on the same data and the
 * same ports, to see what clients do when their broker crashes.
 *
 * <pre>{@code
 * try (ForkedKafka kafka = ForkedKafka.builder().start()) {
 *     kafka.createTopic("tasks", 4);
 *     ... produce to kafka.bootstrapServers() ...
 *     kafka.kill();
 *     kafka.start();   // log recovery, then the same topics and records
 * }
 * }</pre>
 *
 * <p>The fork runs with this JVM's {@code java.class.path} (which must hold Kafka and this testkit, as a test
 * classpath does) and halts by itself when this JVM ends, even when it is killed. Its standard output and error, that
 * is its log if the classpath has an slf4j binding, are appended to {@link #logFile()}.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
public final class ForkedKafka implements AutoCloseable {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(30);

    private final Path directory;
    private final boolean temporary;
    private final int brokerPort;
    private final Duration startTimeout;
    private final ForkedJvm jvm;
    private final ExitCleanup.Registration directoryCleanup;

    private ForkedKafka(Builder builder) {
        this.temporary = builder.directory == null;
        this.directory = temporary ? Directories.createTemporary("forked-kafka") : builder.directory.toAbsolutePath();
        this.startTimeout = builder.startTimeout;
        Path propertiesFile = directory.resolve("server.properties");
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + directory, e);
        }
        if (Files.exists(propertiesFile)) {
            // Same directory again (a new JVM reusing a kept directory): same ports, since the cluster metadata
            // names the controller's address.
            this.brokerPort = Integer.parseInt(KafkaBrokerConfig.read(propertiesFile)
                    .getProperty("listeners")
                    .replaceAll(".*PLAINTEXT://[^:]+:(\\d+).*", "$1"));
        } else {
            int[] ports = LoopbackPorts.allocate(2);
            this.brokerPort = ports[0];
            KafkaBrokerConfig.write(
                    KafkaBrokerConfig.serverProperties(
                            directory.resolve("log"), ports[0], ports[1], List.of(), builder.brokerProperties),
                    propertiesFile);
        }
        List<String> jvmOptions = new ArrayList<>(List.of(
                "-Xms64m",
                "-Xmx" + builder.heapSize,
                "-XX:+UseG1GC",
                "-XX:ErrorFile=" + directory.resolve("hs_err_pid%p.log")));
        jvmOptions.addAll(builder.jvmOptions);
        this.jvm = new ForkedJvm(
                "Forked Kafka on " + LoopbackPorts.HOST + ":" + brokerPort,
                jvmOptions,
                ForkedJvm.currentClasspath(),
                ForkedKafkaMain.class.getName(),
                List.of(propertiesFile.toString()),
                directory,
                directory.resolve("broker.log"));
        this.directoryCleanup = temporary
                ? ExitCleanup.register("delete " + directory, () -> Directories.deleteRecursively(directory))
                : () -> {};
    }

    /** A builder with the defaults: temporary directory, 512m heap, 60 s start timeout. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the broker (formatting its storage the first time) and returns once it serves requests, about 2 to 3 s.
     * After {@link #kill()} or {@link #stop()} this restarts it on the same data and ports.
     *
     * @return this
     * @throws IllegalStateException if it is running
     * @throws InfrastructureException if the fork exits or does not serve within the start timeout; the message
     *                                 holds the end of {@link #logFile()}
     */
    public ForkedKafka start() {
        jvm.start(() -> KafkaAdmin.isServing(brokerPort), startTimeout, null);
        return this;
    }

    /** Stops the broker with SIGTERM (a controlled shutdown) and waits for its JVM to exit; kills it after 60 s. */
    public void stop() {
        jvm.stop(STOP_TIMEOUT);
    }

    /** Kills the broker's JVM with SIGKILL, as a crash would, and waits until it is gone. */
    public void kill() {
        jvm.kill();
    }

    /** Whether the broker's JVM is running. */
    public boolean isRunning() {
        return jvm.isAlive();
    }

    /** Pid of the broker's JVM, or of the last one if it is not running. */
    public long pid() {
        return jvm.pid();
    }

    /** {@code 127.0.0.1:<port>}; the same across restarts. */
    public String bootstrapServers() {
        return LoopbackPorts.HOST + ":" + brokerPort;
    }

    /** See {@link EmbeddedKafka#createTopic(String, int)}. */
    public void createTopic(String name, int partitions) {
        KafkaAdmin.createTopic(bootstrapServers(), name, partitions, TOPIC_TIMEOUT);
    }

    /** Where the broker's standard output and error are appended. */
    public Path logFile() {
        return jvm.outputFile();
    }

    /** The directory of the broker's properties, data and log. */
    public Path directory() {
        return directory;
    }

    /**
     * Kills the broker if its directory is temporary, which is then deleted; otherwise stops it gracefully and keeps
     * the directory for a later start.
     */
    @Override
    public void close() {
        if (temporary) {
            jvm.kill();
            directoryCleanup.cancel();
            Directories.deleteRecursively(directory);
        } else {
            jvm.stop(STOP_TIMEOUT);
        }
    }

    @Override
    public String toString() {
        return "ForkedKafka[" + bootstrapServers() + ", " + directory + "]";
    }

    /** Settings of a {@link ForkedKafka}; {@link #build()} allocates the ports but starts nothing. */
    public static final class Builder {
        private Path directory;
        private String heapSize = "512m";
        private Duration startTimeout = Duration.ofSeconds(60);
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private final List<String> jvmOptions = new ArrayList<>();

        private Builder() {}

        /**
         * Directory for the broker's properties, data and log; created if missing and kept by {@link #close()}.
         * Default: a temporary directory deleted by {@link #close()} and at JVM exit. A directory used before keeps
         * its ports.
         */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** Maximum heap of the broker's JVM in the {@code -Xmx} syntax. Default {@code 512m}. */
        public Builder heapSize(String heapSize) {
            if (!heapSize.matches("\\d+[kKmMgG]?")) {
                throw new IllegalArgumentException("heapSize must look like 512m, was " + heapSize);
            }
            this.heapSize = heapSize;
            return this;
        }

        /** How long {@link ForkedKafka#start()} waits for the broker to serve. Default 60 s. */
        public Builder startTimeout(Duration startTimeout) {
            if (startTimeout.isNegative() || startTimeout.isZero()) {
                throw new IllegalArgumentException("startTimeout must be positive, was " + startTimeout);
            }
            this.startTimeout = startTimeout;
            return this;
        }

        /** A Kafka broker property replacing the default, passed through unchanged. Only used for a new directory. */
        public Builder brokerProperty(String name, String value) {
            brokerProperties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** An extra option for the broker's JVM, e.g. {@code -XX:+HeapDumpOnOutOfMemoryError}. */
        public Builder jvmOption(String option) {
            jvmOptions.add(Objects.requireNonNull(option, "option"));
            return this;
        }

        /** Prepares the broker's directory and ports without starting it. */
        public ForkedKafka build() {
            return new ForkedKafka(this);
        }

        /** {@link #build()} and {@link ForkedKafka#start()}. */
        public ForkedKafka start() {
            return build().start();
        }
    }
}
