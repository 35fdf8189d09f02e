package dev.scheduler.engine.internal.observe;

/** What per-partition gauges read of an owned partition; implemented by the partition's shared handle. */
public interface PartitionGauges {

    int partition();

    /** Tasks the partition holds in memory now. */
    int tasksInMemory();

    /** Records on the topic not durable yet, or -1 while unknown. */
    long consumerLag();

    /** Attempts still running {@code shutdownTimeout} after they timed out. */
    int stuckAttemptCount();
}
