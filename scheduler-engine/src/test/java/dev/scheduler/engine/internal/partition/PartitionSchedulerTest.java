package dev.scheduler.engine.internal.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.RetryPolicy;
import dev.scheduler.engine.TaskStatus;
import dev.scheduler.engine.internal.partition.FakeTaskStore.Call;
import dev.scheduler.engine.internal.partition.FakeTaskStore.Op;
import dev.scheduler.engine.internal.partition.RecordingListener.Started;
import dev.scheduler.engine.internal.store.OwnerRow;
import dev.scheduler.engine.internal.store.StoredTask;
import dev.scheduler.engine.internal.store.TaskStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PartitionSchedulerTest {

    private static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config());
    private static final ManualTime manualTime = ManualTime.get(testKit.system());
    private static final ExecutorService pool = Executors.newFixedThreadPool(4);

    private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
    private static final Duration AWAIT = Duration.ofSeconds(10);

    private final MutableClock clock = new MutableClock(START);
    private final FakeTaskStore store = new FakeTaskStore();
    /** The store the actors use: the fake, or a wrapper of it. */
    private TaskStore actorsStore = store;

    private final ScriptedExecutor executor = new ScriptedExecutor();
    private final RecordingListener listener = new RecordingListener();
    private final ProcessedMessages processed = new ProcessedMessages();
    /**
     * An engine clock that stands still, for tests that count on when renewals come: they fall on multiples of the
     * engine's clock, so with it a third of the lease after the claim in the tests' manual time, as with a timer of
     * fixed delay; with the machine's clock, at any phase. (A lease confirmed on it never runs out.)
     */
    private static final java.util.function.LongSupplier STILL = () -> 0L;

    private PartitionHandle handle = new PartitionHandle(0, 0, "local");
    private ActorRef<PartitionScheduler.Command> scheduler;
    /** A second instance's scheduler of the same partition, over the same store. */
    private ActorRef<PartitionScheduler.Command> other;

    private ActorRef<EngineGuardian.SpawnPartition> guardian;
    private int generation;
    private long offset;

    @AfterEach
    void stopScheduler() {
        executor.releaseAll();
        if (guardian != null) {
            testKit.stop(guardian); // and the scheduler, its child
        } else if (scheduler != null) {
            testKit.stop(scheduler);
        }
        if (other != null) {
            testKit.stop(other);
        }
    }

    @AfterAll
    static void shutDown() {
        testKit.shutdownTestKit();
        pool.shutdownNow();
    }

    @Test
    void a_task_due_within_the_look_ahead_window_runs_at_its_time_and_not_before() {
        startScheduler(s -> s);
        Task t = task("a", 5, "t");

        ingest(List.of(t), List.of());
        awaitDurable();
        assertThat(handle.tasksInMemory()).isEqualTo(1);

        advance(Duration.ofMillis(4_999));
        barrier();
        assertThat(listener.started()).isEmpty();

        advance(Duration.ofMillis(1));
        assertThat(executor.awaitEntered().key()).isEqualTo(t.key());
        assertThat(listener.started()).containsExactly(new Started(t.key(), 1, Duration.ZERO));
        awaitStatus(t, TaskStatus.SUCCEEDED);
        await().atMost(AWAIT).until(() -> handle.tasksInMemory() == 0);
        assertThat(store.checkpointViolations()).isEmpty();
    }

    @Test
    void a_task_beyond_the_look_ahead_window_waits_in_the_store_and_is_loaded_in_time_to_run() {
        startScheduler(s -> s.lookAhead(Duration.ofSeconds(10)));
        Task t = task("a", 25, "t");

        ingest(List.of(t), List.of());
        awaitDurable();
        assertThat(store.row(0, t.key())).isPresent();
        assertThat(handle.tasksInMemory())
                .as("beyond the window: left to the store")
                .isZero();

        advance(Duration.ofSeconds(20));
        await().atMost(AWAIT).until(() -> handle.tasksInMemory() == 1);
        barrier();
        assertThat(listener.started()).isEmpty();

        advance(Duration.ofSeconds(5));
        assertThat(executor.awaitEntered().key()).isEqualTo(t.key());
        assertThat(listener.started()).containsExactly(new Started(t.key(), 1, Duration.ZERO));
        awaitStatus(t, TaskStatus.SUCCEEDED);
        assertThat(store.checkpointViolations()).isEmpty();
    }

    @Test
    void a_task_ingested_twice_runs_once_and_not_again_when_it_is_ingested_after_it_finished() {
        startScheduler(s -> s);
        Task t = task("a", 1, "t");
        Task later = task("b", 1, "later"); // same time, after t in key order: dispatched after it

        ingest(List.of(t), List.of());
        ingest(List.of(t), List.of());
        awaitDurable();
        advance(Duration.ofSeconds(1));
        assertThat(executor.awaitEntered().key()).isEqualTo(t.key());
        awaitStatus(t, TaskStatus.SUCCEEDED);
        processed.awaitProcessed("WrappedFinished");

        int readsBefore = store.calls(FakeTaskStore.Op.READ).size();
        ingest(List.of(t, later), List.of());
        assertThat(executor.awaitEntered().key()).isEqualTo(later.key());
        assertThat(listener.startedKeys()).containsExactly(t.key(), later.key());
        assertThat(store.calls(FakeTaskStore.Op.READ)
                        .subList(readsBefore, store.calls(FakeTaskStore.Op.READ).size()))
                .as("its row read, so that the store makes the data stored again expire with the status")
                .extracting(FakeTaskStore.Call::argument)
                .contains(t.key());
        assertThat(store.checkpointViolations()).isEmpty();
    }

    @Test
    void a_task_read_again_from_kafka_keeps_its_attempts_and_waits_for_its_retry_time() {
        Task t = task("a", 1, "t");
        // Two attempts already failed (on a previous owner); the third is due 10 s after the start.
        store.putRow(0, new StoredTask(t, TaskStatus.PENDING, 2, START.plusSeconds(10), "boom"));
        store.putCheckpoint(0, START);
        startScheduler(s -> s);
        await().atMost(AWAIT).until(() -> handle.tasksInMemory() == 1);

        ingest(List.of(t), List.of()); // the same record, consumed again after a rewind or a handoff
        awaitDurable();
        advance(Duration.ofSeconds(9));
        barrier();
        assertThat(listener.started()).isEmpty();

        advance(Duration.ofSeconds(1));
        assertThat(executor.awaitEntered().key()).isEqualTo(t.key());
        assertThat(listener.started()).extracting(Started::attempt).containsExactly(3);
    }

    @Test
    void a_cancelled_task_does_not_run() {
        startScheduler(s -> s);
        Task cancelled = task("a", 5, "x");
        Task kept = task("b", 5, "x"); // after the cancelled one in key order: dispatched after it

        ingest(List.of(cancelled, kept), List.of());
        ingest(List.of(), List.of(cancelled.key()));
        awaitDurable();
        assertThat(handle.tasksInMemory()).isEqualTo(1);

        advance(Duration.ofSeconds(5));
        assertThat(executor.awaitEntered().key()).isEqualTo(kept.key());
        assertThat(listener.startedKeys()).containsExactly(kept.key());
        assertThat(store.row(0, cancelled.key()).orElseThrow().status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(store.checkpointViolations()).isEmpty();
    }

    @Test
    void a_task_ingested_after_the_checkpoint_advanced_still_runs_after_a_restart() {
        startScheduler(s -> s);
        advance(Duration.ofSeconds(1)); // a tick with nothing in memory: the checkpoint moves to the window's end
        processed.awaitProcessed("Signal.TICK");
        Task t = task("a", 30, "t");
        ingest(List.of(t), List.of()); // lowers the checkpoint to t's time before storing t
        awaitDurable();
        advance(Duration.ofSeconds(1)); // a tick while t waits in memory
        processed.awaitProcessed("Signal.TICK");
        // the persister handles what the scheduler sends in order: once this is durable, so is that tick's request
        ingest(List.of(task("b", 3_600, "later")), List.of());
        awaitDurable();
        assertThat(store.checkpointViolations()).isEmpty();

        testKit.stop(scheduler); // a crash: nothing is handed over
        handle = new PartitionHandle(0, handle.durableOffset(), "local");
        spawnScheduler(s -> s);
        processed.awaitProcessed("Claimed");
        advance(Duration.ofSeconds(3)); // the crashed owner's row is unreleased: its lease is waited out
        processed.awaitProcessed("Started");
        assertThat(handle.takeRewindRequest()).isTrue();
        generation = handle.generation();
        catchUp(handle.durableOffset());
        advance(Duration.ofSeconds(25));

        assertThat(executor.awaitEntered().key()).isEqualTo(t.key());
    }

    @Test
    void with_more_tasks_than_the_memory_bound_every_task_runs_once_and_the_bound_holds() {
        startScheduler(s -> s.maxTasksInMemoryPerPartition(10).loadBatchSize(4));
        AtomicInteger mostInMemory = sampleTasksInMemory();
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            tasks.add(task("o" + i, i + 1, "u"));
        }
        List<Task> shuffled = new ArrayList<>(tasks);
        Collections.shuffle(shuffled, new Random(42));

        for (int i = 0; i < 50; i += 10) {
            ingest(shuffled.subList(i, i + 10), List.of());
        }
        awaitDurable();
        assertThat(handle.tasksInMemory()).isEqualTo(10);

        for (int step = 1; step <= 5; step++) {
            advance(Duration.ofSeconds(10));
            int due = step * 10;
            await().atMost(AWAIT)
                    .untilAsserted(() ->
                            assertThat(store.rows(0, TaskStatus.SUCCEEDED)).hasSize(due));
            mostInMemory.accumulateAndGet(handle.tasksInMemory(), Math::max);
        }

        assertThat(executor.attemptedKeys())
                .containsExactlyInAnyOrderElementsOf(
                        tasks.stream().map(Task::key).toList());
        assertThat(listener.started())
                .as("none starts before its time")
                .allSatisfy(s -> assertThat(s.lateness().isNegative()).isFalse());
        assertThat(mostInMemory.get()).isLessThanOrEqualTo(10);
        assertThat(store.checkpointViolations()).isEmpty();
    }

    @Test
    void the_memory_bound_holds_for_tasks_that_arrive_while_a_load_is_in_flight() {
        store.hold(Op.LOAD); // the first load is answered only when the test says so
        startScheduler(s -> s.maxTasksInMemoryPerPartition(10).loadBatchSize(4));
        AtomicInteger mostInMemory = sampleTasksInMemory();
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            tasks.add(task("o" + i, i + 1, "u"));
        }

        ingest(tasks, List.of());
        awaitDurable();
        mostInMemory.accumulateAndGet(handle.tasksInMemory(), Math::max);
        store.release(Op.LOAD);

        advance(Duration.ofSeconds(50));
        await().atMost(AWAIT)
                .untilAsserted(
                        () -> assertThat(store.rows(0, TaskStatus.SUCCEEDED)).hasSize(50));
        assertThat(executor.attemptedKeys()).hasSize(50);
        assertThat(mostInMemory.get()).as("most tasks held in memory at once").isLessThanOrEqualTo(10);
    }

    @Test
    void the_checkpoint_never_passes_a_stored_task_whose_status_could_not_be_read() {
        store.putCheckpoint(0, START.minus(Duration.ofMinutes(10)));
        startScheduler(s -> s.storeRetryBackoff(Duration.ofSeconds(5), Duration.ofSeconds(10)));
        advance(Duration.ofSeconds(1)); // one tick: keys older than two minutes are now checked with a read
        processed.awaitProcessed("Signal.TICK");
        Task old = task("a", -300, "old");
        store.failNext(Op.READ, 1);

        ingest(List.of(old), List.of());
        processed.awaitProcessed("StatusNotRead");
        advance(Duration.ofSeconds(1)); // a tick moves the checkpoint while the read waits for its retry
        processed.awaitProcessed("Signal.TICK");
        advance(Duration.ofSeconds(5)); // the read is retried and the task runs

        awaitStatus(old, TaskStatus.SUCCEEDED);
        assertThat(store.checkpointViolations()).isEmpty();
    }

    /**
     * Issue 11, finding 8: the takeover wait was skipped when the row replaced named this instance's own id (a
     * claim that timed out but applied, a reused instanceId, a restart with attempts still running): an
     * unreleased row is waited out whoever it names.
     */
    @Test
    void a_claim_replacing_an_unreleased_row_of_this_same_instance_id_still_waits_out_the_lease() {
        store.previousOwner(new OwnerRow(4, handle.owner(), null, false));
        spawnScheduler(s -> s.ownerLease(Duration.ofSeconds(3)));
        processed.awaitProcessed("Claimed");

        advance(Duration.ofMillis(2_999));
        barrier();
        assertThat(store.calls()).extracting(Call::op).doesNotContain(Op.READ_CHECKPOINT);

        advance(Duration.ofMillis(1));
        processed.awaitProcessed("Started");
    }

    /**
     * Found by the partition simulation (seed 263): an owner that took over without a handover was handed off while
     * it still waited out the previous owner's lease, and released the partition; the next owner saw the release,
     * did not wait, and ran tasks beside the previous owner (paused, its lease still valid, its attempts running).
     */
    @Test
    void a_handoff_while_waiting_out_the_previous_owner_does_not_release_the_partition() {
        store.previousOwner(new OwnerRow(4, "paused-instance", null, false));
        spawnScheduler(s -> s.ownerLease(Duration.ofSeconds(3)));
        processed.awaitProcessed("Claimed");
        TestProbe<PartitionScheduler.Stopped> stopped = testKit.createTestProbe();

        scheduler.tell(new PartitionScheduler.Stop(stopped.ref()));

        stopped.receiveMessage();
        assertThat(store.ownerRow(0))
                .as("the next owner must still wait out the paused instance's lease")
                .hasValueSatisfying(row -> assertThat(row.released()).isFalse());
    }

    /**
     * Found by the partition simulation (seed 1900): a partition stopped while its claim was in flight answered
     * at once; the claim applied afterwards, over the next owner's, which then stayed fenced while Kafka left the
     * partition with it: nobody ran the partition's tasks.
     */
    @Test
    void a_stop_while_the_claim_is_in_flight_answers_after_the_claim_and_releases_it() {
        store.hold(Op.CLAIM);
        spawnScheduler(s -> s.ownerLease(Duration.ofSeconds(3)));
        await().atMost(AWAIT).until(() -> !store.calls(Op.CLAIM).isEmpty());
        TestProbe<PartitionScheduler.Stopped> stopped = testKit.createTestProbe();

        scheduler.tell(new PartitionScheduler.Stop(stopped.ref()));
        processed.awaitProcessed("Stop");
        stopped.expectNoMessage(Duration.ofMillis(200));

        store.release(Op.CLAIM);
        stopped.receiveMessage();
        assertThat(store.ownerRow(0))
                .hasValueSatisfying(row -> assertThat(row.released())
                        .as("released: the next owner starts at once, and no late claim fences it")
                        .isTrue());
    }

    /**
     * Found by the partition simulation (seed 1030): a partition handed off released itself while its persister's
     * last checkpoint write was still in flight; that write landed after the next owner had lowered the checkpoint
     * for an older task, and moved it past the task, which was then never loaded again.
     */
    @Test
    void a_handoff_releases_the_partition_only_once_the_last_checkpoint_write_has_landed() {
        startScheduler(s -> s);
        store.hold(Op.WRITE_CHECKPOINT);
        advance(Duration.ofSeconds(2)); // ticks: the checkpoint moves with the window, and that write is held
        await().atMost(AWAIT).until(() -> !store.calls(Op.WRITE_CHECKPOINT).isEmpty());
        TestProbe<PartitionScheduler.Stopped> stopped = testKit.createTestProbe();

        scheduler.tell(new PartitionScheduler.Stop(stopped.ref()));
        processed.awaitProcessed("Stop");
        stopped.expectNoMessage(Duration.ofMillis(200));
        assertThat(store.calls()).extracting(Call::op).doesNotContain(Op.RELEASE);

        store.release(Op.WRITE_CHECKPOINT);
        stopped.receiveMessage();
        assertThat(store.ownerRow(0))
                .hasValueSatisfying(row -> assertThat(row.released()).isTrue());
    }

    /**
     * Found in review: after a supervisor restart the handle still held the failed incarnation's epoch; a stop while
     * the new claim's retry waited released that epoch, so the next owner started at once, beside attempts the failed
     * incarnation may still be running.
     */
    @Test
    void a_stop_after_a_restart_whose_claim_failed_does_not_release_the_old_epoch() {
        failThePersisterOfASupervisedPartition(task("a", -5, "t"));
        store.failNext(Op.CLAIM, 1);

        advance(Duration.ofSeconds(1)); // the supervisor's backoff: the new incarnation's claim fails
        processed.awaitProcessed("ClaimFailed");
        TestProbe<PartitionScheduler.Stopped> stopped = testKit.createTestProbe();
        scheduler.tell(new PartitionScheduler.Stop(stopped.ref()));

        stopped.receiveMessage();
        assertThat(store.ownerRow(0))
                .hasValueSatisfying(row -> assertThat(row.released()).isFalse());
    }

    /**
     * Found in review: a handoff released the partition right after a checkpoint write failed; that write may still
     * apply after the next owner read the checkpoint and stored an older task. Not released, the next owner waits out
     * the lease first.
     */
    @Test
    void a_handoff_right_after_a_failed_checkpoint_write_does_not_release_the_partition() {
        startScheduler(s -> s.storeRetryBackoff(Duration.ofSeconds(5), Duration.ofSeconds(10)));
        store.failNext(Op.WRITE_CHECKPOINT, 1);
        advance(Duration.ofSeconds(2)); // a tick moves the checkpoint with the window: that write fails
        await().atMost(AWAIT)
                .until(() -> store.calls(Op.WRITE_CHECKPOINT).stream().anyMatch(Call::failed));
        TestProbe<PartitionScheduler.Stopped> stopped = testKit.createTestProbe();

        scheduler.tell(new PartitionScheduler.Stop(stopped.ref()));

        stopped.receiveMessage();
        assertThat(store.ownerRow(0))
                .hasValueSatisfying(row -> assertThat(row.released()).isFalse());
    }

    @Test
    void a_claim_replacing_a_released_row_starts_at_once() {
        store.previousOwner(new OwnerRow(4, "another-instance", null, true));
        spawnScheduler(s -> s.ownerLease(Duration.ofSeconds(3)));
        processed.awaitProcessed("Started");
    }

    /**
     * Issue 11, finding 12: after a restart or takeover, an overdue task from Cassandra ran before an earlier-keyed
     * task of its ordering id that was on the topic, published while no instance owned the partition.
     */
    @Test
    void after_a_start_no_task_starts_until_the_records_on_the_topic_at_assignment_are_durable() {
        Task later = task("a", -5, "later");
        store.putRow(0, new StoredTask(later, TaskStatus.PENDING, 0, null, null));
        store.putCheckpoint(0, START.minusSeconds(60));
        spawnScheduler(s -> s);
        processed.awaitProcessed("Started");
        assertThat(handle.takeRewindRequest()).isTrue();
        generation = handle.generation();
        handle.catchUpTo(1); // one record was on the topic when the partition was assigned
        processed.awaitProcessed("Loaded");
        barrier();
        assertThat(listener.startedKeys()).as("the overdue stored task waits").isEmpty();

        Task earlier = task("a", -10, "earlier");
        ingest(List.of(earlier), List.of());
        awaitDurable();
        awaitCaughtUp(1);

        await().atMost(AWAIT).until(() -> listener.startedKeys().size() == 2);
        assertThat(listener.startedKeys()).containsExactly(earlier.key(), later.key());
    }

    /**
     * Loads answered with short pages (fewer rows than asked, more to come, chosen by a seed) still bring every
     * stored task into memory in time: each runs once, none before its time, and the memory bound holds.
     */
    @Test
    void with_short_pages_from_the_store_every_stored_task_runs_once() {
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Task t = task("o" + (i % 7), i + 1, "u" + i);
            tasks.add(t);
            store.putRow(0, new StoredTask(t, TaskStatus.PENDING, 0, null, null));
        }
        store.putCheckpoint(0, START);
        FaultyTaskStore faulty = FaultyTaskStore.seeded(store, 11, 0.7)
                .randomOps(Op.LOAD)
                .randomFaults(FaultyTaskStore.Fault.SHORT_PAGE);
        actorsStore = faulty;
        startScheduler(s -> s.maxTasksInMemoryPerPartition(10).loadBatchSize(6));
        AtomicInteger mostInMemory = sampleTasksInMemory();

        for (int step = 1; step <= 4; step++) {
            advance(Duration.ofSeconds(10));
            int due = step * 10;
            await().atMost(AWAIT)
                    .untilAsserted(() ->
                            assertThat(store.rows(0, TaskStatus.SUCCEEDED)).hasSize(due));
            mostInMemory.accumulateAndGet(handle.tasksInMemory(), Math::max);
        }

        assertThat(faulty.injected()).as("short pages were served").isNotEmpty();
        assertThat(executor.attemptedKeys())
                .containsExactlyInAnyOrderElementsOf(
                        tasks.stream().map(Task::key).toList());
        assertThat(listener.started())
                .as("none starts before its time")
                .allSatisfy(s -> assertThat(s.lateness().isNegative()).isFalse());
        assertThat(mostInMemory.get()).isLessThanOrEqualTo(10);
        assertThat(store.checkpointViolations()).isEmpty();
    }

    /**
     * Fencing over one store: a second instance's claim of the partition (the next epoch) fences the first at its
     * next lease renewal; the first starts nothing more, and the second, once the first's lease has run out,
     * loads the stored task and runs it, once.
     */
    /**
     * Issue 13: the renewals of all of an engine's partitions share one read on a shared tick, so one failed read
     * would leave every partition unrenewed until the next tick, and one missed renewal may let a lease lapse.
     */
    @Test
    void a_failed_renewal_read_is_read_again_a_tenth_of_the_lease_later_not_at_the_next_tick() {
        handle = new PartitionHandle(0, 0, "local", STILL); // renewal ticks come a third of the lease apart
        startScheduler(s -> s.ownerLease(Duration.ofSeconds(3)));
        int before = store.calls(Op.READ_OWNER).size();
        store.failNext(Op.READ_OWNER, 1);

        advance(Duration.ofSeconds(1)); // the tick: its read fails
        await().atMost(AWAIT).until(() -> store.calls(Op.READ_OWNER).size() == before + 1);
        assertThat(store.calls(Op.READ_OWNER).get(before).failed()).isTrue();
        processed.awaitProcessed("OwnerNotRead");

        advance(Duration.ofMillis(300));
        await().atMost(AWAIT).until(() -> store.calls(Op.READ_OWNER).size() == before + 2);
        assertThat(store.calls(Op.READ_OWNER).get(before + 1).failed()).isFalse();
    }

    @Test
    void a_claim_by_another_instance_fences_the_first_owner_which_then_starts_nothing_more() {
        startScheduler(s -> s.ownerLease(Duration.ofSeconds(3)));
        assertThat(store.ownerRow(0)).map(OwnerRow::epoch).contains(1L);
        Task first = task("a", 1, "first");
        Task later = task("b", 10, "later");
        ingest(List.of(first, later), List.of());
        awaitDurable();
        advance(Duration.ofSeconds(1));
        assertThat(executor.awaitEntered().key()).isEqualTo(first.key());
        awaitStatus(first, TaskStatus.SUCCEEDED);

        PartitionHandle otherHandle = new PartitionHandle(0, 0, "other-instance");
        RecordingListener otherListener = new RecordingListener();
        ProcessedMessages otherProcessed = new ProcessedMessages();
        EngineSettings settings = settings(s -> s.ownerLease(Duration.ofSeconds(3)));
        other = testKit.spawn(otherProcessed.recording(PartitionScheduler.create(TestPartitions.context(
                settings,
                store,
                ExecutionGateway.pooled(pool, executor, null, settings.executionTimeout()),
                clock,
                otherHandle,
                otherListener))));
        otherProcessed.awaitProcessed("Claimed");
        assertThat(store.ownerRow(0)).contains(new OwnerRow(2, "other-instance", null, false));
        assertThat(otherHandle.ownerEpoch()).isEqualTo(2);

        advance(Duration.ofSeconds(1)); // the first owner's next renewal reads epoch 2
        await().atMost(AWAIT).until(handle::fenced);
        assertThat(handle.ownerEpoch()).isEqualTo(1);
        assertThat(otherHandle.fenced()).isFalse();

        advance(Duration.ofSeconds(2)); // the takeover wait is over: the second instance starts
        otherProcessed.awaitProcessed("Started");
        assertThat(otherHandle.takeRewindRequest()).isTrue(); // the poll thread's part for the new owner
        otherHandle.catchUpTo(0);
        assertThat(otherHandle.noteCaughtUp(0)).isTrue();
        other.tell(new PartitionScheduler.CaughtUp());
        advance(Duration.ofSeconds(6)); // later is due
        assertThat(executor.awaitEntered().key()).isEqualTo(later.key());
        awaitStatus(later, TaskStatus.SUCCEEDED);
        barrier();
        assertThat(listener.startedKeys()).as("the fenced owner").containsExactly(first.key());
        assertThat(otherListener.startedKeys()).as("the new owner").containsExactly(later.key());
        assertThat(executor.attemptedKeys()).containsExactly(first.key(), later.key());
    }

    /** Two claims that read the same owner row: one applies, the other fails, as a compare-and-set does. */
    @Test
    void of_two_claims_that_read_the_same_row_only_one_applies() {
        store.hold(Op.CLAIM);
        var a = store.claim(0, "a", TaskStore.NO_OWNER_ROW).toCompletableFuture();
        var b = store.claim(0, "b", TaskStore.NO_OWNER_ROW).toCompletableFuture();
        store.release(Op.CLAIM);

        assertThat(a).isCompletedWithValueMatching(c -> c.mine().epoch() == 1 && c.previous() == OwnerRow.NONE);
        assertThat(b).isCompletedExceptionally();
        assertThat(store.ownerRow(0)).contains(new OwnerRow(1, "a", null, false));

        store.release(0, 0).toCompletableFuture().join(); // an older epoch: not applied
        assertThat(store.ownerRow(0).orElseThrow().released()).isFalse();
        store.release(0, 1).toCompletableFuture().join();
        assertThat(store.ownerRow(0).orElseThrow().released()).isTrue();
        assertThat(store.claim(0, "b", 1).toCompletableFuture().join())
                .isEqualTo(new dev.scheduler.engine.internal.store.Claim(
                        new OwnerRow(2, "b", null, false), new OwnerRow(1, "a", null, true)));
    }

    /**
     * Issue 11, finding 10: a child that failed left a partition that looked healthy and did nothing more. Now
     * the partition watches its children: it is marked unhealthy, fails, and is restarted by its supervisor (as
     * {@link EngineGuardian} spawns it), which reads the partition again from the store and asks for a rewind.
     */
    @Test
    void a_failed_persister_marks_the_partition_unhealthy_and_the_partition_restarts_and_runs_its_tasks() {
        Task t = task("a", 5, "t");
        failThePersisterOfASupervisedPartition(t);
        assertThat(handle.durableOffset()).isZero();

        advance(Duration.ofSeconds(1)); // the supervisor's backoff
        processed.awaitProcessed("Claimed");
        // The new incarnation finds the failed one's unreleased owner row and waits out its lease (finding 8).
        advance(Duration.ofSeconds(3));
        processed.awaitProcessed("Started");
        assertThat(handle.healthy()).isTrue();
        assertThat(handle.takeRewindRequest())
                .as("the restart asks to read Kafka again")
                .isTrue();
        generation = handle.generation();
        offset = handle.durableOffset();
        ingest(List.of(t), List.of()); // what the poll thread reads again after the rewind
        awaitDurable();
        catchUp(handle.durableOffset());
        advance(Duration.ofSeconds(4));
        assertThat(executor.awaitEntered().key()).isEqualTo(t.key());
    }

    /** A deliberate stop of the children (fencing) is not a failure: the partition is not restarted. */
    @Test
    void a_fenced_partition_stops_its_children_and_claims_again_only_if_still_assigned_two_leases_later() {
        handle = new PartitionHandle(0, 0, "local", STILL); // the first renewal a third of the lease after the claim
        spawnSupervised(s -> s.ownerLease(Duration.ofSeconds(3)));
        processed.awaitProcessed("Started");
        assertThat(handle.takeRewindRequest()).isTrue();
        generation = handle.generation();
        store.currentOwner(0, new OwnerRow(99, "another-instance", null, false));

        advance(Duration.ofSeconds(1)); // a lease renewal reads the other instance's claim
        processed.awaitProcessed("OwnerRead");
        assertThat(handle.fenced()).isTrue();
        advance(Duration.ofMillis(5_900)); // not yet two leases
        barrier();
        assertThat(store.calls(Op.CLAIM)).as("claimed once so far").hasSize(1);
        assertThat(handle.takeRewindRequest()).isFalse();

        // Two leases later Kafka still gives it the partition (no Stop came): the claim that fenced it may be a
        // stray one. The supervisor restarts it; it claims again, waits out the other claim's lease, and starts.
        advance(Duration.ofSeconds(1));
        // The failure schedules the supervisor's restart backoff on the actor's thread: move time on until it ran.
        await().atMost(AWAIT).untilAsserted(() -> {
            advance(Duration.ofMillis(100));
            assertThat(store.calls(Op.CLAIM)).hasSize(2);
        });
        processed.awaitProcessed("Claimed"); // its takeover wait has started
        advance(Duration.ofSeconds(3));
        await().atMost(AWAIT)
                .untilAsserted(() -> assertThat(store.calls(Op.READ_CHECKPOINT)).hasSize(2));
        assertThat(handle.fenced()).isFalse();
    }

    /**
     * An attempt still running when the shutdown timeout ends a handoff is abandoned: the partition is then not
     * released, so that the next owner waits out the lease instead of starting the task beside it.
     */
    @Test
    void a_handoff_that_abandons_a_running_attempt_does_not_release_the_partition() {
        startScheduler(s -> s.shutdownTimeout(Duration.ofSeconds(5)));
        Task hanging = task("a", 1, "hangs");
        executor.hold(hanging.key());
        ingest(List.of(hanging), List.of());
        awaitDurable();
        advance(Duration.ofSeconds(1));
        executor.awaitEntered();
        TestProbe<PartitionScheduler.Stopped> stopped = testKit.createTestProbe();

        scheduler.tell(new PartitionScheduler.Stop(stopped.ref()));
        processed.awaitProcessed("Stop");
        advance(Duration.ofSeconds(5));

        assertThat(stopped.receiveMessage().abandonedAttempts()).isEqualTo(1);
        assertThat(store.ownerRow(0))
                .hasValueSatisfying(row -> assertThat(row.released()).isFalse());
    }

    // ---- helpers ----

    /**
     * Starts a supervised partition and makes its persister fail on {@code t} (it lowers the checkpoint to t's time
     * first, and that call throws): the partition is unhealthy and about to be restarted.
     */
    private void failThePersisterOfASupervisedPartition(Task t) {
        spawnSupervised(s -> s);
        processed.awaitProcessed("Started");
        assertThat(handle.takeRewindRequest()).isTrue();
        generation = handle.generation();
        catchUp(handle.durableOffset());
        store.throwNext(Op.WRITE_CHECKPOINT);
        ingest(List.of(t), List.of());
        await().atMost(AWAIT).until(() -> !handle.healthy());
    }

    /** Spawns the scheduler as the engine does: under {@link EngineGuardian}'s supervision. */
    private void spawnSupervised(UnaryOperator<EngineSettings.Builder> tuning) {
        EngineSettings settings = settings(tuning);
        ExecutionGateway gateway = ExecutionGateway.pooled(pool, executor, null, settings.executionTimeout());
        guardian = testKit.spawn(EngineGuardian.create(h -> processed.recording(
                PartitionScheduler.create(TestPartitions.context(settings, store, gateway, clock, h, listener)))));
        TestProbe<ActorRef<PartitionScheduler.Command>> spawned = testKit.createTestProbe();
        guardian.tell(new EngineGuardian.SpawnPartition(0, handle, spawned.ref()));
        scheduler = spawned.receiveMessage();
    }

    private void startScheduler(UnaryOperator<EngineSettings.Builder> tuning) {
        spawnScheduler(tuning);
        processed.awaitProcessed("Started");
        // what the poll thread does when a partition's actors (re)start: rewind, ingest with the new generation,
        // and (here with nothing on the topic to catch up to) tell the partition it caught up
        assertThat(handle.takeRewindRequest()).isTrue();
        generation = handle.generation();
        catchUp(handle.durableOffset());
    }

    private void spawnScheduler(UnaryOperator<EngineSettings.Builder> tuning) {
        EngineSettings settings = settings(tuning);
        ExecutionGateway gateway = ExecutionGateway.pooled(pool, executor, null, settings.executionTimeout());
        scheduler = testKit.spawn(processed.recording(PartitionScheduler.create(
                TestPartitions.context(settings, actorsStore, gateway, clock, handle, listener))));
    }

    private static EngineSettings settings(UnaryOperator<EngineSettings.Builder> tuning) {
        return tuning.apply(EngineSettings.builder()
                        .lookAhead(Duration.ofSeconds(60))
                        .loadInterval(Duration.ofSeconds(1))
                        .loadBatchSize(100)
                        .maxRunningPerPartition(4)
                        .executionTimeout(Duration.ofSeconds(30))
                        .retryPolicy(new RetryPolicy(3, Duration.ofSeconds(10), Duration.ofMinutes(1), 2.0, 0.0))
                        .shutdownTimeout(Duration.ofSeconds(5))
                        .storeRetryBackoff(Duration.ofMillis(100), Duration.ofSeconds(1)))
                .build();
    }

    /** The poll thread's part: the offset to catch up to, then the partition told once it is durable. */
    private void catchUp(long endOffset) {
        handle.catchUpTo(endOffset);
        awaitCaughtUp(endOffset);
    }

    private void awaitCaughtUp(long position) {
        await().atMost(AWAIT).until(() -> handle.caughtUp() || handle.noteCaughtUp(position));
        scheduler.tell(new PartitionScheduler.CaughtUp());
    }

    private void ingest(List<Task> tasks, List<TaskKey> cancels) {
        int records = tasks.size() + cancels.size();
        offset += records;
        handle.recordsHandedOver(records);
        handle.handedOver(offset - records, offset);
        List<Long> taskOffsets = java.util.stream.LongStream.range(offset - records, offset - records + tasks.size())
                .boxed()
                .toList();
        scheduler.tell(new PartitionScheduler.Ingest(
                generation, tasks, taskOffsets, cancels, List.of(), List.of(), records, offset));
    }

    /** Waits until everything ingested is durable and the scheduler has taken it into its schedule. */
    private void awaitDurable() {
        await().atMost(AWAIT).until(() -> handle.durableOffset() == offset);
        barrier();
    }

    /** Sends an ingest of an older generation, which changes nothing, and waits until the scheduler handled it. */
    private List<String> barrier() {
        scheduler.tell(new PartitionScheduler.Ingest(
                generation - 1, List.of(), List.of(), List.of(), List.of(), List.of(), 0, 0));
        return processed.awaitProcessed("Ingest");
    }

    /** Moves the actors' clock and Pekko's timers forward together. */
    private void advance(Duration amount) {
        clock.advance(amount);
        manualTime.timePasses(amount);
    }

    private void awaitStatus(Task task, TaskStatus status) {
        await().atMost(AWAIT)
                .untilAsserted(() -> assertThat(store.row(0, task.key()))
                        .map(StoredTask::status)
                        .contains(status));
    }

    /** The most tasks the partition reported in memory, sampled whenever the actors call the store or run a task. */
    private AtomicInteger sampleTasksInMemory() {
        AtomicInteger most = new AtomicInteger();
        Runnable sample = () -> most.accumulateAndGet(handle.tasksInMemory(), Math::max);
        store.beforeEachCall(sample);
        listener.onEvent(sample);
        return most;
    }

    private static Task task(String orderingId, long secondsFromStart, String uniquenessKey) {
        return Task.of(
                TaskKey.of(orderingId, START.plusSeconds(secondsFromStart), uniquenessKey),
                Map.of("id", uniquenessKey));
    }
}
