package dev.scheduler.engine.internal.partition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway times attempts with {@link CompletableFuture#orTimeout}, on real time: these tests use short real
 * timeouts and wait on conditions, never on sleeps.
 */
class ExecutionGatewayTest {

    private static final TaskContext CONTEXT =
            new TaskContext(Task.of(TaskKey.of("a", Instant.parse("2030-01-01T00:00:00Z"), "u"), Map.of()), 1, 0);

    private final ExecutorService singleThread = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopPool() {
        singleThread.shutdownNow();
    }

    @Test
    void an_attempt_running_longer_than_the_timeout_fails_with_a_timeout_and_its_thread_is_interrupted()
            throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        ExecutionGateway gateway = ExecutionGateway.pooled(
                singleThread,
                context -> {
                    try {
                        new CountDownLatch(1).await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                        throw e;
                    }
                },
                null,
                Duration.ofMillis(100));

        CompletableFuture<Void> attempt = gateway.run(CONTEXT).toCompletableFuture();

        assertThat(attempt)
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableThat()
                .havingCause()
                .isInstanceOf(TimeoutException.class);
        assertThat(await(interrupted)).as("the attempt's thread is interrupted").isTrue();
    }

    /** Issue 11, finding 6: the outcome is the timeout; the attempt has returned only once its thread came back. */
    @Test
    void a_timed_out_attempt_that_ignores_interruption_has_returned_only_once_its_thread_came_back() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        ExecutionGateway gateway = ExecutionGateway.pooled(
                singleThread,
                context -> {
                    while (true) {
                        try {
                            release.await();
                            return;
                        } catch (InterruptedException ignored) {
                            interrupted.countDown(); // and go on waiting
                        }
                    }
                },
                null,
                Duration.ofMillis(100));

        ExecutionGateway.Attempt attempt = gateway.start(CONTEXT);

        assertThat(attempt.outcome().toCompletableFuture())
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableThat()
                .havingCause()
                .isInstanceOf(TimeoutException.class);
        assertThat(await(interrupted)).isTrue();
        CompletableFuture<Void> returned = attempt.returned().toCompletableFuture();
        assertThat(returned).as("the thread still runs").isNotDone();
        release.countDown();
        assertThat(returned).succeedsWithin(Duration.ofSeconds(10));
    }

    @Test
    void a_timed_out_asynchronous_attempt_has_returned_only_once_its_future_completed() {
        CompletableFuture<Void> work = new CompletableFuture<>();
        ExecutionGateway gateway = ExecutionGateway.pooled(singleThread, null, context -> work, Duration.ofMillis(100));

        ExecutionGateway.Attempt attempt = gateway.start(CONTEXT);

        assertThat(attempt.outcome().toCompletableFuture())
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableThat()
                .havingCause()
                .isInstanceOf(TimeoutException.class);
        assertThat(attempt.returned().toCompletableFuture()).isNotDone();
        work.complete(null);
        assertThat(attempt.returned().toCompletableFuture()).isDone();
    }

    @Test
    void an_attempt_that_ends_in_time_has_returned_with_its_outcome() {
        ExecutionGateway gateway = ExecutionGateway.pooled(singleThread, context -> {}, null, Duration.ofSeconds(10));

        ExecutionGateway.Attempt attempt = gateway.start(CONTEXT);

        assertThat(attempt.outcome().toCompletableFuture()).succeedsWithin(Duration.ofSeconds(10));
        assertThat(attempt.returned().toCompletableFuture()).succeedsWithin(Duration.ofSeconds(10));
    }

    @Test
    void an_attempt_waiting_for_a_free_pool_thread_is_not_timed_out_before_it_starts() throws Exception {
        CountDownLatch releaseFirst = new CountDownLatch(1);
        ExecutionGateway slow =
                ExecutionGateway.pooled(singleThread, context -> await(releaseFirst), null, Duration.ofSeconds(30));
        AtomicBoolean secondRan = new AtomicBoolean();
        ExecutionGateway quick =
                ExecutionGateway.pooled(singleThread, context -> secondRan.set(true), null, Duration.ofMillis(200));

        CompletableFuture<Void> first = slow.run(CONTEXT).toCompletableFuture();
        CompletableFuture<Void> second = quick.run(CONTEXT).toCompletableFuture();
        // Keep the pool's only thread busy for longer than the second attempt's timeout, or until that attempt
        // ends (which it must not do before it ran).
        try {
            second.handle((v, e) -> null).get(1, TimeUnit.SECONDS);
        } catch (TimeoutException stillWaiting) {
            // as it should: it has not started yet
        }
        releaseFirst.countDown();

        assertThat(first).succeedsWithin(Duration.ofSeconds(10));
        assertThat(second)
                .as("an attempt that never started must not fail with a timeout")
                .succeedsWithin(Duration.ofSeconds(10));
        assertThat(secondRan).isTrue();
    }

    private static boolean await(CountDownLatch latch) throws InterruptedException {
        return latch.await(10, TimeUnit.SECONDS);
    }

    /** An attempt that waited for a thread past its partition's lease (a pause, say) is never called. */
    @Test
    void an_attempt_that_may_no_longer_start_once_a_thread_has_it_is_declined_and_never_called() throws Exception {
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean leaseValid = new java.util.concurrent.atomic.AtomicBoolean(true);
        ExecutionGateway gateway = ExecutionGateway.pooled(
                singleThread,
                context -> {
                    if (calls.incrementAndGet() == 1) {
                        entered.countDown();
                        busy.await(); // holds the only thread
                    }
                },
                null,
                Duration.ofSeconds(10));
        ExecutionGateway.Attempt first = gateway.start(CONTEXT, leaseValid::get);
        assertThat(await(entered)).isTrue();
        ExecutionGateway.Attempt queued = gateway.start(CONTEXT, leaseValid::get); // waits for the thread
        leaseValid.set(false); // the lease runs out meanwhile
        busy.countDown();

        assertThat(first.outcome().toCompletableFuture()).succeedsWithin(Duration.ofSeconds(10));
        assertThat(queued.outcome().toCompletableFuture())
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableThat()
                .havingCause()
                .isInstanceOf(ExecutionGateway.Declined.class);
        assertThat(queued.returned().toCompletableFuture()).succeedsWithin(Duration.ofSeconds(10));
        assertThat(calls.get())
                .as("the queued attempt's executor was not called")
                .isEqualTo(1);
    }
}
