package dev.scheduler.engine.admin;

/** A failed request, answered with {@code status} and {@code message}. */
class HttpError extends RuntimeException {
    final int status;

    HttpError(int status, String message) {
        // No stack trace: it is the answer to a bad request or an outage, not a bug to trace.
        this(status, message, null);
    }

    HttpError(int status, String message, Throwable cause) {
        super(message, cause, false, false);
        this.status = status;
    }
}
