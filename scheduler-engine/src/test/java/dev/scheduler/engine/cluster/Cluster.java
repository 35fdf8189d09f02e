package dev.scheduler.engine.cluster;

import static org.awaitility.Awaitility.await;

import dev.scheduler.client.SchedulerClient;
import dev.scheduler.client.Task;
import dev.scheduler.testkit.internal.ForkedJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/** Engine instances as OS processes on real Kafka and Cassandra, a steady load, and what the logs show. */
final class Cluster implements AutoCloseable {

    /** One line of a node's executions log: an attempt's start (S) or end (E). */
    record Exec(
            String type,
            String orderingId,
            String uniquenessKey,
            int attempt,
            long millis,
            String instance,
            int partition) {
        String key() {
            return orderingId + "|" + uniquenessKey;
        }
    }

    final class Node {
        final String instance;
        final Path dir;
        final ForkedJvm jvm;

        Node(String instance, Path dir, ForkedJvm jvm) {
            this.instance = instance;
            this.dir = dir;
            this.jvm = jvm;
        }

        Set<Integer> partitions() {
            try {
                String text = Files.readString(dir.resolve("partitions")).trim();
                return text.isEmpty()
                        ? Set.of()
                        : Arrays.stream(text.split(",")).map(Integer::valueOf).collect(Collectors.toSet());
            } catch (IOException e) {
                return Set.of();
            }
        }

        void kill() {
            jvm.kill();
        }

        void stop() {
            jvm.stop(Duration.ofSeconds(30));
        }

        void signal(String signal) {
            try {
                new ProcessBuilder("kill", "-" + signal, Long.toString(jvm.pid()))
                        .inheritIO()
                        .start()
                        .waitFor();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    final String bootstrap;
    final InetSocketAddress cassandra;
    final String topic;
    final String keyspace;
    final int partitions;
    private final Path root;
    private final List<Node> nodes = new ArrayList<>();
    private final AtomicInteger generation = new AtomicInteger();

    /**
     * A cluster for one test method, on the shared infrastructure: its own topic and keyspace, and its nodes' logs
     * under {@code target/cluster/<method>-<nanos>}, so that they can be read after a failure.
     */
    static Cluster forTest(
            dev.scheduler.testkit.SchedulerInfrastructure infra,
            org.junit.jupiter.api.TestInfo test,
            String prefix,
            int partitions) {
        Path root = Path.of(
                        "target", "cluster", test.getTestMethod().orElseThrow().getName() + "-" + System.nanoTime())
                .toAbsolutePath();
        return new Cluster(
                root,
                infra.kafkaBootstrapServers(),
                infra.cassandraContactPoint(),
                infra.createTopic(prefix, partitions),
                infra.uniqueKeyspaceName(prefix),
                partitions);
    }

    /** Where the nodes' directories and logs are. */
    Path root() {
        return root;
    }

    Cluster(Path root, String bootstrap, InetSocketAddress cassandra, String topic, String keyspace, int partitions) {
        this.root = root;
        this.bootstrap = bootstrap;
        this.cassandra = cassandra;
        this.topic = topic;
        this.keyspace = keyspace;
        this.partitions = partitions;
    }

    Node start(String instance, String... extra) {
        Path dir = root.resolve(instance + "-" + generation.incrementAndGet());
        List<String> args = new ArrayList<>(List.of(
                "dir=" + dir,
                "instance=" + instance,
                "bootstrap=" + bootstrap,
                "topic=" + topic,
                "group=cluster-" + topic,
                "cassandra=" + cassandra.getHostString() + ":" + cassandra.getPort(),
                "keyspace=" + keyspace));
        args.addAll(List.of(extra));
        ForkedJvm jvm = new ForkedJvm(
                "engine " + instance,
                List.of(
                        "-Xmx256m",
                        "-XX:+UseSerialGC",
                        "-XX:TieredStopAtLevel=1",
                        "-Dorg.slf4j.simpleLogger.log.dev.scheduler.engine.internal=debug"),
                ForkedJvm.currentClasspath(),
                EngineNode.class.getName(),
                args,
                root,
                dir.resolve("output.log"));
        jvm.start(() -> Files.exists(dir.resolve("ready")), Duration.ofSeconds(90), dir.resolve("output.log"));
        Node node = new Node(instance, dir, jvm);
        nodes.add(node);
        return node;
    }

    /** Waits until the given live nodes own every partition between them, each exactly once. */
    void awaitBalanced(List<Node> live, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
            List<Integer> all = new ArrayList<>();
            live.forEach(n -> all.addAll(n.partitions()));
            return all.size() == partitions && new HashSet<>(all).size() == partitions;
        });
    }

    List<Exec> executions() {
        List<Exec> all = new ArrayList<>();
        for (Node n : nodes) {
            Path log = n.dir.resolve("executions.log");
            if (!Files.exists(log)) {
                continue;
            }
            try {
                for (String line : Files.readAllLines(log)) {
                    String[] f = line.split("\\|");
                    if (f.length == 7) {
                        all.add(new Exec(
                                f[0],
                                f[1],
                                f[2],
                                Integer.parseInt(f[3]),
                                Long.parseLong(f[4]),
                                f[5],
                                Integer.parseInt(f[6])));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        all.sort(Comparator.comparingLong(Exec::millis));
        return all;
    }

    /** Keys with an attempt that ended without failing: the task ran to success. */
    static Set<String> ranKeys(List<Exec> execs) {
        Set<String> failed = execs.stream()
                .filter(e -> e.type().equals("F"))
                .map(e -> e.key() + "#" + e.attempt())
                .collect(Collectors.toSet());
        return execs.stream()
                .filter(e -> e.type().equals("E") && !failed.contains(e.key() + "#" + e.attempt()))
                .map(Exec::key)
                .collect(Collectors.toSet());
    }

    /** Tasks whose failed first attempt was followed by a second; only those where it ran elsewhere if asked. */
    static long retried(List<Exec> execs, boolean elsewhereOnly) {
        Map<String, String> failedOn = execs.stream()
                .filter(e -> e.type().equals("F") && e.attempt() == 1)
                .collect(Collectors.toMap(Exec::key, Exec::instance, (x, y) -> x));
        return execs.stream()
                .filter(e -> e.type().equals("S") && e.attempt() == 2 && failedOn.containsKey(e.key()))
                .filter(e -> !elsewhereOnly || !e.instance().equals(failedOn.get(e.key())))
                .map(Exec::key)
                .distinct()
                .count();
    }

    /** Attempts (key and attempt number, every number) that started more than once, by "key#attempt". */
    static Map<String, List<Exec>> duplicates(List<Exec> execs) {
        return execs.stream()
                .filter(e -> e.type().equals("S"))
                .collect(Collectors.groupingBy(e -> e.key() + "#" + e.attempt()))
                .entrySet()
                .stream()
                .filter(e -> e.getValue().size() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /**
     * Pairs of attempts of one ordering id that ran at the same time (an attempt with no end is taken to run
     * until {@code openUntil}). Each start is its own run, ended by the next end of the same attempt on the same
     * instance: an attempt that ran twice on one instance (its outcome not recorded the first time) is two runs.
     */
    static List<String> overlaps(List<Exec> execs, long openUntil) {
        Map<String, java.util.ArrayDeque<long[]>> open = new HashMap<>();
        Map<String, List<Object[]>> byOrdering = new HashMap<>();
        for (Exec e : execs) {
            String id = e.key() + "|" + e.attempt() + "|" + e.instance();
            if (e.type().equals("S")) {
                long[] run = {e.millis(), openUntil};
                open.computeIfAbsent(id, k -> new java.util.ArrayDeque<>()).add(run);
                byOrdering
                        .computeIfAbsent(e.orderingId(), k -> new ArrayList<>())
                        .add(new Object[] {id, run});
            } else if (e.type().equals("E")
                    && open.containsKey(id)
                    && !open.get(id).isEmpty()) {
                open.get(id).poll()[1] = e.millis();
            }
        }
        List<String> found = new ArrayList<>();
        for (List<Object[]> runs : byOrdering.values()) {
            runs.sort(Comparator.comparingLong(r -> ((long[]) r[1])[0]));
            for (int i = 1; i < runs.size(); i++) {
                long[] prev = (long[]) runs.get(i - 1)[1];
                long[] cur = (long[]) runs.get(i)[1];
                if (cur[0] < prev[1]) { // strictly inside the previous one's run
                    found.add(runs.get(i - 1)[0] + " overlaps " + runs.get(i)[0]);
                }
            }
        }
        return found;
    }

    /** Waits until {@code more} keys have run to success than have now. */
    void awaitMoreRuns(int more) {
        int target = ranKeys(executions()).size() + more;
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> ranKeys(executions()).size() >= target);
    }

    /** Waits until every task the load had acknowledged ran; fails naming the missing ones, by partition. */
    void awaitAllAccepted(Load load, Duration deadline) {
        try {
            await().atMost(deadline)
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> ranKeys(executions()).containsAll(load.accepted));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            Set<String> missing = new java.util.TreeSet<>(load.accepted);
            missing.removeAll(ranKeys(executions()));
            Map<Integer, Long> byPartition = missing.stream()
                    .collect(Collectors.groupingBy(
                            k -> dev.scheduler.client.TaskPartitioner.partitionFor(
                                    k.substring(0, k.indexOf('|')), partitions),
                            java.util.TreeMap::new,
                            Collectors.counting()));
            throw new AssertionError(
                    missing.size() + " accepted tasks never ran, by partition " + byPartition + "; first: "
                            + missing.stream().limit(10).toList() + "; node logs under " + root,
                    e);
        }
    }

    /** Milliseconds from {@code since} to the first start, by another instance, on one of the given partitions. */
    long firstRunElsewhere(Set<Integer> on, String notInstance, long since) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> firstStart(on, notInstance, since).isPresent());
        return firstStart(on, notInstance, since).get().millis() - since;
    }

    private java.util.Optional<Exec> firstStart(Set<Integer> on, String notInstance, long since) {
        return executions().stream()
                .filter(e -> e.type().equals("S")
                        && e.millis() >= since
                        && on.contains(e.partition())
                        && !e.instance().equals(notInstance))
                .findFirst();
    }

    /** Schedules tasks at a steady rate on its own thread; remembers which ones Kafka acknowledged. */
    static final class Load implements AutoCloseable {
        final Set<String> accepted = ConcurrentHashMap.newKeySet();
        final AtomicInteger refused = new AtomicInteger();
        private final SchedulerClient client;
        private final Thread thread;
        private volatile boolean running = true;

        Load(String bootstrap, String topic, int perSecond, int orderingIds, String hangOrderingId) {
            client = SchedulerClient.builder()
                    .bootstrapServers(bootstrap)
                    .topic(topic)
                    .producerProperty("delivery.timeout.ms", 120_000)
                    .build();
            thread = new Thread(
                    () -> {
                        long interval = 1_000_000_000L / perSecond;
                        long next = System.nanoTime();
                        int i = 0;
                        while (running) {
                            String orderingId = "oid-" + (i % orderingIds);
                            Instant at =
                                    Instant.now().truncatedTo(ChronoUnit.MILLIS).plusMillis(500 + (i % 7) * 200L);
                            Task task = Task.of(orderingId, at, "t-" + i, Map.of());
                            client.scheduleTask(task).whenComplete((v, e) -> {
                                if (e == null) {
                                    accepted.add(task.orderingId() + "|" + task.uniquenessKey());
                                } else {
                                    refused.incrementAndGet();
                                }
                            });
                            i++;
                            next += interval;
                            long wait = next - System.nanoTime();
                            if (wait > 0) {
                                java.util.concurrent.locks.LockSupport.parkNanos(wait); // pacing, not synchronisation
                            }
                        }
                    },
                    "load");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join();
            client.close(Duration.ofSeconds(60));
        }
    }

    @Override
    public void close() {
        for (Node n : nodes) {
            if (n.jvm.isAlive()) {
                n.signal("CONT");
                n.kill();
            }
        }
    }
}
