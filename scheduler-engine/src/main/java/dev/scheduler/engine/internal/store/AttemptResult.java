package dev.scheduler.engine.internal.store;

/**
 * How one attempt ended. Stored by name in {@code task_attempts.result} and {@code tasks.result}, and passed by
 * name to {@link dev.scheduler.engine.TaskListener#attemptFinished} and in {@link dev.scheduler.engine.AttemptInfo}
 * (whose public signatures keep the {@code String}).
 */
public enum AttemptResult {
    /** The executor returned normally. */
    SUCCEEDED,
    /** The executor threw or its future failed. */
    FAILED,
    /** The attempt ran longer than {@link dev.scheduler.engine.EngineSettings#executionTimeout()}. */
    TIMED_OUT
}
