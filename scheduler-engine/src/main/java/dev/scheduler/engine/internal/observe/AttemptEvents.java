package dev.scheduler.engine.internal.observe;

import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskStatus;
import dev.scheduler.engine.internal.store.AttemptResult;
import java.time.Duration;

/**
 * What a partition's runner tells the engine's observers about attempts: the typed form of
 * {@link dev.scheduler.engine.TaskListener}, with the task's status after the attempt, so that an observer
 * need not guess whether a failed attempt ended its task. Called on actor threads: implementations are quick,
 * thread-safe, and never throw.
 */
public interface AttemptEvents {

    /** An attempt was handed to the executor, {@code lateness} after it was due. */
    default void attemptStarted(TaskKey key, int attempt, Duration lateness) {}

    /**
     * An attempt ended.
     *
     * @param statusAfter PENDING when a retry follows, otherwise the task's final status
     */
    default void attemptFinished(
            TaskKey key, int attempt, AttemptResult result, TaskStatus statusAfter, Duration duration) {}

    /** Observes nothing. */
    AttemptEvents NONE = new AttemptEvents() {};
}
