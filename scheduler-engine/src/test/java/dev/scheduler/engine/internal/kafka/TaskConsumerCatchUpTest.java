package dev.scheduler.engine.internal.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.scheduler.engine.internal.partition.EngineGuardian;
import dev.scheduler.engine.internal.partition.PartitionHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where a starting partition catches up to before it starts tasks: the end offsets read with one request for the
 * partitions rewound together, not a high watermark the consumer may have from before the assignment.
 */
class TaskConsumerCatchUpTest {

    private static final String TOPIC = TestTaskConsumers.TOPIC;
    private static final TopicPartition FETCHED = new TopicPartition(TOPIC, 0);
    private static final TopicPartition NOT_FETCHED = new TopicPartition(TOPIC, 1);

    /** A consumer whose lag comes from its fetches' high watermarks, apart from the end offsets a request reads. */
    private static final class FetchingConsumer extends MockConsumer<byte[], byte[]> {
        final Map<TopicPartition, Long> highWatermarks = new ConcurrentHashMap<>();
        final List<Collection<TopicPartition>> endOffsetRequests = new ArrayList<>();

        FetchingConsumer() {
            super("earliest");
        }

        @Override
        public OptionalLong currentLag(TopicPartition tp) {
            Long hw = highWatermarks.get(tp);
            return hw == null ? OptionalLong.empty() : OptionalLong.of(hw - position(tp));
        }

        @Override
        public synchronized Map<TopicPartition, Long> endOffsets(
                Collection<TopicPartition> partitions, Duration timeout) {
            endOffsetRequests.add(List.copyOf(partitions));
            return super.endOffsets(partitions, timeout);
        }
    }

    private final ActorSystem<EngineGuardian.SpawnPartition> system = ActorSystem.create(
            Behaviors.setup(ctx -> Behaviors.receiveMessage(spawn -> {
                spawn.replyTo().tell(ctx.spawnAnonymous(Behaviors.ignore()));
                return Behaviors.same();
            })),
            "TaskConsumerCatchUpTest");

    private final FetchingConsumer consumer = new FetchingConsumer();

    @AfterEach
    void shutDown() {
        system.terminate();
    }

    @Test
    void rewound_partitions_catch_up_to_the_end_offsets_one_request_reads_not_to_a_cached_high_watermark() {
        TaskConsumer tasks = TestTaskConsumers.over(consumer, system);
        consumer.assign(List.of(FETCHED, NOT_FETCHED));
        consumer.updateBeginningOffsets(Map.of(FETCHED, 0L, NOT_FETCHED, 0L));
        consumer.updateEndOffsets(Map.of(FETCHED, 9L, NOT_FETCHED, 20L)); // what a request reads
        tasks.startPartitions(List.of(FETCHED, NOT_FETCHED));
        await().atMost(Duration.ofSeconds(10)).until(() -> tasks.spawned(0) && tasks.spawned(1));
        consumer.highWatermarks.put(FETCHED, 7L); // e.g. a list-offsets answer from before the assignment
        PartitionHandle fetched = tasks.partitions().get(0);
        PartitionHandle notFetched = tasks.partitions().get(1);
        assertThat(fetched.starting())
                .as("not caught up since its actors were created")
                .isTrue();

        fetched.requestRewind(); // what a new incarnation of the actors asks
        notFetched.requestRewind();
        tasks.applyRewinds();

        assertThat(consumer.endOffsetRequests).hasSize(1);
        assertThat(consumer.endOffsetRequests.get(0)).containsExactlyInAnyOrder(FETCHED, NOT_FETCHED);
        assertThat(fetched.noteCaughtUp(8))
                .as("not at the stale high watermark")
                .isFalse();
        assertThat(fetched.noteCaughtUp(9))
                .as("caught up at the end offset read")
                .isTrue();
        assertThat(fetched.starting()).isFalse();
        assertThat(notFetched.noteCaughtUp(19)).isFalse();
        assertThat(notFetched.noteCaughtUp(20))
                .as("caught up at the end offset read")
                .isTrue();
    }

    @Test
    void with_a_reader_the_poll_thread_never_waits_for_the_end_offsets_and_the_partition_waits_for_them() {
        TaskConsumer tasks = TestTaskConsumers.over(consumer, system);
        List<Collection<TopicPartition>> asked = new ArrayList<>();
        java.util.concurrent.CompletableFuture<Map<TopicPartition, Long>> answer =
                new java.util.concurrent.CompletableFuture<>();
        tasks.endOffsetsFrom(new EndOffsets() {
            @Override
            public java.util.concurrent.CompletableFuture<Map<TopicPartition, Long>> read(
                    Collection<TopicPartition> partitions) {
                asked.add(List.copyOf(partitions));
                return answer;
            }

            @Override
            public void close() {}
        });
        consumer.assign(List.of(FETCHED));
        consumer.updateBeginningOffsets(Map.of(FETCHED, 0L));
        tasks.startPartitions(List.of(FETCHED));
        assertThat(asked)
                .as("not at the assignment: the claim may wait out a lease")
                .isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> tasks.spawned(0));
        PartitionHandle handle = tasks.partitions().get(0);

        handle.requestRewind();
        tasks.applyRewinds(); // the answer has not come: the loop goes on
        assertThat(asked).containsExactly(List.of(FETCHED));
        assertThat(handle.noteCaughtUp(0)).as("its end not known yet").isFalse();
        answer.complete(Map.of(FETCHED, 4L));
        tasks.applyRewinds();

        assertThat(consumer.endOffsetRequests).as("the consumer was not asked").isEmpty();
        assertThat(asked).hasSize(1);
        assertThat(handle.noteCaughtUp(3)).isFalse();
        assertThat(handle.noteCaughtUp(4)).isTrue();
    }
}
