package dev.scheduler.engine;

/** The durable status of a task. */
public enum TaskStatus {
    /** Accepted and not yet finished: waiting for its time, or for its next attempt after a failure. */
    PENDING,
    /**
     * An attempt has started and its outcome is not recorded yet (reported by reads only: the stored status
     * stays pending, and the started attempt is recorded in the attempt history without an end).
     */
    RUNNING,
    /** An attempt succeeded. The key never runs again while the record is retained. */
    SUCCEEDED,
    /** The last allowed attempt failed, or an attempt failed with {@link NonRetryableException}. */
    FAILED,
    /** Cancelled before it started. The key never runs again while the record is retained. */
    CANCELLED;

    /** True for the statuses after which a task never runs again. */
    public boolean isTerminal() {
        return this != PENDING && this != RUNNING;
    }
}
