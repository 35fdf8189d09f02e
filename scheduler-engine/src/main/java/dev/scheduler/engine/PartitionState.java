package dev.scheduler.engine;

/**
 * What this instance knows of a partition it owns.
 *
 * @param partition the Kafka partition
 * @param healthy false while its Cassandra calls fail (they are retried) or while it is starting or stopping
 * @param tasksInMemory tasks held in memory: waiting for their time, queued, running or awaiting a retry
 * @param unpersistedRecords Kafka records handed to it and not yet durable in Cassandra
 * @param durableOffset the next Kafka offset after everything durable: what is committed
 */
public record PartitionState(
        int partition, boolean healthy, int tasksInMemory, int unpersistedRecords, long durableOffset) {}
