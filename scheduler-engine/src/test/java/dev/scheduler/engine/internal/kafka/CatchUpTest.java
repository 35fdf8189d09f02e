package dev.scheduler.engine.internal.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.engine.internal.partition.PartitionHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The end offsets a rewound partition catches up to: asked for at each rewind on a connection of their own, never
 * used for other actors than those that rewound, and read with the consumer when the answer fails.
 */
class CatchUpTest {

    private static final TopicPartition P0 = new TopicPartition("tasks", 0);
    private static final TopicPartition P1 = new TopicPartition("tasks", 1);

    /** A reader whose answers the test gives, one future per request. */
    private static final class Reader implements EndOffsets {
        final List<Collection<TopicPartition>> requests = new ArrayList<>();
        final List<CompletableFuture<Map<TopicPartition, Long>>> answers = new ArrayList<>();

        @Override
        public CompletableFuture<Map<TopicPartition, Long>> read(Collection<TopicPartition> partitions) {
            requests.add(List.copyOf(partitions));
            CompletableFuture<Map<TopicPartition, Long>> answer = new CompletableFuture<>();
            answers.add(answer);
            return answer;
        }

        @Override
        public void close() {}
    }

    /** Counts the consumer's own (blocking) end-offset requests. */
    private static final class CountingConsumer extends MockConsumer<byte[], byte[]> {
        int endOffsetRequests;

        CountingConsumer() {
            super("earliest");
        }

        @Override
        public synchronized Map<TopicPartition, Long> endOffsets(
                Collection<TopicPartition> partitions, Duration timeout) {
            endOffsetRequests++;
            return super.endOffsets(partitions, timeout);
        }
    }

    private final CountingConsumer consumer = new CountingConsumer();
    private final Reader reader = new Reader();
    private final CatchUp catchUp = new CatchUp(consumer);

    @BeforeEach
    void setUp() {
        catchUp.reader(reader);
        consumer.updateEndOffsets(Map.of(P0, 30L, P1, 40L));
    }

    private static PartitionHandle rewound(int partition, long durable) {
        PartitionHandle h = new PartitionHandle(partition, durable, "local");
        h.requestRewind();
        assertThat(h.takeRewindRequest()).isTrue();
        return h;
    }

    @Test
    void the_end_is_asked_for_at_each_rewind_and_until_it_comes_the_partition_is_not_caught_up() {
        PartitionHandle first = rewound(0, 10);
        PartitionHandle other = rewound(1, 10);
        catchUp.rewound(Map.of(P0, first, P1, other));
        assertThat(reader.requests).hasSize(1);
        assertThat(reader.requests.get(0)).containsExactlyInAnyOrder(P0, P1);
        catchUp.settle();
        assertThat(first.noteCaughtUp(10)).as("its end not known yet").isFalse();
        reader.answers.get(0).complete(Map.of(P0, 12L, P1, 20L));
        catchUp.settle();
        assertThat(first.noteCaughtUp(11)).isFalse();
        assertThat(first.noteCaughtUp(12)).as("the end read at the rewind").isTrue();
        assertThat(other.noteCaughtUp(20)).isTrue();

        PartitionHandle restarted = rewound(0, 12); // a new incarnation of the actors rewinds again
        catchUp.rewound(Map.of(P0, restarted));
        assertThat(reader.requests).as("asked anew").hasSize(2);
        reader.answers.get(1).complete(Map.of(P0, 15L));
        catchUp.settle();
        assertThat(restarted.noteCaughtUp(14)).isFalse();
        assertThat(restarted.noteCaughtUp(15)).isTrue();
        assertThat(consumer.endOffsetRequests)
                .as("the consumer was never asked")
                .isZero();
    }

    @Test
    void while_the_end_is_not_known_what_the_partition_handed_over_must_become_durable() {
        PartitionHandle h = rewound(0, 10);
        catchUp.rewound(Map.of(P0, h));
        h.recordsHandedOver(4); // offsets 10..13, polled before the answer came
        h.handedOver(10, 14);
        assertThat(h.noteCaughtUp(14)).as("end not known").isFalse();

        reader.answers.get(0).complete(Map.of(P0, 12L));
        catchUp.settle();
        assertThat(h.noteCaughtUp(14))
                .as("past the end, but the batch that began before it is not durable")
                .isFalse();
        h.markDurable(h.generation(), 14, 4);
        assertThat(h.noteCaughtUp(14)).isTrue();
    }

    @Test
    void an_answer_for_actors_that_were_let_go_of_is_never_used() {
        PartitionHandle earlier = rewound(0, 10);
        catchUp.rewound(Map.of(P0, earlier));
        catchUp.released(List.of(P0)); // revoked before the answer came
        reader.answers.get(0).complete(Map.of(P0, 5L));
        catchUp.settle();
        assertThat(earlier.noteCaughtUp(10)).as("its answer was dropped").isFalse();

        PartitionHandle again = rewound(0, 10); // assigned again: new actors rewind
        catchUp.rewound(Map.of(P0, again));
        reader.answers.get(1).complete(Map.of(P0, 25L));
        catchUp.settle();
        assertThat(again.noteCaughtUp(10)).isFalse();
        assertThat(again.noteCaughtUp(25)).isTrue();
    }

    @Test
    void a_failed_answer_is_read_again_with_the_consumer() {
        PartitionHandle h0 = rewound(0, 10);
        PartitionHandle h1 = rewound(1, 10);
        catchUp.rewound(Map.of(P0, h0, P1, h1));
        reader.answers.get(0).completeExceptionally(new TimeoutException("listOffsets timed out"));
        catchUp.settle();

        assertThat(consumer.endOffsetRequests).isEqualTo(1);
        assertThat(h0.noteCaughtUp(29)).isFalse();
        assertThat(h0.noteCaughtUp(30)).as("the consumer's end offset").isTrue();
        assertThat(h1.noteCaughtUp(40)).isTrue();
    }

    @Test
    void a_partition_missing_from_the_answer_alone_is_read_with_the_consumer() {
        PartitionHandle h0 = rewound(0, 10);
        PartitionHandle h1 = rewound(1, 10);
        catchUp.rewound(Map.of(P0, h0, P1, h1));
        reader.answers.get(0).complete(Map.of(P1, 22L)); // P0 had no leader, say
        catchUp.settle();

        assertThat(consumer.endOffsetRequests).isEqualTo(1);
        assertThat(h0.noteCaughtUp(30)).as("the consumer's end offset").isTrue();
        assertThat(h1.noteCaughtUp(21)).isFalse();
        assertThat(h1.noteCaughtUp(22)).as("the reader's").isTrue();
    }

    @Test
    void a_partition_rewound_again_before_its_answer_came_waits_for_the_newer_one() {
        PartitionHandle first = rewound(0, 10);
        catchUp.rewound(Map.of(P0, first));
        PartitionHandle second = rewound(0, 10);
        catchUp.rewound(Map.of(P0, second));
        reader.answers.get(0).complete(Map.of(P0, 11L));
        catchUp.settle();
        assertThat(second.noteCaughtUp(11))
                .as("the older request's answer is not its own")
                .isFalse();
        reader.answers.get(1).complete(Map.of(P0, 13L));
        catchUp.settle();
        assertThat(second.noteCaughtUp(13)).isTrue();
    }
}
