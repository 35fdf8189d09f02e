package dev.scheduler.engine.internal.observe;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the engine reports for metrics. Free of Micrometer types on purpose: the engine calls it on every path,
 * and with no registry configured it is {@link #NONE}, so that Micrometer's classes are never loaded (the
 * Micrometer implementation, {@link MicrometerEngineMetrics}, is only instantiated when a registry is given).
 *
 * <p>Called from the poll thread, partition actors and executor threads: implementations are thread-safe and
 * quick, and never throw.
 */
public interface EngineMetrics extends AttemptEvents {

    /** Records of one poll handed to a partition's actors: schedules, cancels and records set aside. */
    default void recordsHandedOver(int partition, int tasks, int cancels, int deadLetters) {}

    /** Records of a partition became durable in Cassandra. */
    default void recordsPersisted(int partition, int records) {}

    /** What a rebalance did to this instance's partitions; the {@code kind} tag is the lower-case name. */
    enum Rebalance {
        ASSIGNED,
        REVOKED,
        LOST;

        /** The tag value: {@code assigned}, {@code revoked} or {@code lost}. */
        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The consumer group assigned, revoked or lost partitions. */
    default void rebalance(Rebalance kind, int partitions) {}

    /** Revoked or lost partitions were stopped (running attempts drained, offsets committed) in {@code took}. */
    default void handoff(int partitions, Duration took) {}

    /** This instance now owns the partition: per-partition gauges read the handle. */
    default void partitionStarted(PartitionGauges partition) {}

    /** This instance no longer owns the partition: its per-partition gauges go. */
    default void partitionStopped(int partition) {}

    /** Unfinished tasks of an owned partition due more than {@link #staleAfter()} ago (a bounded count). */
    default void staleTasks(int partition, int count) {}

    /** How overdue an unfinished task is before it counts as stale; null when stale tasks are not measured. */
    default Duration staleAfter() {
        return null;
    }

    /** How often owned partitions are scanned for stale tasks. */
    default Duration staleScanInterval() {
        return Duration.ofSeconds(30);
    }

    /** The Prometheus text exposition of the registry, when it is a Prometheus registry. */
    default Optional<Supplier<String>> prometheusScrape() {
        return Optional.empty();
    }

    /** Removes the engine's meters from the registry (the engine stopped). */
    default void close() {}

    /** Records nothing. */
    EngineMetrics NONE = new EngineMetrics() {};
}
