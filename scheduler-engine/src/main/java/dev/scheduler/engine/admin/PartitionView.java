package dev.scheduler.engine.admin;

import dev.scheduler.client.TaskKey;
import java.time.Instant;

/**
 * What an operator needs to know of one partition of the topic, as seen from this instance. Fields that only
 * the owner knows are null on other instances.
 *
 * @param partition the Kafka partition
 * @param owner the instance that claimed it last (from Cassandra), or null if never claimed or unreadable
 * @param ownerEpoch the epoch of that claim, or null
 * @param claimedAt when it was claimed, or null
 * @param released true when that owner handed it off and no one claimed it since
 * @param ownedHere true when this instance owns it now
 * @param healthy owned here: false while its Cassandra calls fail, or while it starts or stops; else null
 * @param tasksInMemory owned here: tasks held in memory; else null
 * @param unpersistedRecords owned here: Kafka records not yet durable; else null
 * @param durableOffset owned here: the next offset after everything durable (what is committed); else null
 * @param consumerLag owned here: records on the topic not yet durable, when known; else null
 * @param checkpoint no unfinished task is stored before it; null if never written
 * @param overdueTasks unfinished tasks due more than the asked threshold ago (counted up to a bound)
 * @param overdueCountCapped true when the count stopped at its bound, or the scan did not reach now
 * @param oldestOverdue the earliest of them, or null
 * @param oldestOverdueDueAt when it was due (its retry time if it awaits a retry), or null
 */
public record PartitionView(
        int partition,
        String owner,
        Long ownerEpoch,
        Instant claimedAt,
        boolean released,
        boolean ownedHere,
        Boolean healthy,
        Integer tasksInMemory,
        Integer unpersistedRecords,
        Long durableOffset,
        Long consumerLag,
        Instant checkpoint,
        int overdueTasks,
        boolean overdueCountCapped,
        TaskKey oldestOverdue,
        Instant oldestOverdueDueAt) {}
