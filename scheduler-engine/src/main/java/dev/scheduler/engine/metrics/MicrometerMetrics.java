package dev.scheduler.engine.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Objects;

/**
 * Has the engine record its metrics in a Micrometer {@link MeterRegistry}:
 * {@code SchedulerEngine.builder()...metrics(MicrometerMetrics.of(registry))}.
 *
 * <p>Micrometer is an optional dependency of the engine: an application that never calls this class needs
 * no Micrometer on its classpath, and the engine then records nothing. Every meter carries the tag
 * {@code topic}; add common tags (service, instance) on the registry.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>{@value #TASKS_ENQUEUED}</td><td>counter</td><td></td><td>schedule records handed to a partition</td></tr>
 *   <tr><td>{@value #RECORDS_PERSISTED}</td><td>counter</td><td></td><td>Kafka records made durable in Cassandra</td></tr>
 *   <tr><td>{@value #TASKS_EXECUTED}</td><td>counter</td><td>outcome</td><td>attempts ended: SUCCEEDED, FAILED, TIMED_OUT</td></tr>
 *   <tr><td>{@value #TASKS_RETRIES}</td><td>counter</td><td></td><td>attempts started after the first</td></tr>
 *   <tr><td>{@value #TASKS_FAILED}</td><td>counter</td><td></td><td>tasks that ended FAILED: the last allowed attempt failed, or the executor threw NonRetryableException</td></tr>
 *   <tr><td>{@value #TASKS_CANCELS}</td><td>counter</td><td></td><td>cancel records handed to a partition</td></tr>
 *   <tr><td>{@value #RECORDS_DEAD_LETTERED}</td><td>counter</td><td></td><td>records set aside as unreadable or invalid</td></tr>
 *   <tr><td>{@value #TASK_LATENESS}</td><td>timer</td><td></td><td>from when an attempt was due to its start</td></tr>
 *   <tr><td>{@value #TASK_EXECUTION}</td><td>timer</td><td></td><td>duration of attempts</td></tr>
 *   <tr><td>{@value #PARTITION_TASKS_IN_MEMORY}</td><td>gauge</td><td>partition</td><td>tasks held in memory</td></tr>
 *   <tr><td>{@value #PARTITION_TASKS_STALE}</td><td>gauge</td><td>partition</td><td>unfinished tasks due more than {@link #staleAfter()} ago</td></tr>
 *   <tr><td>{@value #PARTITION_ATTEMPTS_STUCK}</td><td>gauge</td><td>partition</td><td>attempts still running shutdownTimeout after they timed out (their ordering ids wait)</td></tr>
 *   <tr><td>{@value #PARTITION_CONSUMER_LAG}</td><td>gauge</td><td>partition</td><td>records on the topic not yet durable</td></tr>
 *   <tr><td>{@value #PARTITIONS_OWNED}</td><td>gauge</td><td></td><td>partitions this instance owns</td></tr>
 *   <tr><td>{@value #REBALANCES}</td><td>counter</td><td>kind</td><td>partitions assigned, revoked or lost</td></tr>
 *   <tr><td>{@value #PARTITION_HANDOFF}</td><td>timer</td><td></td><td>time to hand revoked or lost partitions off</td></tr>
 * </table>
 *
 * <p>Timers publish the percentiles 0.5, 0.9, 0.99 and 0.999 (over a sliding window of about two minutes) and
 * their maximum. Per-partition gauges exist only on the instance that owns the partition, so that a sum over
 * instances counts each partition once. Immutable and thread-safe.
 */
public final class MicrometerMetrics {

    public static final String TASKS_ENQUEUED = "scheduler.tasks.enqueued";
    public static final String RECORDS_PERSISTED = "scheduler.records.persisted";
    public static final String TASKS_EXECUTED = "scheduler.tasks.executed";
    public static final String TASKS_RETRIES = "scheduler.tasks.retries";
    public static final String TASKS_FAILED = "scheduler.tasks.failed";
    public static final String TASKS_CANCELS = "scheduler.tasks.cancels";
    public static final String RECORDS_DEAD_LETTERED = "scheduler.records.dead.lettered";
    public static final String TASK_LATENESS = "scheduler.task.lateness";
    public static final String TASK_EXECUTION = "scheduler.task.execution";
    public static final String PARTITION_TASKS_IN_MEMORY = "scheduler.partition.tasks.in.memory";
    public static final String PARTITION_TASKS_STALE = "scheduler.partition.tasks.stale";
    public static final String PARTITION_CONSUMER_LAG = "scheduler.partition.consumer.lag";
    public static final String PARTITION_ATTEMPTS_STUCK = "scheduler.partition.attempts.stuck";
    public static final String PARTITIONS_OWNED = "scheduler.partitions.owned";
    public static final String REBALANCES = "scheduler.rebalances";
    public static final String PARTITION_HANDOFF = "scheduler.partition.handoff";

    private final MeterRegistry registry;
    private final Duration staleAfter;
    private final Duration staleScanInterval;

    private MicrometerMetrics(MeterRegistry registry, Duration staleAfter, Duration staleScanInterval) {
        this.registry = registry;
        this.staleAfter = staleAfter;
        this.staleScanInterval = staleScanInterval;
    }

    /**
     * Metrics in {@code registry}, with the defaults: a task is stale 60 s after it was due, and owned partitions
     * are scanned for stale tasks every 30 s.
     *
     * @throws IllegalArgumentException if {@code registry} is null
     */
    public static MicrometerMetrics of(MeterRegistry registry) {
        if (registry == null) {
            throw new IllegalArgumentException("registry must not be null");
        }
        return new MicrometerMetrics(registry, Duration.ofSeconds(60), Duration.ofSeconds(30));
    }

    /**
     * A copy in which an unfinished task counts as stale once it is {@code after} overdue. Default 60 s.
     *
     * @throws IllegalArgumentException if {@code after} is null or negative
     */
    public MicrometerMetrics withStaleAfter(Duration after) {
        if (after == null || after.isNegative()) {
            throw new IllegalArgumentException("staleAfter must be zero or positive, was " + after);
        }
        return new MicrometerMetrics(registry, after, staleScanInterval);
    }

    /**
     * A copy that scans owned partitions for stale tasks every {@code interval}: one bounded range read of
     * Cassandra per owned partition, from its checkpoint. Default 30 s.
     *
     * @throws IllegalArgumentException if {@code interval} is null or under 100 ms
     */
    public MicrometerMetrics withStaleScanInterval(Duration interval) {
        if (interval == null || interval.toMillis() < 100) {
            throw new IllegalArgumentException("staleScanInterval must be at least 100 ms, was " + interval);
        }
        return new MicrometerMetrics(registry, staleAfter, interval);
    }

    /** The registry meters are recorded in. */
    public MeterRegistry registry() {
        return registry;
    }

    /** How overdue an unfinished task is before it counts as stale. */
    public Duration staleAfter() {
        return staleAfter;
    }

    /** How often owned partitions are scanned for stale tasks. */
    public Duration staleScanInterval() {
        return staleScanInterval;
    }

    @Override
    public String toString() {
        return "MicrometerMetrics[registry=" + registry.getClass().getSimpleName() + ", staleAfter=" + staleAfter
                + ", staleScanInterval=" + staleScanInterval + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MicrometerMetrics m
                && m.registry == registry
                && m.staleAfter.equals(staleAfter)
                && m.staleScanInterval.equals(staleScanInterval);
    }

    @Override
    public int hashCode() {
        return Objects.hash(System.identityHashCode(registry), staleAfter, staleScanInterval);
    }
}
