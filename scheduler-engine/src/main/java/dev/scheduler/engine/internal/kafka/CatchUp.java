package dev.scheduler.engine.internal.kafka;

import dev.scheduler.engine.internal.partition.PartitionHandle;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Poll thread: where each rewound partition catches up to before it starts tasks. A partition starts no task until
 * the records on the topic when it was rewound (after its claim) are durable, so the offset is the partition's end
 * offset read then: not a high watermark the consumer may hold from before (a list-offsets answer from before a
 * revoke, a partition paused since, a new leader's lower one), and not one read at the assignment (the claim may
 * wait out a lease, and a cancel published meanwhile must win).
 *
 * <p>With an {@link EndOffsets} reader (an admin client of its own), the request does not wait behind the
 * consumer's fetch in flight, and the poll thread does not wait for its answer: until it comes, the partition is not
 * caught up. A partition whose answer fails is read with the consumer's blocking request; without a reader, that
 * request is the only one (one for the partitions rewound together). If neither can read the end, the partition
 * does not wait (and order may break as before); logged.
 */
final class CatchUp {

    private static final Logger log = LoggerFactory.getLogger(CatchUp.class);

    private record Pending(PartitionHandle handle, CompletableFuture<Map<TopicPartition, Long>> ends) {}

    private final Consumer<byte[], byte[]> consumer;
    private EndOffsets reader;
    /** Rewound partitions whose end offset has not come yet. */
    private final Map<TopicPartition, Pending> pending = new HashMap<>();

    CatchUp(Consumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
    }

    void reader(EndOffsets r) {
        reader = r;
    }

    /** Closes the reader, if any. */
    void close() {
        if (reader != null) {
            reader.close();
        }
    }

    /** In the revoke and lost callbacks: an answer for the earlier actors is never used. */
    void released(Collection<TopicPartition> partitions) {
        partitions.forEach(pending::remove);
    }

    /** Partitions the poll thread has just sought back to their durable offset. */
    void rewound(Map<TopicPartition, PartitionHandle> rewound) {
        if (reader == null) {
            readBlocking(rewound);
            return;
        }
        CompletableFuture<Map<TopicPartition, Long>> ends = request(rewound.keySet());
        rewound.forEach((tp, handle) -> pending.put(tp, new Pending(handle, ends)));
    }

    /** Each poll iteration: gives each rewound partition whose end offset has come its offset to catch up to. */
    void settle() {
        Map<TopicPartition, PartitionHandle> unread = new HashMap<>();
        for (Iterator<Map.Entry<TopicPartition, Pending>> it =
                        pending.entrySet().iterator();
                it.hasNext(); ) {
            Map.Entry<TopicPartition, Pending> p = it.next();
            CompletableFuture<Map<TopicPartition, Long>> ends = p.getValue().ends();
            if (!ends.isDone()) {
                continue;
            }
            it.remove();
            Long end = ends.isCompletedExceptionally() ? null : ends.join().get(p.getKey());
            if (end == null) {
                unread.put(p.getKey(), p.getValue().handle());
            } else {
                target(p.getKey(), p.getValue().handle(), end);
            }
        }
        if (!unread.isEmpty()) {
            log.info("partitions {}: their end offsets could not be read apart; asking the consumer", unread.keySet());
            readBlocking(unread);
        }
    }

    private CompletableFuture<Map<TopicPartition, Long>> request(Collection<TopicPartition> partitions) {
        try {
            return reader.read(List.copyOf(partitions));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void readBlocking(Map<TopicPartition, PartitionHandle> rewound) {
        Map<TopicPartition, Long> ends = Map.of();
        try {
            ends = consumer.endOffsets(rewound.keySet(), Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            log.warn(
                    "partitions {}: could not read their end offsets; tasks start without catching up with the "
                            + "topic first: {}",
                    rewound.keySet(),
                    e.toString());
        }
        for (Map.Entry<TopicPartition, PartitionHandle> r : rewound.entrySet()) {
            target(
                    r.getKey(),
                    r.getValue(),
                    ends.getOrDefault(r.getKey(), r.getValue().durableOffset()));
        }
    }

    private static void target(TopicPartition tp, PartitionHandle handle, long end) {
        log.debug(
                "partition {}: catching up from offset {} to {} before starting tasks",
                tp.partition(),
                handle.durableOffset(),
                end);
        handle.catchUpTo(end);
    }
}
