package dev.scheduler.engine.internal.partition;

import dev.scheduler.engine.AsyncTaskExecutor;
import dev.scheduler.engine.TaskContext;
import dev.scheduler.engine.TaskExecutor;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;

/**
 * How a {@link TaskRunner} runs the user's executor: off the actor threads, with the attempt timeout. A running
 * engine uses {@link #pooled}; the partition simulation runs attempts in virtual time through one of its own.
 */
public interface ExecutionGateway {

    /**
     * One attempt as the gateway reports it: its {@code outcome} (completes normally, with the executor's failure,
     * or with a {@link java.util.concurrent.TimeoutException} at the execution timeout), and when it really
     * {@code returned}: the executor's thread came back or its future completed, which for a timed-out attempt
     * can be much later, or never.
     */
    record Attempt(CompletionStage<Void> outcome, CompletionStage<Void> returned) {}

    /**
     * Starts an attempt, unless {@code mayStart} is false once a thread is there to run it: then the executor is
     * not called, and the outcome completes with {@link Declined} (the attempt waited for a thread past its
     * partition's lease, e.g. across a pause of the process: the partition's next owner may have run it since).
     * Both stages of the answer complete on whatever thread ends the attempt.
     */
    Attempt start(TaskContext context, BooleanSupplier mayStart);

    /** Starts an attempt that may always start. */
    default Attempt start(TaskContext context) {
        return start(context, () -> true);
    }

    /** The outcome of an attempt, for callers that do not need to know when it really returned. */
    default CompletionStage<Void> run(TaskContext context) {
        return start(context).outcome();
    }

    /** The outcome of an attempt whose executor was never called: it did not run, and counts as no attempt. */
    final class Declined extends RuntimeException {
        public Declined() {
            super(
                    "not started: the partition's lease ran out before a thread could run the attempt",
                    null,
                    false,
                    false);
        }
    }

    /**
     * Runs attempts on {@code pool}: exactly one of {@code blocking} and {@code async} is given. A timed-out
     * blocking attempt's thread is interrupted.
     */
    static ExecutionGateway pooled(
            ExecutorService pool, TaskExecutor blocking, AsyncTaskExecutor async, Duration timeout) {
        return new PooledExecutionGateway(pool, blocking, async, timeout);
    }
}
