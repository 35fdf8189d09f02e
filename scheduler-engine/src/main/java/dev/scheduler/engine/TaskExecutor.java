package dev.scheduler.engine;

/**
 * The code your service runs when a task is due: the one interface a user of the engine implements.
 *
 * <p>This is the blocking flavour. The engine calls {@link #execute} on a bounded thread pool it owns
 * (see {@link EngineSettings#executionThreads()}), never on an actor or Kafka thread, so blocking I/O
 * here is fine. For non-blocking code implement {@link AsyncTaskExecutor} instead.
 *
 * <p>Outcomes:
 * <ul>
 *   <li>returning normally: the attempt succeeded and the task is complete;</li>
 *   <li>throwing any exception: the attempt failed and is retried with backoff according to
 *       {@link RetryPolicy}, until its maximum number of attempts, after which the task is {@code FAILED};</li>
 *   <li>throwing {@link NonRetryableException}: the task is {@code FAILED} at once, without retries.</li>
 * </ul>
 * An attempt that runs longer than {@link EngineSettings#executionTimeout()} counts as a failed attempt
 * and its thread is interrupted.
 *
 * <p>Delivery is at least once: after a crash an attempt whose outcome was not yet recorded runs again,
 * so make the work idempotent (for example keyed by {@link TaskContext#key()}).
 */
@FunctionalInterface
public interface TaskExecutor {

    /**
     * Runs one attempt of a task. Called for one task at a time per ordering id.
     *
     * @param context the task, its attempt number and the Kafka partition it belongs to
     * @throws Exception to fail the attempt (retried), or {@link NonRetryableException} to fail the task
     */
    void execute(TaskContext context) throws Exception;
}
