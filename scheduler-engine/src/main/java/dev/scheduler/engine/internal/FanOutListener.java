package dev.scheduler.engine.internal;

import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskListener;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes attempt events to several listeners: the engine's own (activity figures, metrics) and the application's.
 * A listener that throws does not keep the others from hearing of the event.
 */
public final class FanOutListener implements TaskListener {

    private static final Logger log = LoggerFactory.getLogger(FanOutListener.class);
    private final List<TaskListener> listeners;

    public FanOutListener(List<TaskListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    @Override
    public void attemptStarted(TaskKey key, int attempt, Duration lateness) {
        for (TaskListener l : listeners) {
            try {
                l.attemptStarted(key, attempt, lateness);
            } catch (RuntimeException e) {
                log.debug("TaskListener.attemptStarted threw", e);
            }
        }
    }

    @Override
    public void attemptFinished(TaskKey key, int attempt, String result, Duration duration) {
        for (TaskListener l : listeners) {
            try {
                l.attemptFinished(key, attempt, result, duration);
            } catch (RuntimeException e) {
                log.debug("TaskListener.attemptFinished threw", e);
            }
        }
    }
}
