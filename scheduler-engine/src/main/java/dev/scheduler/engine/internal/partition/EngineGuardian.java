package dev.scheduler.engine.internal.partition;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The actor system's root: spawns one supervised {@link PartitionScheduler} per assigned partition. A failing
 * partition is restarted with backoff, from Cassandra, on its own: no other partition notices.
 */
public final class EngineGuardian {

    /** Spawn the actors of a newly assigned partition and reply with the root's reference. */
    public record SpawnPartition(
            int partition, PartitionHandle handle, ActorRef<ActorRef<PartitionScheduler.Command>> replyTo) {}

    private EngineGuardian() {}

    public static Behavior<SpawnPartition> create(
            Function<PartitionHandle, Behavior<PartitionScheduler.Command>> partitionBehavior) {
        return Behaviors.setup(ctx -> {
            return Behaviors.receiveMessage(spawn -> {
                // One child per handle: a spawn asked again (its first answer timed out while it was queued)
                // gets the child already made, not a second one on the same partition.
                String name =
                        "partition-" + spawn.partition() + "-" + spawn.handle().id();
                Optional<ActorRef<Void>> existing = ctx.getChild(name);
                if (existing.isPresent()) {
                    spawn.replyTo().tell(existing.get().unsafeUpcast());
                    return Behaviors.same();
                }
                Behavior<PartitionScheduler.Command> supervised = Behaviors.supervise(
                                partitionBehavior.apply(spawn.handle()))
                        .onFailure(
                                Exception.class,
                                SupervisorStrategy.restartWithBackoff(
                                        Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
                ActorRef<PartitionScheduler.Command> ref = ctx.spawn(supervised, name);
                spawn.replyTo().tell(ref);
                return Behaviors.same();
            });
        });
    }
}
