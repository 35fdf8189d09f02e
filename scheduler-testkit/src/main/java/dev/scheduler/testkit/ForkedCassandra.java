package dev.scheduler.testkit;

import dev.scheduler.testkit.internal.CassandraClasspath;
import dev.scheduler.testkit.internal.CassandraNodeFiles;
import dev.scheduler.testkit.internal.Directories;
import dev.scheduler.testkit.internal.ExitCleanup;
import dev.scheduler.testkit.internal.ForkedJvm;
import dev.scheduler.testkit.internal.LoopbackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A real single-node Cassandra {@value CassandraClasspath#VERSION} in a JVM of its own, on free ports of 127.0.0.1,
 * that a test can {@link #kill()}, {@link #stop()} and {@link #start()} again on the same data and ports.
 *
 * <pre>{@code
 * try (ForkedCassandra cassandra = ForkedCassandra.builder().start()) {
 *     CqlSession session = CqlSession.builder()
 *             .addContactPoint(cassandra.contactPoint())
 *             .withLocalDatacenter(cassandra.localDatacenter())
 *             .build();
 *     ...
 * }
 * }</pre>
 *
 * <p>Cassandra's jars never join the caller's classpath: they are resolved with Maven Resolver from the local
 * repository and Maven Central (or the mirror of {@code ~/.m2/settings.xml}) on first use, about 65 MiB, and the
 * classpath is cached in {@code ~/.cache/scheduler-testkit/}. No {@code mvn} is needed at test time.
 *
 * <p>Writes are durable against a crash of the process: the node syncs its commit log before it acknowledges a
 * write ({@code commitlog_sync: batch}), so every acknowledged write is back after {@link #kill()} and
 * {@link #start()}. Authentication is off, there is one token, and the datacenter is {@value #DATACENTER}.
 *
 * <p>The fork halts by itself when this JVM ends, even when it is killed, and is killed by a shutdown hook when this
 * JVM exits normally. Cassandra logs to {@link #logFile()}; the JVM's own output, with Cassandra's warnings and
 * errors, goes to {@code logs/console.log} beside it.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
public final class ForkedCassandra implements AutoCloseable {

    /** The datacenter of the node, for the driver's {@code withLocalDatacenter}. */
    public static final String DATACENTER = "datacenter1";

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    // From Cassandra's conf/jvm17-server.options; without them: "FATAL: Cassandra is unable to access required
    // classes".
    private static final List<String> MODULE_OPTIONS = List.of(
            "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED",
            "--add-exports=java.sql/java.sql=ALL-UNNAMED",
            "--add-exports=java.base/java.lang.ref=ALL-UNNAMED",
            "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports=jdk.attach/sun.tools.attach=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.module=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.math=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.module=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED",
            "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED");

    private final CassandraNodeFiles files;
    private final boolean temporary;
    private final CassandraNodeFiles.Ports ports;
    private final Duration startTimeout;
    private final ForkedJvm jvm;
    private final ExitCleanup.Registration directoryCleanup;

    private ForkedCassandra(Builder builder) {
        this.temporary = builder.nodeDirectory == null;
        Path nodeDirectory =
                temporary ? Directories.createTemporary("cassandra") : builder.nodeDirectory.toAbsolutePath();
        this.files = new CassandraNodeFiles(nodeDirectory);
        this.startTimeout = builder.startTimeout;
        this.directoryCleanup = temporary
                ? ExitCleanup.register("delete " + nodeDirectory, () -> Directories.deleteRecursively(nodeDirectory))
                : () -> {};
        try {
            Files.createDirectories(nodeDirectory);
            this.ports = files.existingPorts().orElseGet(() -> {
                int[] free = LoopbackPorts.allocate(3);
                return new CassandraNodeFiles.Ports(free[0], free[1], free[2]);
            });
            files.write(ports);
            ForkedJvm.writeWatchdogClasspath(files.launcherDirectory());
            List<Path> cassandraJars = CassandraClasspath.jars();
            List<Path> classpath = new ArrayList<>();
            classpath.add(files.launcherDirectory());
            classpath.addAll(cassandraJars);
            this.jvm = new ForkedJvm(
                    "Cassandra on " + LoopbackPorts.HOST + ":" + ports.nativeTransport(),
                    jvmOptions(builder, CassandraClasspath.jammAgent(cassandraJars)),
                    CassandraClasspath.join(classpath),
                    "org.apache.cassandra.service.CassandraDaemon",
                    List.of(),
                    nodeDirectory,
                    files.consoleLog());
        } catch (IOException e) {
            deleteIfTemporary();
            throw new UncheckedIOException("cannot prepare the Cassandra node directory " + nodeDirectory, e);
        } catch (RuntimeException e) {
            deleteIfTemporary();
            throw e;
        }
    }

    private List<String> jvmOptions(Builder builder, Path jammAgent) {
        Path node = files.nodeDirectory();
        List<String> options = new ArrayList<>(List.of(
                "-Xms" + builder.heapSize,
                "-Xmx" + builder.heapSize,
                "-Xss512k",
                "-XX:+UseG1GC",
                "-XX:+ExitOnOutOfMemoryError",
                "-XX:ErrorFile=" + files.logDirectory().resolve("hs_err_pid%p.log"),
                "-javaagent:" + jammAgent,
                "-Djdk.attach.allowAttachSelf=true"));
        options.addAll(MODULE_OPTIONS);
        options.addAll(List.of(
                "-Dio.netty.tryReflectionSetAccessible=true",
                "-Dio.netty.allocator.useCacheForAllThreads=true",
                "-Dio.netty.allocator.maxOrder=11",
                "-Djava.net.preferIPv4Stack=true",
                "-Dcassandra-foreground=yes", // otherwise Cassandra closes System.out and System.err
                "-Dcassandra.config=" + files.configFile().toUri(),
                "-Dcassandra.storagedir=" + node,
                "-Dcassandra.logdir=" + files.logDirectory(),
                "-Dcassandra.triggers_dir=" + files.triggersDirectory(),
                "-Dlogback.configurationFile=" + files.logbackFile(),
                "-Dcassandra.skip_wait_for_gossip_to_settle=0",
                "-Dcassandra.superuser_setup_delay_ms=0",
                "-Dcassandra.shutdown_announce_in_ms=0"));
        options.addAll(builder.jvmOptions);
        return options;
    }

    /** A builder with the defaults: temporary node directory, 512m heap, 120 s start timeout. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the node and returns once its CQL port accepts connections (the driver can connect right then): about
     * 4 to 10 s on 2 cores. After {@link #kill()} or {@link #stop()} this restarts it on the same data and ports,
     * replaying the commit log.
     *
     * @return this
     * @throws IllegalStateException if it is running
     * @throws InfrastructureException if the node exits or its CQL port stays closed for the start timeout; the
     *                                 message holds the last lines of its log and output
     */
    public ForkedCassandra start() {
        jvm.start(() -> LoopbackPorts.isListening(ports.nativeTransport()), startTimeout, files.systemLog());
        return this;
    }

    /**
     * Stops the node with SIGTERM, which drains it (flushes memtables) before it exits, and waits for the JVM to exit;
     * kills it after 60 s. Does nothing if it is not running.
     */
    public void stop() {
        jvm.stop(STOP_TIMEOUT);
    }

    /** Kills the node's JVM with SIGKILL, as a crash would, and waits until it is gone. */
    public void kill() {
        jvm.kill();
    }

    /** Whether the node's JVM is running. */
    public boolean isRunning() {
        return jvm.isAlive();
    }

    /** {@code 127.0.0.1}. */
    public String host() {
        return LoopbackPorts.HOST;
    }

    /** The CQL (native transport) port; the same across restarts. */
    public int nativePort() {
        return ports.nativeTransport();
    }

    /** Host and CQL port, for the driver's {@code addContactPoint}. */
    public InetSocketAddress contactPoint() {
        return new InetSocketAddress(host(), nativePort());
    }

    /** {@value #DATACENTER}, for the driver's {@code withLocalDatacenter}. */
    public String localDatacenter() {
        return DATACENTER;
    }

    /** Pid of the node's JVM, or of the last one if it is not running. */
    public long pid() {
        return jvm.pid();
    }

    /** Cassandra's log, {@code <node directory>/logs/system.log}; restarts append to it. */
    public Path logFile() {
        return files.systemLog();
    }

    /** The node's directory: configuration, data, commit log and logs. */
    public Path nodeDirectory() {
        return files.nodeDirectory();
    }

    /**
     * Kills the node if its directory is temporary, which is then deleted; otherwise stops it gracefully and keeps
     * the directory for a later start.
     */
    @Override
    public void close() {
        if (temporary) {
            jvm.kill();
            deleteIfTemporary();
        } else {
            jvm.stop(STOP_TIMEOUT);
        }
    }

    private void deleteIfTemporary() {
        if (temporary) {
            directoryCleanup.cancel();
            Directories.deleteRecursively(files.nodeDirectory());
        }
    }

    @Override
    public String toString() {
        return "ForkedCassandra[" + host() + ":" + nativePort() + ", " + nodeDirectory() + "]";
    }

    /**
     * Settings of a {@link ForkedCassandra}. {@link #build()} writes the node's configuration and resolves
     * Cassandra's classpath (downloading it the first time), but starts nothing.
     */
    public static final class Builder {
        private Path nodeDirectory;
        private String heapSize = "512m";
        private Duration startTimeout = Duration.ofSeconds(120);
        private final List<String> jvmOptions = new ArrayList<>();

        private Builder() {}

        /**
         * The node's directory, created if missing and kept by {@link ForkedCassandra#close()}; a directory used
         * before keeps its data and ports. Default: a temporary directory deleted by {@code close()} and at JVM exit.
         */
        public Builder nodeDirectory(Path nodeDirectory) {
            this.nodeDirectory = Objects.requireNonNull(nodeDirectory, "nodeDirectory");
            return this;
        }

        /** Heap of the node's JVM ({@code -Xms} and {@code -Xmx}) in that syntax. Default {@code 512m}. */
        public Builder heapSize(String heapSize) {
            if (!heapSize.matches("\\d+[kKmMgG]?")) {
                throw new IllegalArgumentException("heapSize must look like 512m, was " + heapSize);
            }
            this.heapSize = heapSize;
            return this;
        }

        /** How long {@link ForkedCassandra#start()} waits for the CQL port. Default 120 s. */
        public Builder startTimeout(Duration startTimeout) {
            if (startTimeout.isNegative() || startTimeout.isZero()) {
                throw new IllegalArgumentException("startTimeout must be positive, was " + startTimeout);
            }
            this.startTimeout = startTimeout;
            return this;
        }

        /** An extra option for the node's JVM, added last, e.g. {@code -Dcassandra.ring_delay_ms=1000}. */
        public Builder jvmOption(String option) {
            jvmOptions.add(Objects.requireNonNull(option, "option"));
            return this;
        }

        /** Prepares the node (configuration, ports, Cassandra's classpath) without starting it. */
        public ForkedCassandra build() {
            return new ForkedCassandra(this);
        }

        /** {@link #build()} and {@link ForkedCassandra#start()}. */
        public ForkedCassandra start() {
            return build().start();
        }
    }
}
