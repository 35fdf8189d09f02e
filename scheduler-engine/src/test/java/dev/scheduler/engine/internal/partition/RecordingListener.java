package dev.scheduler.engine.internal.partition;

import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskStatus;
import dev.scheduler.engine.internal.observe.AttemptEvents;
import dev.scheduler.engine.internal.store.AttemptResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Records attempt starts (called on the runner's thread as an attempt starts) and lets a test sample state then. */
final class RecordingListener implements AttemptEvents {

    record Started(TaskKey key, int attempt, Duration lateness) {}

    private final List<Started> started = new ArrayList<>();
    private volatile Runnable onEvent = () -> {};

    void onEvent(Runnable r) {
        onEvent = r;
    }

    synchronized List<Started> started() {
        return List.copyOf(started);
    }

    synchronized List<TaskKey> startedKeys() {
        return started.stream().map(Started::key).toList();
    }

    @Override
    public void attemptStarted(TaskKey key, int attempt, Duration lateness) {
        synchronized (this) {
            started.add(new Started(key, attempt, lateness));
        }
        onEvent.run();
    }

    @Override
    public void attemptFinished(
            TaskKey key, int attempt, AttemptResult result, TaskStatus statusAfter, Duration duration) {
        onEvent.run();
    }
}
