package dev.scheduler.engine.internal.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the end offsets a starting partition catches up to, without blocking the poll thread. The consumer's own
 * {@code endOffsets} waits on the broker behind the consumer's fetch in flight on the same connection (up to
 * {@code fetch.max.wait.ms}): in the example's rolling restart it took 172 ms while tasks were due.
 */
public interface EndOffsets extends AutoCloseable {

    /**
     * The end offsets of {@code partitions}: a partition whose offset could not be read in time is missing, or the
     * future completes exceptionally.
     */
    CompletableFuture<Map<TopicPartition, Long>> read(Collection<TopicPartition> partitions);

    @Override
    void close();

    /**
     * Over an admin client of its own (its own connections): the latest offsets at the consumer's isolation
     * level (the last stable offset when it reads committed records only), failing after {@code timeout}.
     */
    static EndOffsets viaAdmin(Admin admin, IsolationLevel isolation, Duration timeout) {
        ListOffsetsOptions options = new ListOffsetsOptions(isolation).timeoutMs((int) timeout.toMillis());
        return new EndOffsets() {
            @Override
            public CompletableFuture<Map<TopicPartition, Long>> read(Collection<TopicPartition> partitions) {
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
                ListOffsetsResult result = admin.listOffsets(latest, options);
                // Each partition's answer apart: one without a leader leaves only itself unread.
                Map<TopicPartition, Long> offsets = new ConcurrentHashMap<>();
                CompletableFuture<?>[] each = latest.keySet().stream()
                        .map(tp -> result.partitionResult(tp)
                                .toCompletionStage()
                                .toCompletableFuture()
                                .thenAccept(info -> offsets.put(tp, info.offset())))
                        .toArray(CompletableFuture[]::new);
                return CompletableFuture.allOf(each).handle((ok, error) -> Map.copyOf(offsets));
            }

            @Override
            public void close() {
                admin.close(Duration.ofSeconds(5));
            }
        };
    }
}
