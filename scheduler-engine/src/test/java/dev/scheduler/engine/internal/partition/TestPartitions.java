package dev.scheduler.engine.internal.partition;

import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.internal.liveness.Liveness;
import dev.scheduler.engine.internal.observe.AttemptEvents;
import dev.scheduler.engine.internal.store.TaskStore;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ForkJoinPool;

/** Partition contexts for actor unit tests. */
final class TestPartitions {

    private TestPartitions() {}

    /** A handle whose ownership is claimed and confirmed for a day: the actor may start and record. */
    static PartitionHandle leasedHandle(int partition) {
        PartitionHandle handle = new PartitionHandle(partition, 0, "test-instance");
        handle.claimed(1);
        handle.leaseConfirmed(System.nanoTime(), Duration.ofDays(1).toNanos());
        return handle;
    }

    static PartitionContext context(
            EngineSettings settings,
            TaskStore store,
            ExecutionGateway gateway,
            Clock clock,
            PartitionHandle handle,
            AttemptEvents events) {
        return new PartitionContext(settings, store, gateway, clock, handle, events, Liveness.NONE);
    }

    /** A context for an actor that runs no executor (the persister). */
    static PartitionContext withoutExecutor(EngineSettings settings, TaskStore store, PartitionHandle handle) {
        ExecutionGateway none = ExecutionGateway.pooled(
                ForkJoinPool.commonPool(),
                ctx -> {
                    throw new AssertionError("no executor in this test");
                },
                null,
                Duration.ofSeconds(1));
        return new PartitionContext(
                settings, store, none, Clock.systemUTC(), handle, AttemptEvents.NONE, Liveness.NONE);
    }
}
