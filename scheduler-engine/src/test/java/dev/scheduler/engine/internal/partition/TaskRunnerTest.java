package dev.scheduler.engine.internal.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.NonRetryableException;
import dev.scheduler.engine.RetryPolicy;
import dev.scheduler.engine.TaskContext;
import dev.scheduler.engine.TaskStatus;
import dev.scheduler.engine.internal.partition.FakeTaskStore.Call;
import dev.scheduler.engine.internal.partition.FakeTaskStore.Op;
import dev.scheduler.engine.internal.partition.FaultyTaskStore.Fault;
import dev.scheduler.engine.internal.partition.RecordingListener.Started;
import dev.scheduler.engine.internal.store.AttemptOutcome;
import dev.scheduler.engine.internal.store.AttemptResult;
import dev.scheduler.engine.internal.store.StoredTask;
import dev.scheduler.engine.internal.store.TaskStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TaskRunnerTest {

    private static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config());
    private static final ManualTime manualTime = ManualTime.get(testKit.system());
    private static final ExecutorService pool = Executors.newFixedThreadPool(4);

    private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
    /** Three attempts, 10 s then 20 s apart, no jitter. */
    private static final RetryPolicy RETRY =
            new RetryPolicy(3, Duration.ofSeconds(10), Duration.ofMinutes(1), 2.0, 0.0);

    private static final Duration STORE_MIN_BACKOFF = Duration.ofMillis(100);
    private static final Duration STORE_MAX_BACKOFF = Duration.ofSeconds(1);

    private final MutableClock clock = new MutableClock(START);
    private final FakeTaskStore store = new FakeTaskStore();
    private final ScriptedExecutor executor = new ScriptedExecutor();
    private final RecordingListener listener = new RecordingListener();
    private final ProcessedMessages processed = new ProcessedMessages();
    private final TestProbe<TaskRunner.Finished> parent = testKit.createTestProbe();
    private ActorRef<TaskRunner.Command> runner;
    private PartitionHandle handle;

    @AfterEach
    void stopRunner() {
        executor.releaseAll();
        if (runner != null) {
            testKit.stop(runner);
        }
    }

    @AfterAll
    static void shutDown() {
        testKit.shutdownTestKit();
        pool.shutdownNow();
    }

    @Test
    void tasks_of_one_ordering_id_run_one_at_a_time_in_key_order_even_when_sent_out_of_order() {
        startRunner(RETRY, 8);
        Task t0 = task("a", -40, "0");
        Task t1 = task("a", -30, "1");
        Task t2 = task("a", -20, "2");
        Task t3 = task("a", -10, "3");
        List<Integer> outcomesDurableAtStart = Collections.synchronizedList(new ArrayList<>());
        executor.script(c -> outcomesDurableAtStart.add(store.outcomes().size()));
        executor.hold(t0.key());

        runner.tell(run(t0));
        assertThat(executor.awaitEntered().key()).isEqualTo(t0.key());
        runner.tell(run(t3));
        runner.tell(run(t1));
        runner.tell(run(t2));
        executor.release(t0.key());

        for (Task t : List.of(t0, t1, t2, t3)) {
            parent.expectMessage(new TaskRunner.Finished(t.key(), TaskStatus.SUCCEEDED));
        }
        assertThat(executor.attemptedKeys()).containsExactly(t0.key(), t1.key(), t2.key(), t3.key());
        assertThat(executor.maxRunningOfOneOrderingId()).isEqualTo(1);
        // each task started only once the outcome of the one before it was durable
        assertThat(outcomesDurableAtStart).containsExactly(0, 1, 2, 3);
    }

    /** A declined attempt never ran: no outcome is recorded, and the same attempt starts again. */
    @Test
    void an_attempt_the_gateway_declines_records_nothing_and_starts_again_with_the_same_number() {
        ExecutionGateway pooled = defaultGateway();
        java.util.concurrent.atomic.AtomicInteger offered = new java.util.concurrent.atomic.AtomicInteger();
        startRunner(
                RETRY,
                8,
                (context, mayStart) -> offered.incrementAndGet() == 1
                        ? new ExecutionGateway.Attempt(
                                java.util.concurrent.CompletableFuture.failedFuture(new ExecutionGateway.Declined()),
                                java.util.concurrent.CompletableFuture.completedFuture(null))
                        : pooled.start(context, mayStart));
        Task t = task("a", -1, "t");

        runner.tell(run(t));

        parent.expectMessage(new TaskRunner.Finished(t.key(), TaskStatus.SUCCEEDED));
        assertThat(offered.get()).isEqualTo(2);
        assertThat(executor.attempts()).extracting(TaskContext::attempt).containsExactly(1);
        assertThat(store.outcomes()).hasSize(1);
        assertThat(store.outcomes().get(0).attempt()).isEqualTo(1);
        assertThat(listener.startedKeys())
                .as("reported as started once: the declined one never ran")
                .hasSize(1);
    }

    /** A cancel that arrives while the attempt waits for a thread wins: the declined attempt does not start again. */
    @Test
    void a_task_cancelled_while_its_attempt_waits_for_a_thread_is_not_started_again_once_declined() {
        java.util.concurrent.CompletableFuture<Void> outcome = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<Void> returned = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.atomic.AtomicInteger offered = new java.util.concurrent.atomic.AtomicInteger();
        startRunner(RETRY, 8, (context, mayStart) -> {
            offered.incrementAndGet();
            return new ExecutionGateway.Attempt(outcome, returned);
        });
        Task t = task("a", -1, "t");
        runner.tell(run(t));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> offered.get() == 1);

        runner.tell(new TaskRunner.Cancel(t.key()));
        barrier();
        returned.complete(null); // the thread's part returns first here, then the outcome
        outcome.completeExceptionally(new ExecutionGateway.Declined());
        barrier();

        assertThat(offered.get()).as("not offered again").isEqualTo(1);
        assertThat(store.outcomes())
                .as("nothing recorded for an attempt that never ran")
                .isEmpty();
        parent.expectMessage(new TaskRunner.Finished(t.key(), TaskStatus.CANCELLED));
    }

    @Test
    void different_ordering_ids_run_in_parallel_up_to_the_running_limit() {
        startRunner(RETRY, 2);
        Task a = task("a", -1, "x");
        Task b = task("b", -1, "x");
        Task c = task("c", -1, "x");
        List.of(a, b, c).forEach(t -> executor.hold(t.key()));

        runner.tell(run(a));
        runner.tell(run(b));
        runner.tell(run(c));
        assertThat(List.of(
                        executor.awaitEntered().key(), executor.awaitEntered().key()))
                .containsExactlyInAnyOrder(a.key(), b.key());
        barrier();
        assertThat(listener.startedKeys()).as("c waits for a free slot").containsExactly(a.key(), b.key());

        executor.release(a.key());
        assertThat(executor.awaitEntered().key()).isEqualTo(c.key());
        executor.release(b.key());
        executor.release(c.key());

        assertThat(parent.receiveSeveralMessages(3))
                .extracting(TaskRunner.Finished::key)
                .containsExactlyInAnyOrder(a.key(), b.key(), c.key());
        assertThat(executor.maxRunning()).isEqualTo(2);
    }

    @Test
    void a_failed_attempt_is_retried_after_the_backoff_with_the_next_attempt_number() {
        startRunner(RETRY, 8);
        Task t = task("a", 0, "t");
        executor.script(c -> {
            if (c.attempt() == 1) {
                throw new IllegalStateException("boom");
            }
        });

        runner.tell(run(t));
        processed.awaitProcessed("OutcomesWritten");
        assertThat(store.row(0, t.key())).hasValueSatisfying(row -> {
            assertThat(row.status()).isEqualTo(TaskStatus.PENDING);
            assertThat(row.attempts()).isEqualTo(1);
            assertThat(row.nextAttemptAt()).isEqualTo(START.plusSeconds(10));
        });

        advance(Duration.ofMillis(9_999));
        barrier();
        assertThat(listener.started()).extracting(Started::attempt).containsExactly(1);
        parent.expectNoMessage(Duration.ZERO);

        advance(Duration.ofMillis(1));
        parent.expectMessage(new TaskRunner.Finished(t.key(), TaskStatus.SUCCEEDED));
        assertThat(executor.attempts()).extracting(TaskContext::attempt).containsExactly(1, 2);
        assertThat(listener.started().get(1).lateness())
                .as("the retry starts exactly at its time")
                .isZero();
        assertThat(store.outcomesOf(t.key()))
                .extracting(AttemptOutcome::result, AttemptOutcome::errorClass)
                .containsExactly(
                        tuple(AttemptResult.FAILED, IllegalStateException.class.getName()),
                        tuple(AttemptResult.SUCCEEDED, null));
        assertThat(store.row(0, t.key()).orElseThrow().attempts()).isEqualTo(2);
    }

    @Test
    void after_the_last_allowed_attempt_the_task_is_failed_and_reported_finished_as_failed() {
        startRunner(RETRY.withMaxAttempts(2), 8);
        Task t = task("a", 0, "t");
        executor.script(c -> {
            throw new IllegalStateException("always");
        });

        runner.tell(run(t));
        processed.awaitProcessed("OutcomesWritten");
        parent.expectNoMessage(Duration.ZERO);
        advance(Duration.ofSeconds(10));

        parent.expectMessage(new TaskRunner.Finished(t.key(), TaskStatus.FAILED));
        assertThat(executor.attempts()).extracting(TaskContext::attempt).containsExactly(1, 2);
        assertThat(store.outcomesOf(t.key()))
                .extracting(AttemptOutcome::statusAfter)
                .containsExactly(TaskStatus.PENDING, TaskStatus.FAILED);
        assertThat(store.row(0, t.key()).orElseThrow().status()).isEqualTo(TaskStatus.FAILED);
    }

    @Test
    void a_non_retryable_exception_fails_the_task_at_once_and_the_next_task_runs() {
        startRunner(RETRY, 8);
        Task bad = task("a", -2, "bad");
        Task next = task("a", -1, "next");
        executor.script(c -> {
            if (c.key().equals(bad.key())) {
                throw new NonRetryableException("unreadable data");
            }
        });

        runner.tell(run(bad));
        runner.tell(run(next));

        parent.expectMessage(new TaskRunner.Finished(bad.key(), TaskStatus.FAILED));
        parent.expectMessage(new TaskRunner.Finished(next.key(), TaskStatus.SUCCEEDED));
        assertThat(executor.attemptedKeys()).containsExactly(bad.key(), next.key());
        AttemptOutcome outcome = store.outcomesOf(bad.key()).get(0);
        assertThat(outcome.statusAfter()).isEqualTo(TaskStatus.FAILED);
        assertThat(outcome.errorClass()).isEqualTo(NonRetryableException.class.getName());
        assertThat(outcome.errorMessage()).isEqualTo("unreadable data");
    }

    @Test
    void an_outcome_whose_write_failed_is_written_again_and_nothing_is_reported_before_it_is_durable() {
        startRunner(RETRY, 8);
        Task t0 = task("a", -2, "0");
        Task t1 = task("a", -1, "1");
        store.failNext(Op.RECORD_OUTCOMES, 2);

        runner.tell(run(t0));
        runner.tell(run(t1));
        processed.awaitProcessed("OutcomesNotWritten");
        advance(Duration.ofMillis(99));
        assertThat(barrier()).doesNotContain("FlushRetry");
        parent.expectNoMessage(Duration.ZERO);
        assertThat(listener.startedKeys())
                .as("the next task waits for the durable outcome")
                .containsExactly(t0.key());

        advance(Duration.ofMillis(1));
        processed.awaitProcessed("OutcomesNotWritten");
        advance(Duration.ofMillis(200)); // the backoff doubles

        parent.expectMessage(new TaskRunner.Finished(t0.key(), TaskStatus.SUCCEEDED));
        parent.expectMessage(new TaskRunner.Finished(t1.key(), TaskStatus.SUCCEEDED));
        assertThat(executor.attemptedKeys())
                .as("a failed write never re-runs the attempt")
                .containsExactly(t0.key(), t1.key());
        List<Call> writes = store.calls(Op.RECORD_OUTCOMES);
        assertThat(writes).extracting(Call::failed).containsExactly(true, true, false, false);
        assertThat(writes.subList(0, 3))
                .allSatisfy(call -> assertThat(keysOf(call)).containsExactly(t0.key()));
    }

    /**
     * An outcome write that applied and then failed, and its retry that applied and then timed out, are written
     * again until one is answered: the attempt runs once, its outcome is the same each time, and the task is
     * reported finished once.
     */
    @Test
    void an_outcome_write_that_applied_and_then_failed_is_retried_and_the_task_is_reported_finished_once() {
        FaultyTaskStore faulty = FaultyTaskStore.scripted(store)
                .script(Op.RECORD_OUTCOMES, Fault.APPLY_THEN_FAIL, Fault.TIMEOUT_AFTER_APPLY);
        startRunner(RETRY, 8, faulty);
        Task t = task("a", -1, "t");

        runner.tell(run(t));
        processed.awaitProcessed("OutcomesNotWritten");
        assertThat(store.row(0, t.key()).orElseThrow().status()).isEqualTo(TaskStatus.SUCCEEDED);
        parent.expectNoMessage(Duration.ZERO);
        advance(STORE_MIN_BACKOFF);
        processed.awaitProcessed("OutcomesNotWritten"); // the retry applied, then timed out
        parent.expectNoMessage(Duration.ZERO);
        advance(STORE_MIN_BACKOFF.multipliedBy(2)); // the backoff doubles

        parent.expectMessage(new TaskRunner.Finished(t.key(), TaskStatus.SUCCEEDED));
        advance(STORE_MAX_BACKOFF);
        barrier();
        parent.expectNoMessage(Duration.ofMillis(50));
        assertThat(executor.attemptedKeys()).containsExactly(t.key());
        assertThat(listener.startedKeys()).containsExactly(t.key());
        assertThat(store.outcomesOf(t.key()))
                .as("the same outcome, written three times")
                .hasSize(3)
                .extracting(AttemptOutcome::attempt, AttemptOutcome::statusAfter)
                .containsOnly(tuple(1, TaskStatus.SUCCEEDED));
        assertThat(store.row(0, t.key()).orElseThrow().attempts()).isEqualTo(1);
    }

    @Test
    void a_cancelled_queued_task_never_runs_while_a_cancelled_running_one_finishes() {
        startRunner(RETRY, 8);
        Task t0 = task("a", -3, "0");
        Task t1 = task("a", -2, "1");
        Task t2 = task("a", -1, "2");
        executor.hold(t0.key());

        runner.tell(run(t0));
        executor.awaitEntered();
        runner.tell(run(t1));
        runner.tell(run(t2));
        runner.tell(new TaskRunner.Cancel(t1.key()));
        runner.tell(new TaskRunner.Cancel(t0.key()));
        executor.release(t0.key());

        // The queued one is reported when dropped: the schedule holds a dispatched task until it is told.
        parent.expectMessage(new TaskRunner.Finished(t1.key(), TaskStatus.CANCELLED));
        parent.expectMessage(new TaskRunner.Finished(t0.key(), TaskStatus.SUCCEEDED));
        parent.expectMessage(new TaskRunner.Finished(t2.key(), TaskStatus.SUCCEEDED));
        assertThat(executor.attemptedKeys()).containsExactly(t0.key(), t2.key());
        assertThat(store.outcomesOf(t1.key())).isEmpty();
    }

    @Test
    void a_task_cancelled_while_its_attempt_runs_is_not_retried_when_that_attempt_fails() {
        startRunner(RETRY, 8);
        Task t = task("a", 0, "t");
        executor.hold(t.key());
        executor.script(c -> {
            throw new IllegalStateException("boom");
        });

        runner.tell(run(t));
        executor.awaitEntered();
        runner.tell(new TaskRunner.Cancel(t.key()));
        processed.awaitProcessed("Cancel");
        executor.release(t.key());
        processed.awaitProcessed("OutcomesWritten");
        advance(Duration.ofSeconds(10));
        barrier();

        assertThat(listener.started()).as("attempts started after the cancel").hasSize(1);
    }

    @Test
    void cancelling_a_task_that_waits_for_its_retry_lets_the_next_task_of_its_ordering_id_run_at_once() {
        startRunner(RETRY, 8);
        Task failing = task("a", -2, "0");
        Task next = task("a", -1, "1");
        executor.script(c -> {
            if (c.key().equals(failing.key())) {
                throw new IllegalStateException("boom");
            }
        });

        runner.tell(run(failing));
        runner.tell(run(next));
        processed.awaitProcessed("OutcomesWritten");
        runner.tell(new TaskRunner.Cancel(failing.key()));

        parent.expectMessage(new TaskRunner.Finished(failing.key(), TaskStatus.CANCELLED));
        parent.expectMessage(new TaskRunner.Finished(next.key(), TaskStatus.SUCCEEDED));
        advance(Duration.ofSeconds(10));
        barrier();
        assertThat(executor.attemptedKeys())
                .as("the cancelled task is not retried")
                .containsExactly(failing.key(), next.key());
    }

    @Test
    void drain_replies_once_the_running_attempt_ended_and_its_outcome_is_durable_and_starts_nothing_new() {
        startRunner(RETRY, 8);
        Task running = task("a", -2, "0");
        Task queued = task("a", -1, "1");
        executor.hold(running.key());
        TestProbe<TaskRunner.Drained> drained = testKit.createTestProbe();

        runner.tell(run(running));
        executor.awaitEntered();
        runner.tell(run(queued));
        runner.tell(new TaskRunner.Drain(drained.ref()));
        processed.awaitProcessed("Drain");
        drained.expectNoMessage(Duration.ZERO);

        executor.release(running.key());
        drained.expectMessage(new TaskRunner.Drained(0));
        parent.expectMessage(new TaskRunner.Finished(running.key(), TaskStatus.SUCCEEDED));
        assertThat(store.row(0, running.key()).orElseThrow().status()).isEqualTo(TaskStatus.SUCCEEDED);
        barrier();
        assertThat(listener.startedKeys()).containsExactly(running.key());
    }

    /** Issue 11, finding 2: a retry timer that fires after Drained must not start an attempt on the old owner. */
    @Test
    void a_drained_runner_never_starts_an_attempt_again_even_when_a_retry_comes_due() {
        startRunner(RETRY, 8);
        Task t = task("a", 0, "t");
        executor.script(c -> {
            throw new IllegalStateException("fails, so a retry is due in 10 s");
        });
        TestProbe<TaskRunner.Drained> drained = testKit.createTestProbe();

        runner.tell(run(t));
        processed.awaitProcessed("OutcomesWritten");
        runner.tell(new TaskRunner.Drain(drained.ref()));
        drained.expectMessage(new TaskRunner.Drained(0));

        advance(Duration.ofSeconds(11)); // the retry's time: the next owner runs attempt 2, not this runner
        barrier();
        assertThat(listener.started()).extracting(Started::attempt).containsExactly(1);
        assertThat(executor.attempts()).hasSize(1);
    }

    /**
     * Issue 11, finding 9: a cancel that arrives while a failed attempt's retry outcome is being written wins:
     * the retry does not run, and the task is reported finished as cancelled.
     */
    @Test
    void a_cancel_that_arrives_while_a_retry_outcome_is_written_stops_the_retry() {
        startRunner(RETRY, 8);
        Task t = task("a", 0, "t");
        executor.script(c -> {
            throw new IllegalStateException("fails, so a retry is due in 10 s");
        });
        store.hold(Op.RECORD_OUTCOMES);

        runner.tell(run(t));
        processed.awaitProcessed("AttemptEnded");
        runner.tell(new TaskRunner.Cancel(t.key())); // stored by the persister meanwhile
        processed.awaitProcessed("Cancel");
        store.release(Op.RECORD_OUTCOMES);
        parent.expectMessage(new TaskRunner.Finished(t.key(), TaskStatus.CANCELLED));

        advance(Duration.ofSeconds(11));
        barrier();
        assertThat(executor.attempts()).as("attempt 2 never starts").hasSize(1);
    }

    /**
     * Issue 11, finding 6: an attempt that timed out but ignores interruption keeps running; its retry must not
     * start beside it. The timeout is recorded (and the retry planned) at once; the retry starts only once the
     * old attempt's thread really returned.
     */
    @Test
    void the_retry_of_a_timed_out_attempt_that_ignores_interruption_waits_until_that_attempt_returned() {
        startRunner(RETRY, 8, ExecutionGateway.pooled(pool, executor, null, Duration.ofMillis(100)));
        Task t = task("a", 0, "t");
        executor.holdIgnoringInterrupts(t.key());

        runner.tell(run(t));
        executor.awaitEntered();
        processed.awaitProcessed("OutcomesWritten"); // the timeout, after 100 ms of real time
        assertThat(store.outcomesOf(t.key()))
                .extracting(AttemptOutcome::result, AttemptOutcome::statusAfter)
                .containsExactly(tuple(AttemptResult.TIMED_OUT, TaskStatus.PENDING));

        advance(Duration.ofSeconds(11)); // the retry's time has come, but attempt 1 still runs
        barrier();
        assertThat(listener.started())
                .as("no attempt starts while the timed-out one still runs")
                .extracting(Started::attempt)
                .containsExactly(1);

        executor.script(c -> {});
        executor.release(t.key());
        parent.expectMessage(new TaskRunner.Finished(t.key(), TaskStatus.SUCCEEDED));
        assertThat(listener.started()).extracting(Started::attempt).containsExactly(1, 2);
        assertThat(executor.maxRunningOfOneOrderingId()).isEqualTo(1);
    }

    /**
     * Issue 11, finding 6, asynchronous: an attempt whose future is still incomplete after the timeout keeps the
     * next task of its ordering id waiting, even though the timed-out task itself already ended FAILED.
     */
    @Test
    void the_next_task_waits_until_a_timed_out_asynchronous_attempt_really_completed() {
        Map<TaskKey, CompletableFuture<Void>> futures = new ConcurrentHashMap<>();
        List<TaskKey> asyncStarted = Collections.synchronizedList(new ArrayList<>());
        startRunner(
                RETRY.withMaxAttempts(1),
                8,
                ExecutionGateway.pooled(
                        pool,
                        null,
                        c -> {
                            asyncStarted.add(c.key());
                            return futures.computeIfAbsent(c.key(), k -> new CompletableFuture<>());
                        },
                        Duration.ofMillis(100)));
        Task slow = task("a", -2, "slow");
        Task next = task("a", -1, "next");
        futures.put(next.key(), CompletableFuture.completedFuture(null));

        runner.tell(run(slow));
        runner.tell(run(next));
        parent.expectMessage(new TaskRunner.Finished(slow.key(), TaskStatus.FAILED)); // timed out, no retry
        barrier();
        assertThat(asyncStarted).as("the next task waits for the old attempt").containsExactly(slow.key());

        futures.get(slow.key()).complete(null); // the old attempt really ends
        parent.expectMessage(new TaskRunner.Finished(next.key(), TaskStatus.SUCCEEDED));
        assertThat(asyncStarted).containsExactly(slow.key(), next.key());
    }

    /**
     * Issue 11, finding 6: an attempt still running {@code shutdownTimeout} (30 s here) after it timed out is
     * reported stuck on the partition's handle, by key, until it returns.
     */
    @Test
    void an_attempt_still_running_shutdown_timeout_after_its_timeout_is_stuck_until_it_returns() {
        startRunner(RETRY, 8, ExecutionGateway.pooled(pool, executor, null, Duration.ofMillis(100)));
        Task t = task("a", 0, "t");
        executor.holdIgnoringInterrupts(t.key());

        runner.tell(run(t));
        executor.awaitEntered();
        processed.awaitProcessed("OutcomesWritten"); // timed out; the stuck check is due 30 s from then
        advance(Duration.ofSeconds(29));
        barrier();
        assertThat(handle.stuckAttempts()).isEmpty();

        advance(Duration.ofSeconds(1));
        assertThat(barrier()).contains("StuckCheck");
        assertThat(handle.stuckAttempts()).containsExactly(t.key());
        assertThat(handle.stuckAttemptCount()).isEqualTo(1);
        assertThat(listener.started()).as("still only attempt 1").hasSize(1);

        executor.script(c -> {});
        executor.release(t.key());
        processed.awaitProcessed("AttemptReturned");
        assertThat(handle.stuckAttempts()).isEmpty();
        parent.expectMessage(new TaskRunner.Finished(t.key(), TaskStatus.SUCCEEDED));
    }

    @Test
    void an_attempt_that_returns_soon_after_its_timeout_is_never_stuck() {
        startRunner(RETRY, 8, ExecutionGateway.pooled(pool, executor, null, Duration.ofMillis(100)));
        Task t = task("a", 0, "t");
        executor.holdIgnoringInterrupts(t.key());

        runner.tell(run(t));
        executor.awaitEntered();
        processed.awaitProcessed("OutcomesWritten");
        executor.release(t.key());
        processed.awaitProcessed("AttemptReturned");
        advance(Duration.ofSeconds(31));
        barrier();
        assertThat(handle.stuckAttempts()).isEmpty();
    }

    // ---- helpers ----

    private void startRunner(RetryPolicy policy, int maxRunning) {
        startRunner(policy, maxRunning, store, defaultGateway());
    }

    private void startRunner(RetryPolicy policy, int maxRunning, TaskStore over) {
        startRunner(policy, maxRunning, over, defaultGateway());
    }

    private void startRunner(RetryPolicy policy, int maxRunning, ExecutionGateway gateway) {
        startRunner(policy, maxRunning, store, gateway);
    }

    private ExecutionGateway defaultGateway() {
        return ExecutionGateway.pooled(pool, executor, null, Duration.ofSeconds(30));
    }

    private void startRunner(RetryPolicy policy, int maxRunning, TaskStore over, ExecutionGateway gateway) {
        EngineSettings settings = EngineSettings.builder()
                .retryPolicy(policy)
                .maxRunningPerPartition(maxRunning)
                .shutdownTimeout(Duration.ofSeconds(30))
                .storeRetryBackoff(STORE_MIN_BACKOFF, STORE_MAX_BACKOFF)
                .build();
        runner = testKit.spawn(processed.recording(TaskRunner.create(
                TestPartitions.context(
                        settings, over, gateway, clock, handle = TestPartitions.leasedHandle(0), listener),
                parent.ref())));
    }

    /** Moves the actors' clock and Pekko's timers forward together. */
    private void advance(Duration amount) {
        clock.advance(amount);
        manualTime.timePasses(amount);
    }

    /** Sends a message that changes nothing and waits until the runner handled it (and so all sent before). */
    private List<String> barrier() {
        runner.tell(new TaskRunner.Cancel(TaskKey.of("barrier", START, "barrier")));
        return processed.awaitProcessed("Cancel");
    }

    private static Task task(String orderingId, long secondsFromStart, String uniquenessKey) {
        return Task.of(
                TaskKey.of(orderingId, START.plusSeconds(secondsFromStart), uniquenessKey),
                Map.of("id", uniquenessKey));
    }

    private static TaskRunner.Run run(Task task) {
        return new TaskRunner.Run(new StoredTask(task, TaskStatus.PENDING, 0, null, null));
    }

    @SuppressWarnings("unchecked")
    private static List<TaskKey> keysOf(Call recordOutcomes) {
        return ((List<AttemptOutcome>) recordOutcomes.argument())
                .stream().map(o -> o.task().key()).toList();
    }
}
