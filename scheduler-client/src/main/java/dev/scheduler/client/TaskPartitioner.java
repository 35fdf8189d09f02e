package dev.scheduler.client;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The partition a task's records go to: Kafka's default partitioner for keyed records applied to the
 * {@code orderingId}, {@code toPositive(murmur2(utf8(orderingId))) % partitionCount}. The original
 * PagerDuty scheduler used the same function, so both place a given ordering id on the same partition.
 *
 * <p>All records of one ordering id land on one partition, which is what lets the engine run them in
 * order. That holds only while the topic's partition count stays the same: see {@link SchedulerTopics}.
 */
public final class TaskPartitioner {

    private TaskPartitioner() {}

    /**
     * The partition for {@code orderingId} in a topic of {@code partitionCount} partitions.
     *
     * @throws InvalidTaskException if {@code orderingId} is null
     * @throws IllegalArgumentException if {@code partitionCount} is below 1
     */
    public static int partitionFor(String orderingId, int partitionCount) {
        if (orderingId == null) {
            throw new InvalidTaskException("orderingId must not be null");
        }
        if (partitionCount < 1) {
            throw new IllegalArgumentException("partitionCount must be at least 1, was " + partitionCount);
        }
        return Utils.toPositive(Utils.murmur2(orderingId.getBytes(StandardCharsets.UTF_8))) % partitionCount;
    }

    /** The partition for {@code key.orderingId()}; see {@link #partitionFor(String, int)}. */
    public static int partitionFor(TaskKey key, int partitionCount) {
        if (key == null) {
            throw new InvalidTaskException("key must not be null");
        }
        return partitionFor(key.orderingId(), partitionCount);
    }
}
