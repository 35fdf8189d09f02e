package dev.scheduler.engine.internal;

import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskListener;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Passes attempt events to the user's {@link TaskListener}, so that a throwing listener cannot hurt an actor. */
public final class TaskListenerBridge {

    private static final Logger log = LoggerFactory.getLogger(TaskListenerBridge.class);
    private final TaskListener listener;

    public TaskListenerBridge(TaskListener listener) {
        this.listener = listener;
    }

    void attemptStarted(TaskKey key, int attempt, Duration lateness) {
        try {
            listener.attemptStarted(key, attempt, lateness);
        } catch (RuntimeException e) {
            log.debug("TaskListener.attemptStarted threw", e);
        }
    }

    void attemptFinished(TaskKey key, int attempt, String result, Duration duration) {
        try {
            listener.attemptFinished(key, attempt, result, duration);
        } catch (RuntimeException e) {
            log.debug("TaskListener.attemptFinished threw", e);
        }
    }
}
