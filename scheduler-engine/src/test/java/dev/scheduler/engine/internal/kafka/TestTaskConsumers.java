package dev.scheduler.engine.internal.kafka;

import dev.scheduler.client.TaskLimits;
import dev.scheduler.engine.internal.partition.EngineGuardian;
import java.time.Duration;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.pekko.actor.typed.ActorSystem;

/** A {@link TaskConsumer} of topic {@link #TOPIC} (4 partitions) over a mock consumer, for unit tests of it. */
final class TestTaskConsumers {

    static final String TOPIC = "tasks";

    private TestTaskConsumers() {}

    static TaskConsumer over(
            MockConsumer<byte[], byte[]> consumer, ActorSystem<EngineGuardian.SpawnPartition> guardian) {
        return new TaskConsumer(
                consumer,
                TOPIC,
                4,
                guardian,
                TaskLimits.defaults(),
                1_000,
                Duration.ofMillis(10),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1));
    }
}
