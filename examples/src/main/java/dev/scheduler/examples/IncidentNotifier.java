package dev.scheduler.examples;

import dev.scheduler.client.SchedulerClient;
import dev.scheduler.client.SchedulerException;
import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.PartitionState;
import dev.scheduler.engine.Replication;
import dev.scheduler.engine.RetryPolicy;
import dev.scheduler.engine.SchedulerEngine;
import dev.scheduler.engine.admin.AdminServer;
import dev.scheduler.engine.admin.AdminServerSettings;
import dev.scheduler.testkit.InfrastructureException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A runnable incident-notification service on the public API: "page the on-call engineer a while after an
 * incident opens, unless it was acknowledged", with two more escalation steps after the first.
 *
 * <p>By default it starts its own Kafka broker (in this JVM) and Cassandra node (a forked JVM), creates an
 * 8-partition topic, and runs two {@link SchedulerEngine}s in one consumer group, as two instances of a service
 * would, so that they split the partitions; engine-a also serves the admin HTTP server and its dashboard on a free
 * port of 127.0.0.1. It then opens incidents at a steady rate, acknowledges some (which cancels their remaining
 * steps), lets the first page of some fail once (which shows a retry, and that the incident's later steps wait for
 * it), stops engine-b halfway through and starts it again later ({@link Failover}; not with
 * {@code --no-failover}), shows progress on one status line, and ends with a summary of what it checked. Exit
 * status: 0 when every check passed, 1 when one failed or a server could not be used, 2 for a bad command line.
 * {@code --help} lists the options.
 *
 * <pre>
 * mvn -B -q install -DskipTests
 * mvn -B -q -pl examples exec:java -Dexec.args="--duration 20 --rate 50"
 * </pre>
 */
public final class IncidentNotifier {

    private static final int PARTITIONS = 8;
    /** How long after the last task's time the example waits for stragglers before it reports them missing. */
    private static final Duration GIVE_UP_AFTER = Duration.ofSeconds(60);

    private static final Duration PARTITION_SPLIT_TIMEOUT = Duration.ofSeconds(60);

    private final NotifierOptions options;
    private final PrintStream out = System.out;
    private final long startNanos = System.nanoTime();
    private final OnCallNotifier notifier = new OnCallNotifier();
    private final StatusLine status = new StatusLine(out);
    /** Every engine started, running or not, so that each is closed at the end (close() is idempotent). */
    private final List<SchedulerEngine> engines = new CopyOnWriteArrayList<>();
    /** The engines running now, by name (sorted: engine-a, engine-b). */
    private final Map<String, SchedulerEngine> running = new ConcurrentSkipListMap<>();

    private volatile Function<String, SchedulerEngine> engineFactory;
    private volatile Failover failover;
    private final DemoServers servers;
    private volatile SchedulerClient client;
    private volatile IncidentStream stream;
    private volatile boolean stopping;

    private IncidentNotifier(NotifierOptions options) {
        this.servers = new DemoServers(options, out);
        this.options = options;
    }

    public static void main(String[] args) {
        NotifierOptions options;
        try {
            options = NotifierOptions.parse(args);
        } catch (FlagValues.UsageException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println();
            System.err.println(NotifierOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.println(NotifierOptions.USAGE);
            System.exit(0);
        }
        System.exit(new IncidentNotifier(options).run());
    }

    private int run() {
        Thread onCtrlC = new Thread(this::interrupted, "incident-notifier-shutdown");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        try {
            String runId = Long.toString(System.currentTimeMillis() / 1000 % (36L * 36 * 36 * 36 * 36), 36);
            String bootstrapServers = servers.start();
            InetSocketAddress cassandraAt = servers.awaitCassandra();
            String topic = "incidents-" + runId;
            DemoServers.createTopic(bootstrapServers, topic, PARTITIONS);
            String keyspace = "incident_notifier_" + runId;
            String group = "incident-notifier-" + runId;
            out.printf(
                    "Topic %s (%d partitions), keyspace %s, consumer group %s%n", topic, PARTITIONS, keyspace, group);

            startEngines(bootstrapServers, topic, group, cassandraAt, keyspace);
            client = SchedulerClient.builder()
                    .bootstrapServers(bootstrapServers)
                    .topic(topic)
                    .build();
            stream = new IncidentStream(client, notifier, options.rate(), options.delay(), options.duration());
            out.printf(
                    "%nOpening %s incidents a second for %d s; each pages 3 people %d, %d and %d s after it opens,"
                            + " unless acknowledged.%n%n",
                    number(options.rate()),
                    options.duration().toSeconds(),
                    options.delay().toSeconds(),
                    options.delay().plus(Incident.STEP_SPACING).toSeconds(),
                    options.delay().plus(Incident.STEP_SPACING.multipliedBy(2)).toSeconds());
            boolean allRan = runStream(bootstrapServers, topic);
            if (stopping) {
                return 130; // Ctrl-C
            }
            boolean passed = new Summary(notifier, stream, running, failover, elapsed()).print(out, allRan);
            stopEverything();
            return passed ? 0 : 1;
        } catch (SchedulerException | InfrastructureException | IllegalArgumentException e) {
            if (!stopping) {
                System.err.println();
                System.err.println("error: " + e.getMessage());
            }
            stopEverything();
            return 1;
        } catch (RuntimeException e) {
            if (!stopping) {
                System.err.println();
                System.err.println("error: unexpected failure");
                e.printStackTrace();
            }
            stopEverything();
            return 1;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onCtrlC);
            } catch (IllegalStateException alreadyShuttingDown) {
                // Ctrl-C: the hook is running
            }
        }
    }

    /**
     * Starts engine-a, with the admin server, waits until it owns every partition, then engine-b, and waits until
     * they split them.
     */
    private void startEngines(
            String bootstrapServers, String topic, String group, InetSocketAddress cassandraAt, String keyspace) {
        String datacenter = servers.datacenter();
        EngineSettings settings = EngineSettings.builder()
                // As in production, but with one replica: the keyspace lives in the local datacenter.
                .replication(Replication.networkTopology(Map.of(datacenter, 1)))
                // Retry quickly, so that the demo shows retries: after about 1.5 s, then 3 s, ...
                .retryPolicy(RetryPolicy.defaults()
                        .withBackoff(Duration.ofMillis(1_500), Duration.ofSeconds(10))
                        .withJitter(0.2))
                .executionThreads(8)
                .shutdownTimeout(Duration.ofSeconds(5))
                .build();
        engineFactory = name -> {
            SchedulerEngine.Builder builder = SchedulerEngine.builder()
                    .bootstrapServers(bootstrapServers)
                    .topic(topic)
                    .groupId(group)
                    .cassandra(cassandraAt, datacenter)
                    .keyspace(keyspace)
                    .taskExecutor(notifier.executorFor(name))
                    .settings(settings)
                    .instanceId(name) // how the dashboard names the owner of each partition
                    .consumerProperty("client.id", "incident-notifier-" + name);
            if (name.equals(Failover.STAYS)) {
                // Loopback only, on a free port: a second run at the same time does not clash with this one.
                builder.adminServer(AdminServerSettings.defaults().withPort(0));
            }
            SchedulerEngine engine = builder.build();
            engines.add(engine);
            engine.start();
            running.put(name, engine);
            return engine;
        };
        for (String name : List.of(Failover.STAYS, Failover.STOPS)) {
            long start = System.nanoTime();
            SchedulerEngine engine = engineFactory.apply(name);
            boolean split = awaitPartitions(running.size());
            List<String> owners = new ArrayList<>();
            running.forEach((n, e) -> owners.add(n + " owns " + partitionsOf(e)));
            out.printf(
                    "Started %s after %s: %s%s%n",
                    name,
                    seconds(System.nanoTime() - start),
                    String.join(", ", owners),
                    split ? "" : " (the group has not settled yet)");
            engine.adminServer()
                    .map(AdminServer::uri)
                    .ifPresent(uri -> out.printf(
                            "  Dashboard of %s: %s (open it in a browser while the example runs)%n", name, uri));
        }
    }

    /** Waits until the running engines own every partition between them, each at least one. */
    private boolean awaitPartitions(int engineCount) {
        long deadline = System.nanoTime() + PARTITION_SPLIT_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            int total = 0;
            boolean eachOwnsSome = true;
            for (SchedulerEngine engine : running.values()) {
                int owned = engine.partitions().size();
                total += owned;
                eachOwnsSome &= owned > 0;
            }
            if (total == PARTITIONS && eachOwnsSome && running.size() == engineCount) {
                return true;
            }
            sleep(50);
        }
        return false;
    }

    private static List<Integer> partitionsOf(SchedulerEngine engine) {
        return engine.partitions().stream().map(PartitionState::partition).toList();
    }

    /** Runs the incident stream and shows progress until every task ran; false if some never did. */
    private boolean runStream(String bootstrapServers, String topic) {
        stream.start();
        if (options.failover()) {
            // Halfway through the incidents, engine-b stops; at three quarters it starts again.
            failover = new Failover(bootstrapServers, topic, running, engineFactory, PARTITIONS, status, startNanos);
            failover.start(
                    System.nanoTime(),
                    options.duration().dividedBy(2),
                    options.duration().multipliedBy(3).dividedBy(4));
        }
        while (!stopping) {
            status.show(statusText());
            Instant now = Instant.now();
            boolean failoverDone = failover == null || failover.finished();
            if (stream.finished()
                    && failoverDone
                    && now.isAfter(stream.lastDue().plusSeconds(1))
                    && notifier.missing() == 0) {
                status.done(statusText());
                return true;
            }
            if (stream.finished()
                    && failoverDone
                    && now.isAfter(stream.lastDue().plus(GIVE_UP_AFTER))) {
                status.done(statusText());
                return false;
            }
            sleep(500);
        }
        return false;
    }

    private String statusText() {
        Lateness lateness = notifier.lateness();
        StringBuilder owned = new StringBuilder();
        running.forEach((name, engine) -> owned.append(' ')
                .append(name.substring(name.length() - 1))
                .append(':')
                .append(engine.partitions().size()));
        return String.format(
                "%4ds  scheduled %d | run %d | pending %d | cancelled %d | retried %d | lateness p50 %s"
                        + " p99 %s | partitions%s",
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos),
                stream.scheduled(),
                notifier.runs(),
                notifier.missing(),
                stream.cancelled(),
                notifier.retries(),
                Lateness.format(lateness.percentile(50)),
                Lateness.format(lateness.percentile(99)),
                owned);
    }

    /** The shutdown hook: Ctrl-C. */
    private void interrupted() {
        if (stopping) {
            return;
        }
        out.println();
        out.println("Interrupted: stopping the engines and the servers this example started...");
        // The testkit's own exit hook stops the servers at the same time, so the engines cannot always finish
        // cleanly: give them a few seconds, not more (an unfinished attempt simply runs again next time).
        stopEverything(Duration.ofSeconds(5));
    }

    private void stopEverything() {
        stopEverything(Duration.ofSeconds(20));
    }

    /**
     * Closes the engines (in parallel, so that neither takes over the other's partitions), waiting at most
     * {@code engineWait}, then the client and the servers this example started.
     */
    private synchronized void stopEverything(Duration engineWait) {
        if (stopping) {
            return;
        }
        stopping = true;
        if (engines.isEmpty() && !servers.startedAny()) {
            return; // nothing was started
        }
        long start = System.nanoTime();
        if (failover != null) {
            failover.close();
        }
        if (stream != null) {
            stream.close();
        }
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (SchedulerEngine engine : engines) {
            closing.add(CompletableFuture.runAsync(engine::close, runnable -> {
                Thread t = new Thread(runnable, "engine-close");
                t.setDaemon(true);
                t.start();
            }));
        }
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
                    .get(engineWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            out.println("The engines had not finished stopping after " + engineWait.toSeconds() + " s; going on");
        }
        quietly("closing the client", () -> {
            if (client != null) {
                client.close(Duration.ofSeconds(5));
            }
        });
        servers.close(this::quietly);
        out.printf("Stopped in %s. Total run time %s.%n", seconds(System.nanoTime() - start), elapsed());
    }

    private void quietly(String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            out.println(what + " failed: " + e);
        }
    }

    private String elapsed() {
        return seconds(System.nanoTime() - startNanos);
    }

    private static String seconds(long nanos) {
        return String.format("%.1f s", nanos / 1e9);
    }

    private static String number(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
