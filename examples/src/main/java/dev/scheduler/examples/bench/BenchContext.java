package dev.scheduler.examples.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import dev.scheduler.client.SchedulerClient;
import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.PartitionState;
import dev.scheduler.engine.SchedulerEngine;
import dev.scheduler.engine.TaskExecutor;
import dev.scheduler.engine.TaskListener;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * What every scenario shares: the options, the servers, the CPU meter, unique names for its topic and keyspace,
 * and the steps scenarios have in common (start an engine and wait until it owns every partition, wait for
 * runs or for durability, measure the heap).
 */
final class BenchContext {

    /** How long without a single new execution before a scenario stops waiting and reports what never ran. */
    static final Duration STALL_TIMEOUT = Duration.ofSeconds(30);
    /** How long a scenario keeps watching after the last expected execution, to catch duplicates. */
    static final Duration SETTLE = Duration.ofSeconds(2);

    private final BenchOptions options;
    private final Infrastructure infrastructure;
    private final CpuMeter cpu;
    private final String runId;
    private final PrintStream out;

    BenchContext(BenchOptions options, Infrastructure infrastructure, String runId, PrintStream out) {
        this.options = options;
        this.infrastructure = infrastructure;
        this.cpu = new CpuMeter(infrastructure.kafkaPid(), infrastructure.cassandraPid());
        this.runId = runId;
        this.out = out;
    }

    BenchOptions options() {
        return options;
    }

    Infrastructure infrastructure() {
        return infrastructure;
    }

    CpuMeter cpu() {
        return cpu;
    }

    PrintStream out() {
        return out;
    }

    /** A new topic {@code bench-<name>-<run id>} with {@code --partitions} partitions. */
    String newTopic(String name) {
        String topic = "bench-" + name + "-" + runId;
        infrastructure.createTopic(topic, options.partitions());
        return topic;
    }

    /** The keyspace of a scenario's topic: {@code bench_<name>_<run id>}. */
    String keyspace(String name) {
        return ("bench_" + name + "_" + runId).replace('-', '_');
    }

    /** The ordering id of task {@code number}: {@code --ordering-ids} ids, round-robin. */
    String orderingId(long number) {
        return "o" + (number % options.orderingIds());
    }

    /** The data of every benchmark task: one small entry, as a reminder or a notification would carry. */
    static Map<String, String> data(long number) {
        return Map.of("n", Long.toString(number));
    }

    /** A client with the defaults (acks=all, idempotent, lz4, linger 5 ms), but for {@code --compression}. */
    SchedulerClient client(String topic) {
        SchedulerClient.Builder builder = SchedulerClient.builder()
                .bootstrapServers(infrastructure.bootstrapServers())
                .topic(topic);
        if (options.compression() != null) {
            builder.producerProperty("compression.type", options.compression());
        }
        return builder.build();
    }

    /** The client settings written into the JSON file. */
    Map<String, Object> clientSettings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(
                "producer",
                "defaults of SchedulerClient: acks=all, enable.idempotence=true, compression.type=lz4, "
                        + "linger.ms=5, max.block.ms=10000");
        if (options.compression() != null) {
            m.put("compression.type", options.compression());
        }
        return m;
    }

    /** The settings every scenario's engine starts from: the defaults, with a shorter shutdown timeout. */
    static EngineSettings.Builder engineSettings() {
        return EngineSettings.builder().shutdownTimeout(Duration.ofSeconds(10));
    }

    /**
     * Builds and starts an engine in this JVM, then waits until it owns every partition and each is healthy
     * (claimed, checkpoint read), so that the scenario measures a running engine, not its start.
     */
    SchedulerEngine startEngine(
            String topic,
            String keyspace,
            EngineSettings settings,
            TaskExecutor executor,
            TaskListener listener,
            boolean awaitReady) {
        return startEngine(topic, keyspace, settings, executor, listener, awaitReady, topic);
    }

    /** As the other, with the Kafka client id given (each of several engines of one group needs its own). */
    SchedulerEngine startEngine(
            String topic,
            String keyspace,
            EngineSettings settings,
            TaskExecutor executor,
            TaskListener listener,
            boolean awaitReady,
            String clientId) {
        SchedulerEngine engine = SchedulerEngine.builder()
                .bootstrapServers(infrastructure.bootstrapServers())
                .topic(topic)
                .groupId(topic)
                .cassandra(infrastructure.contactPoint(), infrastructure.datacenter())
                .keyspace(keyspace)
                .taskExecutor(executor)
                .listener(listener)
                .settings(settings)
                .consumerProperty("client.id", clientId)
                .build();
        engine.start();
        if (awaitReady) {
            boolean ready = awaitCondition(Duration.ofSeconds(60), () -> {
                List<PartitionState> partitions = engine.partitions();
                return partitions.size() == options.partitions()
                        && partitions.stream().allMatch(PartitionState::healthy);
            });
            if (!ready) {
                engine.close();
                throw new IllegalStateException("the engine did not own all " + options.partitions()
                        + " partitions, healthy, within 60 s: " + engine.partitions());
            }
        }
        return engine;
    }

    /**
     * A driver session of the diagnosis scenarios' own, straight to Cassandra: a 10 s request timeout and 4,096
     * requests per connection, as the engine's own session has.
     */
    CqlSession storeSession() {
        return CqlSession.builder()
                .addContactPoint(infrastructure.contactPoint())
                .withLocalDatacenter(infrastructure.datacenter())
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10))
                        .withInt(DefaultDriverOption.CONNECTION_MAX_REQUESTS, 4096)
                        .build())
                .build();
    }

    /** Records from Kafka that the engine has made durable in Cassandra: the sum of its durable offsets. */
    static long durableRecords(SchedulerEngine engine) {
        return engine.partitions().stream()
                .mapToLong(p -> Math.max(0, p.durableOffset()))
                .sum();
    }

    /** Tasks the engine holds in memory, over its partitions. */
    static long tasksInMemory(SchedulerEngine engine) {
        return engine.partitions().stream()
                .mapToLong(PartitionState::tasksInMemory)
                .sum();
    }

    /**
     * Waits until {@code count} reaches {@code expected}, giving up once it has not moved for
     * {@link #STALL_TIMEOUT} after {@code notBeforeNanos}. Call {@link #settle()} after taking the figures that end
     * at the last execution, to watch for duplicates.
     *
     * @return {@link System#nanoTime()} when {@code expected} was reached, or -1 if it never was
     */
    long awaitCount(LongSupplier count, long expected, long notBeforeNanos) {
        return awaitCount(count, expected, notBeforeNanos, null);
    }

    /** As {@link #awaitCount(LongSupplier, long, long)}, adding the count reached each second to {@code timeline}. */
    long awaitCount(LongSupplier count, long expected, long notBeforeNanos, List<Long> timeline) {
        long last = -1;
        long lastChange = System.nanoTime();
        long reachedAt = -1;
        long nextSample = lastChange + 1_000_000_000L;
        while (true) {
            long now = System.nanoTime();
            long c = count.getAsLong();
            if (timeline != null && now - nextSample >= 0) {
                timeline.add(c);
                nextSample += 1_000_000_000L;
            }
            if (c >= expected) {
                reachedAt = now;
                break;
            }
            if (c != last) {
                last = c;
                lastChange = now;
            }
            if (now - Math.max(lastChange, notBeforeNanos) > STALL_TIMEOUT.toNanos()) {
                out.printf(
                        "  gave up waiting: %,d of %,d after %d s without progress%n",
                        c, expected, STALL_TIMEOUT.toSeconds());
                break;
            }
            sleep(20);
        }
        return reachedAt;
    }

    /** Watches {@link #SETTLE} longer, so that a late duplicate run is counted. */
    static void settle() {
        sleep(SETTLE.toMillis());
    }

    /**
     * Waits until Kafka, Cassandra and this JVM together use less than a fifth of a core over a second (flushes and
     * compactions of the previous scenario finished), at most a minute, so that one scenario's leftovers do not
     * count in the next. Other processes of the machine are not waited for.
     *
     * @return seconds waited
     */
    double quiesce() {
        long start = System.nanoTime();
        CpuMeter.Snapshot previous = cpu.snapshot();
        while (System.nanoTime() - start < Duration.ofMinutes(1).toNanos()) {
            sleep(1_000);
            CpuMeter.Snapshot now = cpu.snapshot();
            CpuMeter.Usage usage = CpuMeter.Usage.between(previous, now);
            previous = now;
            if (usage.engine() + Math.max(0, usage.cassandra()) + Math.max(0, usage.kafka()) < 0.2) {
                break;
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** Used heap of this JVM after a full collection, in bytes. */
    static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            sleep(200);
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    static boolean awaitCondition(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (condition.getAsBoolean()) {
                return true;
            }
            sleep(50);
        }
        return condition.getAsBoolean();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Closes an engine and says how long it took. */
    void close(SchedulerEngine engine, ScenarioResult result) {
        long start = System.nanoTime();
        engine.close();
        result.figures.put("engineCloseSeconds", Math.round((System.nanoTime() - start) / 1e6) / 1000.0);
    }
}
