package dev.scheduler.engine.internal.kafka;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Notices that the group coordinator has not answered this consumer's heartbeats for longer than the session
 * timeout. The group has then surely given this instance's partitions to others, but the consumer learns that
 * only once it reaches the coordinator again: meanwhile this instance would go on running them, and their new
 * owners would wait for it. Told by the consumer's metrics, on this instance's monotonic clock: neither a heartbeat
 * ({@code heartbeat-total}) nor a fetch ({@code fetch-total}) went out for that long. Heartbeats alone pause while
 * the group is joining (a rebalance may wait up to the session timeout for a member that died), but fetches for
 * the partitions kept go on then. Poll thread only.
 */
final class CoordinatorWatch {

    private static final String COORDINATOR = "consumer-coordinator-metrics";
    private static final String FETCHER = "consumer-fetch-manager-metrics";

    private final Consumer<byte[], byte[]> consumer;
    private final long limitNanos;
    /** The two counters, once found: the consumer's metrics are many, and this runs on every poll. */
    private Metric heartbeats;

    private Metric fetches;
    private double lastCount = Double.NaN;
    private long lastChangeNanos = System.nanoTime();

    /** @param sessionTimeout the consumer's session timeout; a second more is allowed for the last answer */
    CoordinatorWatch(Consumer<byte[], byte[]> consumer, Duration sessionTimeout) {
        this.consumer = consumer;
        this.limitNanos = sessionTimeout.plusSeconds(1).toNanos();
    }

    /** Counts from now: after a (re)subscription or an assignment, the coordinator just answered. */
    void reset() {
        lastChangeNanos = System.nanoTime();
    }

    /** How long the coordinator has not answered, if longer than the session timeout and a second. */
    Duration silence() {
        long now = System.nanoTime();
        if (heartbeats == null) {
            heartbeats = find(COORDINATOR, "heartbeat-total");
        }
        if (fetches == null) {
            fetches = find(FETCHER, "fetch-total");
        }
        double count = value(heartbeats) + value(fetches);
        if (Double.isNaN(count) || count != lastCount) {
            lastCount = count;
            lastChangeNanos = now;
            return Duration.ZERO;
        }
        long silent = now - lastChangeNanos;
        return silent > limitNanos ? Duration.ofNanos(silent) : Duration.ZERO;
    }

    private Metric find(String group, String name) {
        for (Map.Entry<MetricName, ? extends Metric> m : consumer.metrics().entrySet()) {
            if (m.getKey().name().equals(name)
                    && m.getKey().group().equals(group)
                    && !m.getKey().tags().containsKey("topic")) {
                return m.getValue();
            }
        }
        return null;
    }

    private static double value(Metric metric) {
        Object v = metric == null ? null : metric.metricValue();
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
