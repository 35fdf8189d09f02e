package dev.scheduler.client;

/**
 * A task, task key or one of their fields is not acceptable: null, blank, not encodable in UTF-8, out of
 * range or over a {@link TaskLimits} limit. The message names the field and, where there is one, the
 * limit. Retrying the same input fails the same way.
 */
public final class InvalidTaskException extends SchedulerException {

    public InvalidTaskException(String message) {
        super(message);
    }
}
