package dev.scheduler.engine.internal.kafka;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.client.TaskLimits;
import dev.scheduler.client.TaskPartitioner;
import dev.scheduler.client.wire.CancelTask;
import dev.scheduler.client.wire.RetryTask;
import dev.scheduler.client.wire.ScheduleTask;
import dev.scheduler.client.wire.TaskRecord;
import dev.scheduler.client.wire.TaskRecordCodec;
import dev.scheduler.engine.internal.store.DeadLetter;
import dev.scheduler.engine.internal.store.RetryRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes one poll's records of one partition and checks each against the {@link TaskLimits}. A record that
 * cannot be read or breaks a limit becomes a {@link DeadLetter} with the reason, so that its partition moves on.
 * Stateless and cheap: the poll thread makes one per engine.
 */
final class RecordDecoder {

    private static final Logger log = LoggerFactory.getLogger(RecordDecoder.class);

    /**
     * One partition's records of one poll, split by kind, in offset order within each kind; {@code taskOffsets}
     * holds each task's offset (a task Cassandra refuses is set aside by it).
     */
    record Decoded(
            List<Task> tasks,
            List<Long> taskOffsets,
            List<TaskKey> cancels,
            List<RetryRequest> retries,
            List<DeadLetter> deadLetters) {}

    private final TaskLimits limits;
    private final int partitionCount;

    /** @param partitionCount the topic's partition count, by which {@link TaskPartitioner} places ordering ids */
    RecordDecoder(TaskLimits limits, int partitionCount) {
        this.limits = limits;
        this.partitionCount = partitionCount;
    }

    Decoded decode(int partition, List<ConsumerRecord<byte[], byte[]>> records) {
        List<Task> tasks = new ArrayList<>(records.size());
        List<Long> taskOffsets = new ArrayList<>(records.size());
        List<TaskKey> cancels = new ArrayList<>();
        List<RetryRequest> retries = new ArrayList<>();
        List<DeadLetter> deadLetters = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            try {
                if (r.value() == null) {
                    throw new IllegalArgumentException("the record has no value");
                }
                TaskRecord decoded = TaskRecordCodec.decode(r.value());
                if (decoded instanceof ScheduleTask s) {
                    limits.validate(s.task());
                    checkPlacement(partition, s.task().key());
                    tasks.add(s.task());
                    taskOffsets.add(r.offset());
                } else if (decoded instanceof CancelTask c) {
                    limits.validate(c.key());
                    checkPlacement(partition, c.key());
                    cancels.add(c.key());
                } else if (decoded instanceof RetryTask retry) {
                    limits.validate(retry.key());
                    checkPlacement(partition, retry.key());
                    if (r.timestamp() < 0) {
                        // Kafka 4 writes a timestamp on every record; the request's time is what makes it apply once.
                        throw new IllegalArgumentException("a retry record needs a Kafka timestamp, this one has none");
                    }
                    retries.add(new RetryRequest(retry.key(), Instant.ofEpochMilli(r.timestamp())));
                }
            } catch (RuntimeException e) {
                String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
                log.warn("partition {} offset {}: record set aside: {}", partition, r.offset(), e.getMessage());
                deadLetters.add(new DeadLetter(
                        partition, r.offset(), key, r.value(), e.getClass().getSimpleName() + ": " + e.getMessage()));
            }
        }
        return new Decoded(tasks, taskOffsets, cancels, retries, deadLetters);
    }

    /**
     * A record of an ordering id on another partition than {@link TaskPartitioner} gives it (a producer with its
     * own partitioner) is set aside: its cancels would go to another partition, and its order would not hold.
     */
    private void checkPlacement(int partition, TaskKey key) {
        int expected = TaskPartitioner.partitionFor(key.orderingId(), partitionCount);
        if (expected != partition) {
            throw new IllegalArgumentException("ordering id '" + key.orderingId() + "' belongs on partition "
                    + expected + " of " + partitionCount + " (TaskPartitioner), not on partition " + partition
                    + ": the record was published with another partitioner, so its cancels and its order "
                    + "would miss; publish it with SchedulerClient or TaskPartitioner");
        }
    }
}
