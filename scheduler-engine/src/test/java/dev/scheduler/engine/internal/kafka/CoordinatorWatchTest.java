package dev.scheduler.engine.internal.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

class CoordinatorWatchTest {

    /** A counter the test moves, as the consumer's heartbeat and fetch counters move. */
    private static final class Counter implements Metric {
        private final MetricName name;
        volatile double value;

        Counter(String group, String name) {
            this.name = new MetricName(name, group, "", Map.of("client-id", "c"));
        }

        @Override
        public MetricName metricName() {
            return name;
        }

        @Override
        public Object metricValue() {
            return value;
        }
    }

    private final Counter heartbeats = new Counter("consumer-coordinator-metrics", "heartbeat-total");
    private final Counter fetches = new Counter("consumer-fetch-manager-metrics", "fetch-total");
    private final Counter perTopic = new Counter("consumer-fetch-manager-metrics", "fetch-total");
    private final AtomicInteger scans = new AtomicInteger();

    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest") {
        @Override
        public synchronized Map<MetricName, ? extends Metric> metrics() {
            scans.incrementAndGet();
            MetricName topicTagged = new MetricName(
                    "fetch-total", "consumer-fetch-manager-metrics", "", Map.of("client-id", "c", "topic", "t"));
            return Map.of(heartbeats.metricName(), heartbeats, fetches.metricName(), fetches, topicTagged, perTopic);
        }
    };

    @Test
    void silence_is_reported_once_neither_heartbeats_nor_fetches_moved_for_the_session_and_a_second() {
        CoordinatorWatch watch = new CoordinatorWatch(consumer, Duration.ZERO); // limit: 1 s
        assertThat(watch.silence()).isZero();
        perTopic.value = 5; // a per-topic counter does not count
        await().atMost(Duration.ofSeconds(5)).until(() -> !watch.silence().isZero());

        fetches.value = 1; // a fetch went out: not silent
        assertThat(watch.silence()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> !watch.silence().isZero());
        heartbeats.value = 1;
        assertThat(watch.silence()).isZero();
        watch.reset();
        assertThat(watch.silence()).isZero();
    }

    @Test
    void the_consumers_metrics_are_scanned_until_both_counters_are_found_and_not_on_every_poll() {
        CoordinatorWatch watch = new CoordinatorWatch(consumer, Duration.ofSeconds(6));
        for (int i = 0; i < 100; i++) {
            heartbeats.value = i;
            assertThat(watch.silence()).isZero();
        }
        assertThat(scans.get()).isEqualTo(2); // one scan per counter, on the first call
    }
}
