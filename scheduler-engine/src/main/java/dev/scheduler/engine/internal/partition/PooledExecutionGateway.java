package dev.scheduler.engine.internal.partition;

import dev.scheduler.engine.AsyncTaskExecutor;
import dev.scheduler.engine.TaskContext;
import dev.scheduler.engine.TaskExecutor;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * The {@link ExecutionGateway} of a running engine: runs the user's executor off the actor threads, on the
 * engine's bounded pool, with the attempt timeout in real time. The returned stage always completes: normally, with the executor's failure, or with a
 * {@link java.util.concurrent.TimeoutException}; a timed-out blocking attempt's thread is interrupted. It also
 * reports when the attempt really returned, so that nothing else of its ordering id starts beside a timed-out
 * attempt that ignores interruption or whose future is still incomplete.
 */
final class PooledExecutionGateway implements ExecutionGateway {

    private final ExecutorService pool;
    private final TaskExecutor blocking;
    private final AsyncTaskExecutor async;
    private final long timeoutMillis;

    PooledExecutionGateway(ExecutorService pool, TaskExecutor blocking, AsyncTaskExecutor async, Duration timeout) {
        if ((blocking == null) == (async == null)) {
            throw new IllegalArgumentException("exactly one of a TaskExecutor and an AsyncTaskExecutor is needed");
        }
        this.pool = pool;
        this.blocking = blocking;
        this.async = async;
        this.timeoutMillis = timeout.toMillis();
    }

    @Override
    public Attempt start(TaskContext context, BooleanSupplier mayStart) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        CompletableFuture<Void> returned = new CompletableFuture<>();
        AtomicReference<Future<?>> work = new AtomicReference<>();
        try {
            work.set(pool.submit(() -> {
                if (!mayStart.getAsBoolean()) {
                    result.completeExceptionally(new Declined());
                    returned.complete(null);
                    return;
                }
                // The timeout counts from here: time spent waiting for a free pool thread is not the attempt's.
                result.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
                    if (e instanceof java.util.concurrent.TimeoutException) {
                        Future<?> running = work.get();
                        if (running != null) {
                            running.cancel(true);
                        }
                    }
                });
                boolean pending = false; // an asynchronous attempt's future has not completed yet
                try {
                    if (blocking != null) {
                        blocking.execute(context);
                        result.complete(null);
                    } else {
                        CompletionStage<Void> stage = async.execute(context);
                        if (stage == null) {
                            result.completeExceptionally(new NullPointerException("AsyncTaskExecutor returned null"));
                        } else {
                            pending = true;
                            stage.whenComplete((v, e) -> {
                                if (e != null) {
                                    result.completeExceptionally(e);
                                } else {
                                    result.complete(null);
                                }
                                returned.complete(null);
                            });
                        }
                    }
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                } finally {
                    if (!pending) {
                        returned.complete(null);
                    }
                }
            }));
        } catch (RuntimeException rejected) {
            result.completeExceptionally(rejected);
            returned.complete(null);
        }
        return new Attempt(result, returned);
    }
}
