package dev.scheduler.engine.internal.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class EngineGuardianTest {

    private static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutDown() {
        testKit.shutdownTestKit();
    }

    /**
     * A spawn asked again for the same handle (the poll thread's first ask timed out while the guardian still had
     * it queued) answers with the child already spawned: two children would both run the partition's tasks.
     */
    @Test
    void a_spawn_asked_again_for_the_same_handle_answers_with_the_same_child() {
        AtomicInteger spawned = new AtomicInteger();
        ActorRef<EngineGuardian.SpawnPartition> guardian = testKit.spawn(EngineGuardian.create(h -> {
            spawned.incrementAndGet();
            return Behaviors.ignore();
        }));
        PartitionHandle handle = new PartitionHandle(3, 0, "local");
        TestProbe<ActorRef<PartitionScheduler.Command>> replies = testKit.createTestProbe();

        guardian.tell(new EngineGuardian.SpawnPartition(3, handle, replies.ref()));
        guardian.tell(new EngineGuardian.SpawnPartition(3, handle, replies.ref()));
        ActorRef<PartitionScheduler.Command> first = replies.receiveMessage();
        ActorRef<PartitionScheduler.Command> second = replies.receiveMessage();

        assertThat(second).isEqualTo(first);
        assertThat(spawned).hasValue(1);

        guardian.tell(new EngineGuardian.SpawnPartition(3, new PartitionHandle(3, 0, "local"), replies.ref()));
        assertThat(replies.receiveMessage())
                .as("a new assignment, a new handle")
                .isNotEqualTo(first);
    }
}
