package dev.scheduler.engine.internal.observe;

import static dev.scheduler.engine.metrics.MicrometerMetrics.PARTITIONS_OWNED;
import static dev.scheduler.engine.metrics.MicrometerMetrics.PARTITION_ATTEMPTS_STUCK;
import static dev.scheduler.engine.metrics.MicrometerMetrics.PARTITION_CONSUMER_LAG;
import static dev.scheduler.engine.metrics.MicrometerMetrics.PARTITION_HANDOFF;
import static dev.scheduler.engine.metrics.MicrometerMetrics.PARTITION_TASKS_IN_MEMORY;
import static dev.scheduler.engine.metrics.MicrometerMetrics.PARTITION_TASKS_STALE;
import static dev.scheduler.engine.metrics.MicrometerMetrics.REBALANCES;
import static dev.scheduler.engine.metrics.MicrometerMetrics.RECORDS_DEAD_LETTERED;
import static dev.scheduler.engine.metrics.MicrometerMetrics.RECORDS_PERSISTED;
import static dev.scheduler.engine.metrics.MicrometerMetrics.TASKS_CANCELS;
import static dev.scheduler.engine.metrics.MicrometerMetrics.TASKS_ENQUEUED;
import static dev.scheduler.engine.metrics.MicrometerMetrics.TASKS_EXECUTED;
import static dev.scheduler.engine.metrics.MicrometerMetrics.TASKS_FAILED;
import static dev.scheduler.engine.metrics.MicrometerMetrics.TASKS_RETRIES;
import static dev.scheduler.engine.metrics.MicrometerMetrics.TASK_EXECUTION;
import static dev.scheduler.engine.metrics.MicrometerMetrics.TASK_LATENESS;

import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskStatus;
import dev.scheduler.engine.internal.store.AttemptResult;
import dev.scheduler.engine.metrics.MicrometerMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * {@link EngineMetrics} on Micrometer. The only engine class besides {@link PrometheusScrape} that touches
 * Micrometer's types; the engine instantiates it only when the application configured {@link MicrometerMetrics}.
 * Meter names and tags are documented on {@link MicrometerMetrics}.
 */
public final class MicrometerEngineMetrics implements EngineMetrics {

    private static final double[] PERCENTILES = {0.5, 0.9, 0.99, 0.999};
    private static final String PROMETHEUS_REGISTRY = "io.micrometer.prometheusmetrics.PrometheusMeterRegistry";

    private final MicrometerMetrics config;
    private final MeterRegistry registry;
    private final Tags tags;
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private final Map<Integer, List<Meter>> partitionMeters = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> stale = new ConcurrentHashMap<>();

    private final Counter enqueued;
    private final Counter persisted;
    private final Counter retries;
    private final Counter failed;
    private final Counter cancels;
    private final Counter deadLettered;
    private final Map<AttemptResult, Counter> executed = new java.util.EnumMap<>(AttemptResult.class);
    private final Map<Rebalance, Counter> rebalances = new ConcurrentHashMap<>();
    private final Timer lateness;
    private final Timer execution;
    private final Timer handoff;
    /** The Prometheus registry's scrape, once found. */
    private volatile Optional<Supplier<String>> scrape;

    public MicrometerEngineMetrics(MicrometerMetrics config, String topic) {
        this.config = config;
        this.registry = config.registry();
        this.tags = Tags.of("topic", topic);
        enqueued = counter(TASKS_ENQUEUED, "Schedule records handed to a partition", Tags.empty());
        persisted = counter(RECORDS_PERSISTED, "Kafka records made durable in Cassandra", Tags.empty());
        retries = counter(TASKS_RETRIES, "Attempts started after the first", Tags.empty());
        failed = counter(
                TASKS_FAILED,
                "Tasks that ended FAILED: the last allowed attempt failed, or the executor said not to retry",
                Tags.empty());
        cancels = counter(TASKS_CANCELS, "Cancel records handed to a partition", Tags.empty());
        deadLettered = counter(RECORDS_DEAD_LETTERED, "Records set aside as unreadable or invalid", Tags.empty());
        for (AttemptResult outcome : AttemptResult.values()) {
            executed(outcome);
        }
        lateness = timer(TASK_LATENESS, "From when an attempt was due to its start");
        execution = timer(TASK_EXECUTION, "Duration of attempts");
        handoff = timer(PARTITION_HANDOFF, "Time to hand revoked or lost partitions off");
        remember(Gauge.builder(PARTITIONS_OWNED, partitionMeters, Map::size)
                .tags(tags)
                .description("Partitions this instance owns")
                .register(registry));
    }

    private Counter counter(String name, String description, Tags extra) {
        return remember(Counter.builder(name)
                .tags(tags)
                .tags(extra)
                .description(description)
                .register(registry));
    }

    private Timer timer(String name, String description) {
        return remember(Timer.builder(name)
                .tags(tags)
                .description(description)
                .publishPercentiles(PERCENTILES)
                .register(registry));
    }

    private <M extends Meter> M remember(M meter) {
        meters.add(meter);
        return meter;
    }

    private Counter executed(AttemptResult outcome) {
        return executed.computeIfAbsent(
                outcome, o -> counter(TASKS_EXECUTED, "Attempts ended, by outcome", Tags.of("outcome", o.name())));
    }

    @Override
    public void attemptStarted(TaskKey key, int attempt, Duration lateness) {
        this.lateness.record(Math.max(0, lateness.toNanos()), TimeUnit.NANOSECONDS);
        if (attempt > 1) {
            retries.increment();
        }
    }

    @Override
    public void attemptFinished(
            TaskKey key, int attempt, AttemptResult result, TaskStatus statusAfter, Duration duration) {
        execution.record(Math.max(0, duration.toNanos()), TimeUnit.NANOSECONDS);
        executed.get(result).increment();
        if (statusAfter == TaskStatus.FAILED) {
            failed.increment(); // the last allowed attempt failed, or the executor said not to retry
        }
    }

    @Override
    public void recordsHandedOver(int partition, int tasks, int cancels, int deadLetters) {
        enqueued.increment(tasks);
        this.cancels.increment(cancels);
        deadLettered.increment(deadLetters);
    }

    @Override
    public void recordsPersisted(int partition, int records) {
        persisted.increment(records);
    }

    @Override
    public void rebalance(Rebalance kind, int partitions) {
        rebalances
                .computeIfAbsent(
                        kind,
                        k -> counter(REBALANCES, "Partitions assigned, revoked or lost", Tags.of("kind", k.tag())))
                .increment(partitions);
    }

    @Override
    public void handoff(int partitions, Duration took) {
        handoff.record(took);
    }

    @Override
    public void partitionStarted(PartitionGauges handle) {
        int p = handle.partition();
        partitionStopped(p); // a gauge registered again under the same id would keep reading the old handle
        AtomicInteger staleCount = new AtomicInteger(-1);
        stale.put(p, staleCount);
        Tags partitionTags = tags.and("partition", Integer.toString(p));
        List<Meter> list = new CopyOnWriteArrayList<>();
        list.add(Gauge.builder(PARTITION_TASKS_IN_MEMORY, handle, PartitionGauges::tasksInMemory)
                .tags(partitionTags)
                .description("Tasks held in memory")
                .strongReference(true)
                .register(registry));
        list.add(Gauge.builder(PARTITION_CONSUMER_LAG, handle, h -> h.consumerLag() < 0 ? Double.NaN : h.consumerLag())
                .tags(partitionTags)
                .description("Records on the topic not yet durable")
                .strongReference(true)
                .register(registry));
        list.add(Gauge.builder(PARTITION_ATTEMPTS_STUCK, handle, PartitionGauges::stuckAttemptCount)
                .tags(partitionTags)
                .description("Attempts still running shutdownTimeout after they timed out")
                .strongReference(true)
                .register(registry));
        if (config.staleAfter() != null) {
            list.add(Gauge.builder(PARTITION_TASKS_STALE, staleCount, c -> c.get() < 0 ? Double.NaN : c.get())
                    .tags(partitionTags)
                    .description("Unfinished tasks due more than " + config.staleAfter() + " ago")
                    .strongReference(true)
                    .register(registry));
        }
        partitionMeters.put(p, list);
    }

    @Override
    public void partitionStopped(int partition) {
        List<Meter> list = partitionMeters.remove(partition);
        if (list != null) {
            list.forEach(registry::remove);
        }
        stale.remove(partition);
    }

    @Override
    public void staleTasks(int partition, int count) {
        AtomicInteger c = stale.get(partition);
        if (c != null) {
            c.set(count);
        }
    }

    @Override
    public Duration staleAfter() {
        return config.staleAfter();
    }

    @Override
    public Duration staleScanInterval() {
        return config.staleScanInterval();
    }

    @Override
    public Optional<Supplier<String>> prometheusScrape() {
        Optional<Supplier<String>> found = scrape;
        if (found == null || found.isEmpty()) { // looked for again: a composite may get a Prometheus registry later
            try {
                Class.forName(PROMETHEUS_REGISTRY, false, MicrometerEngineMetrics.class.getClassLoader());
                found = PrometheusScrape.of(registry);
            } catch (ClassNotFoundException | LinkageError e) {
                found = Optional.empty();
            }
            scrape = found;
        }
        return found;
    }

    @Override
    public void close() {
        for (Integer p : List.copyOf(partitionMeters.keySet())) {
            partitionStopped(p);
        }
        meters.forEach(registry::remove);
        meters.clear();
    }
}
