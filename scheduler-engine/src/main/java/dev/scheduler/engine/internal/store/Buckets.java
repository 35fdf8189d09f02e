package dev.scheduler.engine.internal.store;

import java.time.Duration;

/**
 * The time buckets of the task tables: a task of Kafka partition p scheduled at t lives in the Cassandra
 * partition (p, floor(t / bucketSize)). The size is recorded in {@code scheduler_meta} and never changes.
 */
public record Buckets(long bucketMillis) {

    public Buckets {
        if (bucketMillis <= 0) {
            throw new IllegalArgumentException("bucketMillis must be positive, was " + bucketMillis);
        }
    }

    public static Buckets of(Duration size) {
        return new Buckets(size.toMillis());
    }

    /** The bucket of a time in epoch milliseconds. */
    public long bucketOf(long epochMillis) {
        return Math.floorDiv(epochMillis, bucketMillis);
    }

    /** The first millisecond of a bucket. */
    public long startOf(long bucket) {
        return bucket * bucketMillis;
    }
}
