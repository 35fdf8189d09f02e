package dev.scheduler.engine.internal.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.scheduler.engine.internal.partition.EngineGuardian;
import dev.scheduler.engine.internal.partition.PartitionHandle;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, finding 10: when the actors of an assigned partition could not be spawned, the partition kept a
 * handle without actors and its records were dropped until the next rebalance, while it looked healthy.
 */
class TaskConsumerSpawnTest {

    private static final String TOPIC = TestTaskConsumers.TOPIC;
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    private final AtomicInteger refusals = new AtomicInteger(1);
    private final AtomicInteger spawnRequests = new AtomicInteger();
    /** A guardian that leaves the first spawn request unanswered (the ask times out), then spawns. */
    private final ActorSystem<EngineGuardian.SpawnPartition> system = ActorSystem.create(
            Behaviors.setup(ctx -> Behaviors.receiveMessage(spawn -> {
                spawnRequests.incrementAndGet();
                if (refusals.getAndDecrement() <= 0) {
                    spawn.replyTo().tell(ctx.spawnAnonymous(Behaviors.ignore()));
                }
                return Behaviors.same();
            })),
            "TaskConsumerSpawnTest");

    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");

    @AfterEach
    void shutDown() {
        system.terminate();
    }

    /** A task consumer given {@link #TP} as the group's assignment callback would. */
    private TaskConsumer assigned(Duration spawnTimeout) {
        TaskConsumer tasks = TestTaskConsumers.over(consumer, system);
        tasks.spawnTimeout(spawnTimeout);
        consumer.assign(List.of(TP));
        consumer.updateBeginningOffsets(Map.of(TP, 0L));
        tasks.startPartitions(List.of(TP));
        return tasks;
    }

    @Test
    void a_partition_whose_actors_could_not_be_spawned_is_paused_and_unhealthy_until_a_later_spawn_succeeds() {
        TaskConsumer tasks = assigned(Duration.ofMillis(200)); // the first spawn times out

        assertThat(consumer.paused()).as("no records are read for it meanwhile").containsExactly(TP);
        assertThat(tasks.partitions().get(0).healthy()).isFalse();

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            tasks.retrySpawns(); // what each poll iteration does
            return spawnRequests.get() == 2 && tasks.spawned(0);
        });
        assertThat(consumer.paused())
                .as("paused until its actors' first rewind")
                .containsExactly(TP);
        tasks.partitions().get(0).requestRewind(); // what the actors' first start asks
        tasks.applyRewinds();
        assertThat(consumer.paused()).isEmpty();
        assertThat(tasks.partitions()).containsOnlyKeys(0);
    }

    /**
     * An ask that timed out may still have spawned actors that rewind: the partition stays paused until they are
     * registered, or what it fetched meanwhile would be handed to no actor and skipped (found in review).
     */
    @Test
    void a_rewind_while_the_actors_are_not_registered_keeps_the_partition_paused_until_they_are() {
        TaskConsumer tasks = assigned(Duration.ofMillis(200)); // the first spawn times out
        PartitionHandle handle = tasks.partitions().get(0);

        handle.requestRewind(); // what actors of that ask would do once running
        tasks.applyRewinds();
        tasks.applyBackpressure();
        assertThat(consumer.paused()).as("no actor would get its records").containsExactly(TP);

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            tasks.retrySpawns();
            return tasks.spawned(0);
        });
        assertThat(consumer.paused())
                .as("resumed once registered, already rewound")
                .isEmpty();
    }

    @Test
    void back_pressure_does_not_resume_a_partition_before_its_first_rewind() {
        refusals.set(0); // spawns at once
        TaskConsumer tasks = assigned(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(10)).until(() -> tasks.spawned(0));

        tasks.applyBackpressure(); // nothing unpersisted: it would resume a partition it paused itself
        assertThat(consumer.paused())
                .as("its actors claim: what it fetched would be dropped")
                .containsExactly(TP);
        tasks.partitions().get(0).requestRewind();
        tasks.applyRewinds();
        assertThat(consumer.paused()).isEmpty();
    }
}
