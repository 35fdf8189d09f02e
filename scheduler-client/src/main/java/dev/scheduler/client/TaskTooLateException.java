package dev.scheduler.client;

import dev.scheduler.client.internal.Text;
import dev.scheduler.client.internal.WireTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A task was scheduled further in the past than the client's grace period allows, so it was refused and
 * nothing was sent. The engine would run such a task at once, far from the time its producer meant; a
 * caller that wants that anyway should schedule it for now.
 */
public final class TaskTooLateException extends SchedulerException {

    private final transient TaskKey key;
    private final Instant now;
    private final Duration gracePeriod;

    public TaskTooLateException(TaskKey key, Instant now, Duration gracePeriod) {
        super("task " + key + " is scheduled for " + WireTime.format(key.scheduledTime()) + ", "
                + Text.duration(Duration.between(key.scheduledTime(), now)) + " before now ("
                + WireTime.format(now.truncatedTo(ChronoUnit.MILLIS)) + "); the grace period is "
                + Text.duration(gracePeriod) + " (SchedulerClient.Builder.gracePeriod)");
        this.key = key;
        this.now = now;
        this.gracePeriod = gracePeriod;
    }

    /** The refused task's key. */
    public TaskKey key() {
        return key;
    }

    /** The client clock's time when the task was refused. */
    public Instant now() {
        return now;
    }

    /** How far in the past a task may be scheduled and still be accepted. */
    public Duration gracePeriod() {
        return gracePeriod;
    }
}
