package dev.scheduler.engine.internal.partition;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Supervision of a {@link PartitionScheduler}'s children, its persister and its runner. They are watched: one
 * that stops or fails while the partition runs leaves a partition that would look healthy and do nothing, so
 * the scheduler marks itself unhealthy and fails, and {@link EngineGuardian} restarts it with backoff, from
 * Cassandra, with a rewind of Kafka. A deliberate stop (fencing) unwatches the child first.
 */
final class PartitionChildren {

    /** Thrown by the scheduler when a child ended unexpectedly: its supervisor restarts the partition. */
    static final class ChildEnded extends IllegalStateException {
        ChildEnded(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private PartitionChildren() {}

    static <T> ActorRef<T> watched(ActorContext<?> context, ActorRef<T> child) {
        context.watch(child);
        return child;
    }

    /** Stops a child on purpose: no signal of its end reaches the scheduler. */
    static void stopDeliberately(ActorContext<?> context, ActorRef<?> child) {
        if (child != null) {
            context.unwatch(child);
            context.stop(child);
        }
    }

    /**
     * A child ended without being asked to: the partition is unhealthy, and what the child held is lost, so no
     * later batch of the current generation may count as durable (the restart re-reads from the durable offset).
     */
    static ChildEnded ended(ActorContext<?> context, PartitionHandle handle, Terminated signal, String child) {
        handle.healthy(false);
        handle.dropped(handle.generation());
        Throwable cause = signal instanceof ChildFailed failed ? failed.getCause() : null;
        String message = "partition " + handle.partition() + ": its " + child
                + (cause == null ? " stopped" : " failed (" + cause + ")")
                + "; the partition restarts from Cassandra";
        context.getLog().warn(message);
        return new ChildEnded(message, cause);
    }

    /** For the scheduler's debug log: what a write brought, and where loading stands. */
    static String describe(TaskPersister.Persisted persisted, InMemorySchedule schedule) {
        return persisted.tasks().size() + " tasks stored (batches "
                + persisted.batches().stream()
                        .map(b -> b.generation() + ":" + b.nextOffset())
                        .toList()
                + "), loaded " + schedule.loaded() + ", doneSince " + schedule.doneSince() + ", loading "
                + schedule.loading();
    }
}
