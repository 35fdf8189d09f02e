package dev.scheduler.engine.internal.partition;

import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.internal.liveness.Liveness;
import dev.scheduler.engine.internal.observe.AttemptEvents;
import dev.scheduler.engine.internal.store.TaskStore;
import java.time.Clock;
import java.util.Objects;

/**
 * What every actor of one partition shares: the settings, the store, the way to run executors, the clock
 * tasks are timed by, the handle shared with the poll thread, where attempt events go, and the instance's
 * heartbeats.
 */
public record PartitionContext(
        EngineSettings settings,
        TaskStore store,
        ExecutionGateway gateway,
        Clock clock,
        PartitionHandle handle,
        AttemptEvents events,
        Liveness liveness) {

    public PartitionContext {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(handle, "handle");
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(liveness, "liveness");
    }

    /** The Kafka partition. */
    public int partition() {
        return handle.partition();
    }
}
