package dev.scheduler.engine.admin;

/**
 * A request of {@link AdminService} that cannot be carried out as asked; the message says why, for an operator.
 * Completes the returned stage exceptionally; never thrown by a method that returns a stage.
 */
public final class AdminException extends RuntimeException {

    /** Why a request failed. */
    public enum Reason {
        /** No task with that key is stored (never scheduled, not stored yet, or expired). */
        NOT_FOUND,
        /** The task's status does not allow the action (retrying a task that did not fail, cancelling a finished one). */
        CONFLICT,
        /** The engine is not running. */
        UNAVAILABLE
    }

    private final Reason reason;

    public AdminException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
