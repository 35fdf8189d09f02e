package dev.scheduler.engine.admin;

import java.util.List;

/**
 * This instance at a glance.
 *
 * @param topic the scheduler topic
 * @param groupId the consumer group of its engines
 * @param instanceId this instance's id, as recorded for the partitions it owns
 * @param partitionCount the topic's partition count
 * @param ownedPartitions partitions this instance owns now, in order
 * @param health liveness and readiness
 * @param activity recent attempts on this instance
 */
public record Overview(
        String topic,
        String groupId,
        String instanceId,
        int partitionCount,
        List<Integer> ownedPartitions,
        Health health,
        Activity activity) {

    public Overview {
        ownedPartitions = List.copyOf(ownedPartitions);
    }
}
