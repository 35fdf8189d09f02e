package dev.scheduler.engine;

import dev.scheduler.client.TaskKey;
import java.time.Duration;

/**
 * Observes attempts, for metrics or logs. Called on engine threads: keep it quick and never throw.
 */
public interface TaskListener {

    /**
     * An attempt is starting.
     *
     * @param lateness from when it was due (scheduled time, or retry time) to now
     */
    default void attemptStarted(TaskKey key, int attempt, Duration lateness) {}

    /**
     * An attempt ended.
     *
     * @param result {@code SUCCEEDED}, {@code FAILED} or {@code TIMED_OUT}
     */
    default void attemptFinished(TaskKey key, int attempt, String result, Duration duration) {}

    /** Observes nothing. */
    TaskListener NONE = new TaskListener() {};
}
