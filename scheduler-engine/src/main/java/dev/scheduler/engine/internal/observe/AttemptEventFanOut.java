package dev.scheduler.engine.internal.observe;

import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskListener;
import dev.scheduler.engine.TaskStatus;
import dev.scheduler.engine.internal.store.AttemptResult;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes attempt events to the engine's own observers (activity figures, metrics) and to the application's
 * {@link TaskListener}. An observer that throws is logged at DEBUG and does not keep the others from hearing of
 * the event, nor hurt the actor that reports it.
 */
public final class AttemptEventFanOut implements AttemptEvents {

    private static final Logger log = LoggerFactory.getLogger(AttemptEventFanOut.class);

    private final List<AttemptEvents> observers;
    private final TaskListener listener;

    public AttemptEventFanOut(List<AttemptEvents> observers, TaskListener listener) {
        this.observers = List.copyOf(observers);
        this.listener = listener;
    }

    @Override
    public void attemptStarted(TaskKey key, int attempt, Duration lateness) {
        for (AttemptEvents o : observers) {
            try {
                o.attemptStarted(key, attempt, lateness);
            } catch (RuntimeException e) {
                log.debug("an observer of attempt starts threw", e);
            }
        }
        try {
            listener.attemptStarted(key, attempt, lateness);
        } catch (RuntimeException e) {
            log.debug("TaskListener.attemptStarted threw", e);
        }
    }

    @Override
    public void attemptFinished(
            TaskKey key, int attempt, AttemptResult result, TaskStatus statusAfter, Duration duration) {
        for (AttemptEvents o : observers) {
            try {
                o.attemptFinished(key, attempt, result, statusAfter, duration);
            } catch (RuntimeException e) {
                log.debug("an observer of attempt outcomes threw", e);
            }
        }
        try {
            listener.attemptFinished(key, attempt, result.name(), duration);
        } catch (RuntimeException e) {
            log.debug("TaskListener.attemptFinished threw", e);
        }
    }
}
