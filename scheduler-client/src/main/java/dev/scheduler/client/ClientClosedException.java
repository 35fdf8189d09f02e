package dev.scheduler.client;

/** The {@link SchedulerClient} was closed before the call; nothing was sent. */
public final class ClientClosedException extends SchedulerException {

    public ClientClosedException(String message) {
        super(message);
    }

    public ClientClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
