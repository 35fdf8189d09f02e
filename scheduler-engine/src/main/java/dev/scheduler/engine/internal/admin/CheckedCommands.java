package dev.scheduler.engine.internal.admin;

import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskInfo;
import dev.scheduler.engine.TaskStatus;
import dev.scheduler.engine.admin.AdminException;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The admin API's cancel and retry: read the task, check that its status allows the command, then publish it.
 *
 * <p>The read completes on a Cassandra driver I/O thread. Nothing more runs there: the check and the publish are
 * handed to threads of this class ({@value #THREADS}, daemon, named {@code scheduler-admin-command-N}, with a queue
 * of {@value #QUEUE}), because a publish may block for Kafka's metadata and the command path must never delay the
 * driver's other requests (the lease reads of every partition). A command beyond the queue fails at once with
 * {@link AdminException} UNAVAILABLE.
 */
final class CheckedCommands implements AutoCloseable {

    static final int THREADS = 2;
    static final int QUEUE = 32;
    static final String THREAD_PREFIX = "scheduler-admin-command-";

    private final Function<TaskKey, CompletionStage<Optional<TaskInfo>>> read;
    private final EngineAdmin.Commands commands;
    private final ThreadPoolExecutor threads;

    CheckedCommands(Function<TaskKey, CompletionStage<Optional<TaskInfo>>> read, EngineAdmin.Commands commands) {
        this.read = read;
        this.commands = commands;
        AtomicInteger n = new AtomicInteger();
        this.threads =
                new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
                    Thread t = new Thread(r, THREAD_PREFIX + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        threads.allowCoreThreadTimeOut(true);
    }

    CompletionStage<Void> cancel(TaskKey key) {
        return checked(
                key,
                "cancelled",
                info -> !info.status().isTerminal(),
                "only a task that has not finished can be cancelled",
                commands.cancel());
    }

    CompletionStage<Void> retry(TaskKey key) {
        return checked(
                key,
                "retried",
                info -> info.status() == TaskStatus.FAILED,
                "only a FAILED task can be retried",
                commands.retry());
    }

    private CompletionStage<Void> checked(
            TaskKey key,
            String verb,
            Predicate<TaskInfo> allowed,
            String rule,
            Function<TaskKey, CompletionStage<Void>> command) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        read.apply(key).whenComplete((found, readError) -> {
            try {
                threads.execute(new Step(done, () -> {
                    if (readError != null) {
                        done.completeExceptionally(unwrapped(readError));
                        return;
                    }
                    publishIfAllowed(key, found, verb, allowed, rule, command, done);
                }));
            } catch (RejectedExecutionException e) {
                done.completeExceptionally(
                        threads.isShutdown()
                                ? notRunning()
                                : new AdminException(
                                        AdminException.Reason.UNAVAILABLE,
                                        "too many cancels and retries are waiting (" + QUEUE
                                                + "); try again in a moment"));
            }
        });
        return done;
    }

    private static void publishIfAllowed(
            TaskKey key,
            Optional<TaskInfo> found,
            String verb,
            Predicate<TaskInfo> allowed,
            String rule,
            Function<TaskKey, CompletionStage<Void>> command,
            CompletableFuture<Void> done) {
        if (found.isEmpty()) {
            done.completeExceptionally(new AdminException(
                    AdminException.Reason.NOT_FOUND,
                    "no task " + key + " is stored (never scheduled, not stored yet, or expired after the retention "
                            + "period): nothing was " + verb));
            return;
        }
        if (!allowed.test(found.get())) {
            done.completeExceptionally(new AdminException(
                    AdminException.Reason.CONFLICT,
                    "task " + key + " is " + found.get().status() + ": " + rule));
            return;
        }
        CompletionStage<Void> published;
        try {
            published = command.apply(key);
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
            return;
        }
        published.whenComplete((ok, e) -> {
            if (e == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(unwrapped(e));
            }
        });
    }

    private static Throwable unwrapped(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private static AdminException notRunning() {
        return new AdminException(AdminException.Reason.UNAVAILABLE, "the scheduler engine is not running");
    }

    /** Stops the threads; commands still queued fail with UNAVAILABLE and are not published. */
    @Override
    public void close() {
        for (Runnable queued : threads.shutdownNow()) {
            ((Step) queued).done.completeExceptionally(notRunning());
        }
    }

    /** A queued command with the future to fail if it never runs. */
    private record Step(CompletableFuture<Void> done, Runnable body) implements Runnable {
        @Override
        public void run() {
            try {
                body.run();
            } catch (RuntimeException | Error e) {
                done.completeExceptionally(e);
            }
        }
    }
}
