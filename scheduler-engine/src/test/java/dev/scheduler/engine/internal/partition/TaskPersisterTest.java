package dev.scheduler.engine.internal.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.TaskStatus;
import dev.scheduler.engine.internal.partition.FakeTaskStore.Call;
import dev.scheduler.engine.internal.partition.FakeTaskStore.Op;
import dev.scheduler.engine.internal.partition.FaultyTaskStore.Fault;
import dev.scheduler.engine.internal.store.TaskStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TaskPersisterTest {

    private static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config());
    private static final ManualTime manualTime = ManualTime.get(testKit.system());

    private static final Instant CHECKPOINT = Instant.parse("2030-01-01T00:00:00Z");
    private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(1);

    private final FakeTaskStore store = new FakeTaskStore();
    private final ProcessedMessages processed = new ProcessedMessages();
    private final TestProbe<TaskPersister.Persisted> parent = testKit.createTestProbe();
    private ActorRef<TaskPersister.Command> persister;

    @AfterEach
    void stopPersister() {
        if (persister != null) {
            testKit.stop(persister);
        }
    }

    @AfterAll
    static void shutDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void persisted_tasks_are_written_and_replied_to_the_parent_with_their_batch() {
        startPersister(CHECKPOINT);
        Task t1 = task("a", 10);
        Task t2 = task("b", 20);
        TaskPersister.Persist p = persist(0, List.of(t1, t2), List.of());

        persister.tell(p);

        assertThat(parent.receiveMessage())
                .isEqualTo(new TaskPersister.Persisted(0, List.of(t1, t2), Set.of(), List.of(), List.of(p)));
        assertThat(store.row(0, t1.key())).isPresent();
        assertThat(store.row(0, t2.key())).isPresent();
        assertThat(store.calls())
                .extracting(Call::op)
                .as("no task before the checkpoint: it stays")
                .containsExactly(Op.PERSIST);
    }

    /**
     * Found by the partition simulation's long search (seed 79305): an owner paused past its lease resumed and its
     * persister, before it learned it was fenced, lowered the checkpoint to its own queued task's time, which was
     * above the new owner's lowered checkpoint: the checkpoint moved past a task the new owner had stored.
     */
    @Test
    void without_a_valid_lease_nothing_is_written_not_even_a_checkpoint_lowered() {
        PartitionHandle lapsed = new PartitionHandle(0, 0, "test-instance");
        lapsed.claimed(1);
        lapsed.leaseConfirmed(
                System.nanoTime() - Duration.ofDays(2).toNanos(),
                Duration.ofDays(1).toNanos());
        startPersister(CHECKPOINT, store, lapsed);
        Task older = task("a", -10); // before the checkpoint: the persister lowers it first

        persister.tell(persist(0, List.of(older), List.of()));
        parent.expectNoMessage(Duration.ofMillis(300));
        assertThat(store.calls()).as("no write without a lease").isEmpty();

        lapsed.leaseConfirmed(System.nanoTime(), Duration.ofDays(1).toNanos());
        advance(Duration.ofMillis(200)); // the persister checks the lease again
        parent.receiveMessage();
        assertThat(store.calls()).extracting(Call::op).containsExactly(Op.WRITE_CHECKPOINT, Op.PERSIST);
    }

    /**
     * Found by the partition simulation's long search (seed 60783): a checkpoint moved forward by a write that
     * applied and then reported an error was taken as not moved; a task between the old and the new checkpoint was
     * then stored without lowering it first, behind the checkpoint, where no load would reach it after a restart.
     */
    @Test
    void after_a_checkpoint_write_that_may_have_applied_an_older_task_lowers_it_first() {
        FaultyTaskStore faulty = FaultyTaskStore.scripted(store).script(Op.WRITE_CHECKPOINT, Fault.APPLY_THEN_FAIL);
        startPersister(CHECKPOINT, faulty);
        persister.tell(new TaskPersister.AdvanceCheckpoint(CHECKPOINT.plusSeconds(60), -1));
        processed.awaitProcessed("WriteFailed");
        assertThat(store.checkpoint(0)).as("the write applied").contains(CHECKPOINT.plusSeconds(60));
        Task between = task("a", 30);

        persister.tell(persist(0, List.of(between), List.of())); // before the failed write is tried again
        processed.awaitProcessed("Persist");
        advance(MIN_BACKOFF);
        parent.receiveMessage();

        assertThat(store.calls().subList(1, 3))
                .as("after the write that may have applied: the checkpoint lowered to the task, then the task")
                .extracting(Call::op, Call::argument)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                Op.WRITE_CHECKPOINT, between.key().scheduledTime()),
                        org.assertj.core.groups.Tuple.tuple(Op.PERSIST, List.of(between)));
    }

    @Test
    void a_failed_write_is_retried_after_a_growing_backoff_and_no_batch_is_lost() {
        startPersister(CHECKPOINT);
        Task t1 = task("a", 10);
        Task t2 = task("b", 20);
        Task t3 = task("c", 30);
        TaskPersister.Persist first = persist(0, List.of(t1, t2), List.of());
        TaskPersister.Persist second = persist(1, List.of(t3), List.of());
        store.failNext(Op.PERSIST, 2);

        persister.tell(first);
        processed.awaitProcessed("WriteFailed");
        persister.tell(second);
        advance(Duration.ofMillis(99));
        assertThat(barrier()).doesNotContain("RetryNow");
        parent.expectNoMessage(Duration.ZERO);

        advance(Duration.ofMillis(1));
        processed.awaitProcessed("WriteFailed");
        advance(Duration.ofMillis(199));
        assertThat(barrier()).doesNotContain("RetryNow");
        advance(Duration.ofMillis(1));

        TaskPersister.Persisted persisted = parent.receiveMessage();
        assertThat(persisted.lastSeq()).isEqualTo(1);
        assertThat(persisted.batches()).containsExactly(first, second);
        assertThat(persisted.tasks()).containsExactly(t1, t2, t3);
        assertThat(List.of(t1, t2, t3))
                .allSatisfy(t -> assertThat(store.row(0, t.key())).isPresent());
        assertThat(store.calls(Op.PERSIST)).extracting(Call::failed).containsExactly(true, true, false);
    }

    /**
     * Issue 11, finding 10: a write Cassandra refuses every time (a row too large) was retried forever, and the
     * partition's offset never moved again.
     */
    @Test
    void a_task_the_store_refuses_every_time_is_set_aside_and_the_rest_of_its_batch_is_durable() {
        Task good = task("a", 10);
        Task refused = task("b", 20);
        Task later = task("c", 30);
        startPersister(CHECKPOINT, FaultyTaskStore.scripted(store).refuseAlways(refused.key()));
        TaskPersister.Persist p = persist(0, List.of(good, refused, later), List.of());

        persister.tell(p);

        TaskPersister.Persisted persisted = parent.receiveMessage();
        assertThat(persisted.tasks()).containsExactly(good, later);
        assertThat(persisted.batches()).containsExactly(p);
        assertThat(store.row(0, refused.key())).isEmpty();
        assertThat(store.row(0, later.key())).isPresent();
        assertThat(store.deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.offset())
                    .as("the refused task's offset")
                    .isEqualTo(p.taskOffsets().get(1));
            assertThat(d.reason()).contains("refused");
            assertThat(dev.scheduler.client.wire.TaskRecordCodec.decode(d.value()))
                    .isEqualTo(new dev.scheduler.client.wire.ScheduleTask(refused));
        });
    }

    @Test
    void the_partition_is_unhealthy_while_its_writes_fail() {
        PartitionHandle handle = TestPartitions.leasedHandle(0);
        startPersister(CHECKPOINT, store, handle);
        store.failNext(Op.PERSIST, 1);

        persister.tell(persist(0, List.of(task("a", 10)), List.of()));
        processed.awaitProcessed("WriteFailed");
        assertThat(handle.healthy()).isFalse();

        advance(MIN_BACKOFF);
        parent.receiveMessage();
        assertThat(handle.healthy()).isTrue();
    }

    @Test
    void a_batch_older_than_the_checkpoint_lowers_the_checkpoint_before_its_tasks_are_written() {
        startPersister(CHECKPOINT);
        Task old = task("a", -3_600);
        Task later = task("b", 60);

        persister.tell(persist(0, List.of(later, old), List.of()));
        parent.receiveMessage();

        assertThat(store.calls())
                .extracting(Call::op, Call::argument)
                .containsExactly(
                        tuple(Op.WRITE_CHECKPOINT, old.key().scheduledTime()), tuple(Op.PERSIST, List.of(later, old)));
        assertThat(store.checkpoint(0)).contains(old.key().scheduledTime());
    }

    @Test
    void no_task_is_written_before_the_checkpoint_lowered_for_it_is_durable() {
        startPersister(CHECKPOINT);
        Task old = task("a", -60);
        store.failNext(Op.WRITE_CHECKPOINT, 1);

        persister.tell(persist(0, List.of(old), List.of()));
        processed.awaitProcessed("WriteFailed");
        assertThat(store.calls(Op.PERSIST)).isEmpty();

        advance(MIN_BACKOFF);
        parent.receiveMessage();
        assertThat(store.calls())
                .extracting(Call::op, Call::failed)
                .containsExactly(
                        tuple(Op.WRITE_CHECKPOINT, true), tuple(Op.WRITE_CHECKPOINT, false), tuple(Op.PERSIST, false));
    }

    @Test
    void the_checkpoint_never_advances_past_a_batch_the_parent_has_not_yet_seen() {
        startPersister(CHECKPOINT);
        Task inFirst = task("a", 10);
        Task inSecond = task("b", 30);

        persister.tell(persist(0, List.of(inFirst), List.of()));
        parent.receiveMessage();
        persister.tell(new TaskPersister.AdvanceCheckpoint(CHECKPOINT.plusSeconds(60), -1));
        processed.awaitProcessed("WriteDone");

        persister.tell(persist(1, List.of(inSecond), List.of()));
        persister.tell(new TaskPersister.AdvanceCheckpoint(CHECKPOINT.plusSeconds(120), 0));
        parent.receiveMessage();
        processed.awaitProcessed("WriteDone");

        persister.tell(new TaskPersister.AdvanceCheckpoint(CHECKPOINT.plusSeconds(120), 1));
        processed.awaitProcessed("WriteDone");

        assertThat(store.calls(Op.WRITE_CHECKPOINT))
                .extracting(Call::argument)
                .containsExactly(
                        inFirst.key().scheduledTime(), inSecond.key().scheduledTime(), CHECKPOINT.plusSeconds(120));
    }

    @Test
    void the_checkpoint_advances_no_further_than_the_parent_last_asked() {
        startPersister(CHECKPOINT);
        persister.tell(new TaskPersister.AdvanceCheckpoint(CHECKPOINT.plusSeconds(60), -1)); // nothing held yet
        processed.awaitProcessed("WriteDone");
        Task soon = task("a", 10);
        persister.tell(persist(0, List.of(soon), List.of())); // lowers the checkpoint to +10 s
        parent.receiveMessage();

        // the parent now holds the task due at +10 s, so that is as far as the checkpoint may go
        persister.tell(new TaskPersister.AdvanceCheckpoint(CHECKPOINT.plusSeconds(10), 0));
        processed.awaitProcessed("AdvanceCheckpoint");

        assertThat(store.calls(Op.WRITE_CHECKPOINT))
                .extracting(Call::argument)
                .containsExactly(CHECKPOINT.plusSeconds(60), soon.key().scheduledTime());
        assertThat(store.checkpoint(0)).contains(soon.key().scheduledTime());
    }

    @Test
    void a_cancel_is_written_after_the_tasks_of_its_batch_and_reported_when_it_took_effect() {
        startPersister(CHECKPOINT);
        Task t = task("a", 10);
        TaskKey unknown = task("z", 20).key();

        persister.tell(persist(0, List.of(t), List.of(t.key(), unknown)));

        TaskPersister.Persisted persisted = parent.receiveMessage();
        assertThat(persisted.cancelled()).containsExactlyInAnyOrder(t.key(), unknown);
        assertThat(store.calls()).extracting(Call::op).containsExactly(Op.PERSIST, Op.CANCEL);
        assertThat(store.row(0, t.key()).orElseThrow().status()).isEqualTo(TaskStatus.CANCELLED);
    }

    /**
     * A write that applied and then failed (or timed out) is written again; the retry answers as the first try
     * would have (a cancel already applied is reported cancelled), and the parent gets the batch once.
     */
    @Test
    void writes_that_applied_and_then_failed_are_retried_and_the_batch_is_reported_once_with_its_cancel() {
        FaultyTaskStore faulty = FaultyTaskStore.scripted(store)
                .script(Op.PERSIST, Fault.APPLY_THEN_FAIL)
                .script(Op.CANCEL, Fault.TIMEOUT_AFTER_APPLY);
        startPersister(CHECKPOINT, faulty);
        Task kept = task("a", 10);
        Task cancelled = task("b", 20);
        TaskPersister.Persist p = persist(0, List.of(kept, cancelled), List.of(cancelled.key()));

        persister.tell(p);
        processed.awaitProcessed("WriteFailed"); // the persist applied, then failed
        assertThat(store.row(0, kept.key())).isPresent();
        parent.expectNoMessage(Duration.ZERO);
        advance(MIN_BACKOFF);
        processed.awaitProcessed("WriteFailed"); // the cancel applied, then timed out
        assertThat(store.row(0, cancelled.key()).orElseThrow().status()).isEqualTo(TaskStatus.CANCELLED);
        parent.expectNoMessage(Duration.ZERO);
        advance(MAX_BACKOFF);

        TaskPersister.Persisted persisted = parent.receiveMessage();
        assertThat(persisted.tasks()).containsExactly(kept, cancelled);
        assertThat(persisted.cancelled()).as("the retry answers it cancelled").containsExactly(cancelled.key());
        assertThat(persisted.batches()).containsExactly(p);
        advance(MAX_BACKOFF);
        barrier();
        parent.expectNoMessage(Duration.ofMillis(50));
        assertThat(store.row(0, kept.key()).orElseThrow().status()).isEqualTo(TaskStatus.PENDING);
        assertThat(faulty.injected())
                .extracting(FaultyTaskStore.Injected::fault)
                .containsExactly(Fault.APPLY_THEN_FAIL, Fault.TIMEOUT_AFTER_APPLY);
    }

    /**
     * Writes failing at random (before applying, after applying, timing out after applying) on persists, cancels
     * and checkpoints, chosen by a seed: every batch is reported once, in order, each task once, each cancel as
     * cancelled, and the checkpoint never passes a stored task.
     */
    @Test
    void with_seeded_write_faults_every_batch_is_reported_once_in_order() {
        FaultyTaskStore faulty = FaultyTaskStore.seeded(store, 5, 0.4)
                .randomOps(Op.PERSIST, Op.CANCEL, Op.WRITE_CHECKPOINT)
                .randomFaults(Fault.FAIL_BEFORE, Fault.APPLY_THEN_FAIL, Fault.TIMEOUT_AFTER_APPLY);
        startPersister(CHECKPOINT, faulty);
        List<Task> tasks = new java.util.ArrayList<>();
        Set<TaskKey> cancels = new java.util.HashSet<>();
        List<TaskPersister.Persisted> replies = new java.util.ArrayList<>();
        for (int seq = 0; seq < 20; seq++) {
            Task a = task("a" + seq, seq - 5); // some before the checkpoint: it is lowered first
            Task b = task("b" + seq, seq + 30);
            tasks.add(a);
            tasks.add(b);
            List<TaskKey> cancel = seq % 3 == 0 ? List.of(b.key()) : List.of();
            cancels.addAll(cancel);
            persister.tell(persist(seq, List.of(a, b), cancel));
            // one batch at a time, so that the calls, and so the faults, are the same on every run
            for (int round = 0; round < 50; round++) {
                barrier();
                try {
                    replies.add(parent.receiveMessage(Duration.ofMillis(20)));
                    break;
                } catch (AssertionError notYet) {
                    advance(MAX_BACKOFF);
                }
            }
        }
        parent.expectNoMessage(Duration.ofMillis(50));

        assertThat(faulty.injected()).as("faults were injected").hasSizeGreaterThan(5);
        assertThat(replies.stream().flatMap(r -> r.batches().stream()).map(TaskPersister.Persist::seq))
                .containsExactlyElementsOf(
                        java.util.stream.LongStream.range(0, 20).boxed().toList());
        assertThat(replies.stream().flatMap(r -> r.tasks().stream())).containsExactlyElementsOf(tasks);
        assertThat(replies.stream().flatMap(r -> r.cancelled().stream())).containsExactlyInAnyOrderElementsOf(cancels);
        assertThat(tasks).allSatisfy(t -> assertThat(store.row(0, t.key())).isPresent());
        assertThat(store.checkpointViolations()).isEmpty();
    }

    // ---- helpers ----

    private void startPersister(Instant checkpoint) {
        startPersister(checkpoint, store);
    }

    private void startPersister(Instant checkpoint, TaskStore over) {
        startPersister(checkpoint, over, TestPartitions.leasedHandle(0));
    }

    private void startPersister(Instant checkpoint, TaskStore over, PartitionHandle handle) {
        persister = testKit.spawn(processed.recording(TaskPersister.create(
                TestPartitions.withoutExecutor(
                        EngineSettings.builder()
                                .loadBatchSize(1_000)
                                .storeRetryBackoff(MIN_BACKOFF, MAX_BACKOFF)
                                .build(),
                        over,
                        handle),
                parent.ref(),
                checkpoint)));
    }

    private static void advance(Duration amount) {
        manualTime.timePasses(amount);
    }

    /**
     * Sends a message that changes nothing (a checkpoint below the durable one, nothing newly seen) and waits
     * until the persister handled it, and so everything sent to it before.
     */
    private List<String> barrier() {
        persister.tell(new TaskPersister.AdvanceCheckpoint(Instant.EPOCH, -1));
        return processed.awaitProcessed("AdvanceCheckpoint");
    }

    private static Task task(String orderingId, long secondsFromCheckpoint) {
        return Task.of(TaskKey.of(orderingId, CHECKPOINT.plusSeconds(secondsFromCheckpoint), "u"), Map.of());
    }

    private static TaskPersister.Persist persist(long seq, List<Task> tasks, List<TaskKey> cancels) {
        List<Long> offsets = java.util.stream.LongStream.range(0, tasks.size())
                .map(i -> seq * 1_000 + i)
                .boxed()
                .toList();
        return new TaskPersister.Persist(
                seq, 0, tasks, offsets, cancels, List.of(), List.of(), tasks.size() + cancels.size(), seq + 1);
    }
}
