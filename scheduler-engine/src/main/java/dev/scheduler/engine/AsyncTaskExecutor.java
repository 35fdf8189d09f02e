package dev.scheduler.engine;

import java.util.concurrent.CompletionStage;

/**
 * The non-blocking flavour of {@link TaskExecutor}: returns a stage that completes when the attempt is done.
 *
 * <p>{@link #execute} is called on an engine pool thread and must return quickly: do the work
 * asynchronously. A stage completed normally is a success; completed exceptionally it is a failed attempt
 * (retried), or a permanent failure when the cause is a {@link NonRetryableException}. A stage that does
 * not complete within {@link EngineSettings#executionTimeout()} counts as a failed attempt. A method that
 * throws instead of returning a failed stage is treated as a failed attempt too.
 */
@FunctionalInterface
public interface AsyncTaskExecutor {

    /** Starts one attempt of a task. Called for one task at a time per ordering id. */
    CompletionStage<Void> execute(TaskContext context);
}
