package dev.scheduler.client;

/**
 * Root of every exception this library throws or completes a future with.
 *
 * <p>Unchecked, so callers catch it only where they can act on it. The subclasses say what went wrong:
 * {@link InvalidTaskException} (bad input), {@link TaskTooLateException} (scheduled too far in the
 * past), {@link ClientClosedException}, {@link PublishException} (Kafka did not take the record) and
 * {@link dev.scheduler.client.wire.WireFormatException} (a record that cannot be decoded).
 */
public class SchedulerException extends RuntimeException {

    public SchedulerException(String message) {
        super(message);
    }

    public SchedulerException(String message, Throwable cause) {
        super(message, cause);
    }
}
