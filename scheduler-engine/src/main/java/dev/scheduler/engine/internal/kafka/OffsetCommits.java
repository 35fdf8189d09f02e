package dev.scheduler.engine.internal.kafka;

import java.util.HashMap;
import java.util.Map;

/**
 * Which durable offsets the poll loop still has to commit. An offset sent is not sent again while its commit is
 * in flight or done; a commit that failed makes its offsets due again, so that an idle partition's last offset
 * is still committed (otherwise its records would be read again after every rebalance). Poll thread only.
 */
final class OffsetCommits {

    private final Map<Integer, Long> sent = new HashMap<>();
    private final Map<Integer, Long> confirmed = new HashMap<>();

    /** The offsets of {@code durable} (partition to next offset) newer than what was sent; marks them sent. */
    Map<Integer, Long> take(Map<Integer, Long> durable) {
        Map<Integer, Long> due = new HashMap<>();
        durable.forEach((partition, offset) -> {
            Long last = sent.get(partition);
            if (last == null || offset > last) {
                due.put(partition, offset);
                sent.put(partition, offset);
            }
        });
        return due;
    }

    /** Kafka confirmed these offsets. */
    void succeeded(Map<Integer, Long> offsets) {
        offsets.forEach((partition, offset) -> confirmed.merge(partition, offset, Math::max));
    }

    /** Committing these offsets failed: each is due again unless a later one was sent since. */
    void failed(Map<Integer, Long> offsets) {
        offsets.forEach((partition, offset) -> {
            if (offset.equals(sent.get(partition))) {
                Long last = confirmed.get(partition);
                if (last == null) {
                    sent.remove(partition);
                } else {
                    sent.put(partition, last);
                }
            }
        });
    }

    /** The partition is no longer owned. */
    void forget(int partition) {
        sent.remove(partition);
        confirmed.remove(partition);
    }
}
