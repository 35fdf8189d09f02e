package dev.scheduler.engine;

/**
 * Thrown by a {@link TaskExecutor} (or used to fail an {@link AsyncTaskExecutor}'s stage) to say that the
 * task failed and retrying cannot help: the task is marked {@link TaskStatus#FAILED} at once.
 */
public class NonRetryableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public NonRetryableException(String message) {
        super(message);
    }

    public NonRetryableException(String message, Throwable cause) {
        super(message, cause);
    }
}
