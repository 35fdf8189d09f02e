package dev.scheduler.engine.internal.kafka;

import dev.scheduler.engine.internal.partition.PartitionHandle;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the durable offsets of the owned partitions: asynchronously every {@code commitInterval} while the
 * poll loop runs, synchronously when partitions are handed off. Which offsets are due is {@link OffsetCommits}'s
 * bookkeeping. Poll thread only.
 */
final class OffsetCommitter {

    private static final Logger log = LoggerFactory.getLogger(OffsetCommitter.class);

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final Duration interval;
    private final OffsetCommits commits = new OffsetCommits();
    private long lastCommitNanos = System.nanoTime();

    OffsetCommitter(Consumer<byte[], byte[]> consumer, String topic, Duration interval) {
        this.consumer = consumer;
        this.topic = topic;
        this.interval = interval;
    }

    void commitIfDue(Map<Integer, PartitionHandle> handles) {
        if (System.nanoTime() - lastCommitNanos < interval.toNanos()) {
            return;
        }
        lastCommitNanos = System.nanoTime();
        Map<Integer, Long> due = commits.take(durableOffsets(handles, handles.keySet()));
        if (!due.isEmpty()) {
            // The callback runs on this thread, in a later poll or commit call.
            consumer.commitAsync(asKafka(due), (o, e) -> {
                if (e == null) {
                    commits.succeeded(due);
                } else {
                    commits.failed(due);
                    log.debug("committing offsets failed; the next commit sends them again: {}", e.toString());
                }
            });
        }
    }

    void commitSync(Map<Integer, PartitionHandle> handles, Collection<Integer> partitions) {
        Map<Integer, Long> due = commits.take(durableOffsets(handles, partitions));
        if (due.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(asKafka(due), Duration.ofSeconds(10));
            commits.succeeded(due);
        } catch (RuntimeException e) {
            commits.failed(due);
            log.warn(
                    "committing offsets of partitions {} failed; their records will be read again by the next "
                            + "owner (no task is lost, some may be stored twice)",
                    partitions,
                    e);
        }
    }

    /** The partition is no longer owned. */
    void forget(int partition) {
        commits.forget(partition);
    }

    /** The durable offset of each of these owned partitions. */
    private static Map<Integer, Long> durableOffsets(
            Map<Integer, PartitionHandle> handles, Collection<Integer> partitions) {
        Map<Integer, Long> offsets = new HashMap<>();
        for (int p : partitions) {
            PartitionHandle h = handles.get(p);
            if (h != null) {
                offsets.put(p, h.durableOffset());
            }
        }
        return offsets;
    }

    private Map<TopicPartition, OffsetAndMetadata> asKafka(Map<Integer, Long> offsets) {
        Map<TopicPartition, OffsetAndMetadata> kafka = new HashMap<>();
        offsets.forEach((p, offset) -> kafka.put(new TopicPartition(topic, p), new OffsetAndMetadata(offset)));
        return kafka;
    }
}
