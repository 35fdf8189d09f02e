package dev.scheduler.engine.internal.partition;

import static dev.scheduler.engine.internal.partition.InMemorySchedule.Acceptance.READ_STATUS;
import static dev.scheduler.engine.internal.partition.InMemorySchedule.Acceptance.SETTLED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskStatus;
import dev.scheduler.engine.internal.store.LoadBound;
import dev.scheduler.engine.internal.store.LoadResult;
import dev.scheduler.engine.internal.store.StoredTask;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InMemoryScheduleTest {

    private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void evicting_the_latest_task_moves_the_load_bound_back_to_it() {
        InMemorySchedule schedule = schedule(2);
        load(schedule, at(60));
        Task early = task("a", 1);
        Task middle = task("b", 2);
        Task late = task("c", 3);
        List.of(late, early, middle).forEach(schedule::accept);

        schedule.enforceMemoryBound();

        assertThat(schedule.inMemory()).isEqualTo(2);
        assertThat(schedule.loaded()).isEqualTo(LoadBound.before(late.key()));
        assertThat(schedule.moreToLoad()).isTrue();
        assertThat(keys(schedule.takeDue(millis(60)))).containsExactly(early.key(), middle.key());
    }

    @Test
    void a_key_older_than_done_since_asks_for_a_status_read_once_and_waits_for_its_answer() {
        InMemorySchedule schedule = schedule(10); // finished keys are remembered from START on
        Task old = task("a", -30);

        assertThat(schedule.accept(old)).isEqualTo(READ_STATUS);
        assertThat(schedule.accept(old))
                .as("the read in flight answers for both")
                .isEqualTo(SETTLED);
        assertThat(schedule.inMemory()).isEqualTo(1);
        assertThat(schedule.firstWaiting()).isEmpty();

        assertThat(schedule.statusRead(old, Optional.empty())).isTrue();
        assertThat(schedule.firstWaiting()).contains(old.key());
        assertThat(schedule.inMemory()).isEqualTo(1);
    }

    /**
     * Found by the partition simulation (seed 7): after a takeover an earlier-keyed task of an ordering id, older
     * than the finished keys remembered, waited for its status read while a later-keyed one of the same ordering
     * id was dispatched and ran first.
     */
    @Test
    void a_task_waiting_for_its_status_read_holds_back_the_later_keys_of_its_ordering_id_only() {
        InMemorySchedule schedule = schedule(10);
        load(schedule, at(60));
        Task earlier = task("a", -30); // older than what is remembered of finished keys: its status is read
        Task later = task("a", 5);
        Task other = task("b", 5);

        assertThat(schedule.accept(later)).isEqualTo(SETTLED);
        assertThat(schedule.accept(other)).isEqualTo(SETTLED);
        assertThat(schedule.accept(earlier)).isEqualTo(READ_STATUS);

        assertThat(keys(schedule.takeDue(millis(10)))).containsExactly(other.key());
        assertThat(schedule.firstWaiting())
                .as("nothing to fire for until the read answers")
                .isEmpty();

        assertThat(schedule.statusRead(earlier, Optional.empty())).isTrue();
        assertThat(keys(schedule.takeDue(millis(10)))).containsExactly(earlier.key(), later.key());
    }

    /**
     * Found by the partition simulation (seed 237): a task ran while memory pressure had moved the load bound back
     * before it; it finished while a load that had read its row still pending was in flight, and that load's
     * answer put it back in memory: it ran a second time.
     */
    @Test
    void a_load_that_read_a_row_before_its_task_finished_does_not_bring_it_back() {
        InMemorySchedule schedule = schedule(4);
        load(schedule, at(60));
        Task running = task("a", 5);
        schedule.accept(running);
        assertThat(keys(schedule.takeDue(millis(5)))).containsExactly(running.key());
        for (int s : new int[] {10, 20, 30, 1, 2, 3, 4}) { // later ones, then earlier ones that arrive late
            schedule.accept(task("b" + s, s));
            schedule.enforceMemoryBound();
        }
        assertThat(schedule.loaded().covers(running.key()))
                .as("the bound moved back before the running task")
                .isFalse();
        List<StoredTask> early = schedule.takeDue(millis(3));
        early.stream().limit(2).forEach(t -> schedule.finished(t.task().key()));
        InMemorySchedule.Load inFlight = schedule.startLoad(millis(5)).orElseThrow();

        schedule.finished(running.key()); // its outcome is durable now; the load read the row before that

        schedule.loadSucceeded(
                new LoadResult(
                        List.of(stored(task("b4", 4), TaskStatus.PENDING), stored(running, TaskStatus.PENDING)),
                        LoadBound.through(running.key())),
                inFlight.limit());
        assertThat(keys(schedule.takeDue(millis(60)))).doesNotContain(running.key());
    }

    /**
     * Found by the partition simulation (seed 516): an operator retry of a task whose failure the runner had just
     * recorded came in before the runner reported the task finished; the retry was dropped because the task was
     * still dispatched, then the task was remembered as done: the reset row stayed pending and the checkpoint
     * passed it.
     */
    @Test
    void a_retry_that_arrives_before_its_failed_attempt_is_reported_runs_once_the_attempt_is() {
        InMemorySchedule schedule = schedule(10);
        load(schedule, at(60));
        Task failed = task("a", 5);
        schedule.accept(failed);
        assertThat(keys(schedule.takeDue(millis(5)))).containsExactly(failed.key());

        schedule.retry(new StoredTask(failed, TaskStatus.PENDING, 1, null, "boom"));
        schedule.finished(failed.key());

        List<StoredTask> again = schedule.takeDue(millis(6));
        assertThat(keys(again)).containsExactly(failed.key());
        assertThat(again.get(0).attempts()).isEqualTo(1);
        assertThat(schedule.checkpointBound()).isBeforeOrEqualTo(failed.key().scheduledTime());
    }

    /**
     * Found by the partition simulation's long search (seed 1442690, run after seed 1442689): a cancel stored while
     * the task's attempt ran; the attempt then failed for good (its outcome wins over the cancel: the row is FAILED),
     * and an operator's retry reset the row to pending before the runner reported the attempt. The cancel had
     * forgotten that the task was with the runner, so the retry was handed to the runner at once, which dropped it
     * as the task it was still running; the reset task never ran and the checkpoint passed it.
     */
    @Test
    void a_retry_after_a_cancel_of_the_running_attempt_runs_once_the_attempt_is_reported() {
        InMemorySchedule schedule = schedule(10);
        load(schedule, at(60));
        Task task = task("a", 5);
        schedule.accept(task);
        assertThat(keys(schedule.takeDue(millis(5)))).containsExactly(task.key());

        assertThat(schedule.cancel(task.key()))
                .as("held: the runner must be told")
                .isTrue();
        schedule.retry(new StoredTask(task, TaskStatus.PENDING, 1, null, "permanent"));
        assertThat(schedule.takeDue(millis(6)))
                .as("not while its attempt is with the runner")
                .isEmpty();
        assertThat(schedule.checkpointBound()).isBeforeOrEqualTo(task.key().scheduledTime());

        schedule.finished(task.key());
        List<StoredTask> again = schedule.takeDue(millis(7));
        assertThat(keys(again)).containsExactly(task.key());
        assertThat(again.get(0).attempts()).isEqualTo(1);
    }

    @Test
    void a_cancel_of_a_dispatched_task_holds_the_checkpoint_until_the_runner_reports_it() {
        InMemorySchedule schedule = schedule(10);
        load(schedule, at(60));
        Task task = task("a", 5);
        schedule.accept(task);
        assertThat(keys(schedule.takeDue(millis(5)))).containsExactly(task.key());

        schedule.cancel(task.key());
        assertThat(schedule.checkpointBound()).isBeforeOrEqualTo(task.key().scheduledTime());
        schedule.finished(task.key());
        assertThat(schedule.checkpointBound()).isAfter(task.key().scheduledTime());
        assertThat(schedule.takeDue(millis(60))).isEmpty();
    }

    /**
     * Found by the partition simulation's long search (seed 52066): a key older than the finished keys remembered
     * finished while a load that had read its row still pending was in flight; it was not remembered (too old),
     * and the load's answer ran it a second time.
     */
    @Test
    void a_key_that_finished_while_a_load_was_in_flight_is_not_brought_back_by_it_however_old() {
        InMemorySchedule schedule = schedule(10);
        Task old = task("a", -30);
        assertThat(schedule.accept(old)).isEqualTo(READ_STATUS);
        schedule.statusRead(old, Optional.empty());
        assertThat(keys(schedule.takeDue(millis(0)))).containsExactly(old.key());
        InMemorySchedule.Load inFlight = schedule.startLoad(millis(0)).orElseThrow();

        schedule.finished(old.key());
        schedule.loadSucceeded(
                new LoadResult(List.of(stored(old, TaskStatus.PENDING)), LoadBound.before(millis(60))),
                inFlight.limit());

        assertThat(keys(schedule.takeDue(millis(60)))).doesNotContain(old.key());
    }

    /**
     * Found in review: a cancel stored while a task's status read was in flight (after a takeover every overdue task
     * is read) was forgotten, as the key was older than the finished keys remembered; the read, sent before the
     * cancel, answered pending, and the cancelled task ran.
     */
    @Test
    void a_cancel_stored_while_the_status_read_is_in_flight_wins_over_its_answer() {
        InMemorySchedule schedule = schedule(10);
        Task old = task("a", -30);
        assertThat(schedule.accept(old)).isEqualTo(READ_STATUS);

        schedule.cancel(old.key());
        assertThat(schedule.statusRead(old, Optional.of(stored(old, TaskStatus.PENDING))))
                .isFalse();

        assertThat(schedule.takeDue(millis(60))).isEmpty();
        assertThat(schedule.inMemory()).isZero();
    }

    /**
     * Found by the simulation's long search (seed 186856): a key whose status read was in flight was loaded, ran and
     * finished before the read, sent earlier, answered pending: it ran a second time.
     */
    @Test
    void a_key_that_finished_while_its_status_read_was_in_flight_is_not_brought_back_by_the_answer() {
        InMemorySchedule schedule = schedule(10);
        Task old = task("a", -30);
        assertThat(schedule.accept(old)).isEqualTo(READ_STATUS);
        InMemorySchedule.Load load = schedule.startLoad(millis(0)).orElseThrow();
        schedule.loadSucceeded(
                new LoadResult(List.of(stored(old, TaskStatus.PENDING)), LoadBound.before(millis(60))), load.limit());
        assertThat(keys(schedule.takeDue(millis(0)))).containsExactly(old.key());

        schedule.finished(old.key());
        assertThat(schedule.statusRead(old, Optional.of(stored(old, TaskStatus.PENDING))))
                .isFalse();

        assertThat(schedule.takeDue(millis(60))).isEmpty();
    }

    @Test
    void a_task_whose_status_read_finds_it_finished_stays_out_of_memory() {
        InMemorySchedule schedule = schedule(10);
        Task old = task("a", -30);
        assertThat(schedule.accept(old)).isEqualTo(InMemorySchedule.Acceptance.READ_STATUS);
        assertThat(schedule.inMemory()).as("counted while its status is read").isEqualTo(1);

        assertThat(schedule.statusRead(old, Optional.of(stored(old, TaskStatus.SUCCEEDED))))
                .isFalse();
        assertThat(schedule.inMemory()).isZero();
        assertThat(schedule.firstWaiting()).isEmpty();
    }

    @Test
    void the_checkpoint_bound_is_the_earliest_of_the_load_bound_and_the_waiting_dispatched_and_read_keys() {
        InMemorySchedule schedule = schedule(10);
        assertThat(schedule.checkpointBound()).isEqualTo(START);
        load(schedule, at(60));
        assertThat(schedule.checkpointBound()).isEqualTo(at(60));

        schedule.accept(task("a", 40));
        assertThat(schedule.checkpointBound()).isEqualTo(at(40));
        Task dispatched = task("b", 30);
        schedule.accept(dispatched);
        schedule.takeDue(millis(30));
        assertThat(schedule.checkpointBound()).isEqualTo(at(30));
        Task read = task("c", -30);
        assertThat(schedule.accept(read)).isEqualTo(READ_STATUS);
        assertThat(schedule.checkpointBound()).isEqualTo(at(-30));

        schedule.statusRead(read, Optional.of(stored(read, TaskStatus.SUCCEEDED)));
        assertThat(schedule.checkpointBound()).isEqualTo(at(30));
        schedule.finished(dispatched.key());
        assertThat(schedule.checkpointBound()).isEqualTo(at(40));
    }

    @Test
    void a_window_loaded_through_half_the_look_ahead_is_not_read_again_until_it_has_shrunk_to_half() {
        InMemorySchedule schedule = schedule(10);
        InMemorySchedule.Load load = schedule.startLoad(START.toEpochMilli()).orElseThrow();
        schedule.loadSucceeded(new LoadResult(List.of(), LoadBound.before(millis(60))), load.limit());

        assertThat(schedule.startLoad(millis(1)))
                .as("a tick later, 59 s of 60 loaded")
                .isEmpty();
        assertThat(schedule.startLoad(millis(30)))
                .as("30 s loaded: half the look-ahead")
                .isEmpty();
        InMemorySchedule.Load next = schedule.startLoad(millis(31)).orElseThrow();
        assertThat(next.from()).isEqualTo(LoadBound.before(millis(60)));
        assertThat(next.upTo()).as("through the whole look-ahead again").isEqualTo(millis(91));
    }

    @Test
    void a_task_that_arrives_during_a_load_is_held_and_kept_once_the_load_is_merged() {
        InMemorySchedule schedule = schedule(10);
        InMemorySchedule.Load load = schedule.startLoad(START.toEpochMilli()).orElseThrow();
        assertThat(load.upTo()).isEqualTo(millis(60));
        Task arrived = task("a", 5); // beyond the load bound: the load in flight may or may not see it

        assertThat(schedule.accept(arrived)).isEqualTo(SETTLED);
        assertThat(schedule.inMemory()).isEqualTo(1);
        assertThat(schedule.firstWaiting()).isEmpty();

        schedule.loadSucceeded(new LoadResult(List.of(), LoadBound.before(millis(60))), load.limit());
        assertThat(schedule.firstWaiting()).contains(arrived.key());
        assertThat(schedule.inMemory()).isEqualTo(1);
    }

    @Test
    void a_load_merge_skips_done_and_dispatched_keys() {
        InMemorySchedule schedule = schedule(10);
        Task running = task("a", 1);
        Task finished = task("b", 2);
        load(schedule, at(30), stored(running, TaskStatus.PENDING), stored(finished, TaskStatus.PENDING));
        assertThat(keys(schedule.takeDue(millis(2)))).containsExactly(running.key(), finished.key());
        schedule.finished(finished.key());
        Task fresh = task("c", 40);

        InMemorySchedule.Load load = schedule.startLoad(millis(10)).orElseThrow();
        schedule.loadSucceeded(
                new LoadResult(
                        List.of(
                                stored(running, TaskStatus.PENDING),
                                stored(finished, TaskStatus.PENDING),
                                stored(fresh, TaskStatus.PENDING)),
                        LoadBound.before(load.upTo())),
                load.limit());

        assertThat(keys(schedule.takeDue(millis(70)))).containsExactly(fresh.key());
    }

    @Test
    void a_task_a_load_reports_finished_is_not_kept_when_kafka_delivers_it_again() {
        InMemorySchedule schedule = schedule(10);
        Task t = task("a", 5);
        load(schedule, at(60), stored(t, TaskStatus.SUCCEEDED));

        assertThat(schedule.accept(t)).as("read, so that its row expires whole").isEqualTo(READ_STATUS);
        assertThat(schedule.statusRead(t, Optional.of(stored(t, TaskStatus.SUCCEEDED))))
                .isFalse();
        assertThat(schedule.inMemory()).isZero();
    }

    /**
     * Issue 11, finding 4: a finished key scheduled again has its data stored again without a TTL; nothing read
     * its row again while its status lived (the checkpoint passed it), so once the status expired it read as
     * pending. Its status read makes the store rewrite it; the task never runs again, whatever the read answers.
     */
    @Test
    void a_finished_key_scheduled_again_is_read_and_never_runs_again() {
        InMemorySchedule schedule = schedule(10);
        load(schedule, at(60));
        Task t = task("a", 5);
        schedule.accept(t);
        schedule.takeDue(millis(5));
        assertThat(schedule.finished(t.key())).isEmpty();

        assertThat(schedule.accept(t)).isEqualTo(READ_STATUS);
        assertThat(schedule.accept(t)).as("the read in flight answers for both").isEqualTo(SETTLED);
        assertThat(schedule.checkpointBound())
                .as("held back until read")
                .isEqualTo(t.key().scheduledTime());

        assertThat(schedule.statusRead(t, Optional.empty()))
                .as("a read that finds no row (expired already, or a stale replica)")
                .isFalse();
        assertThat(schedule.takeDue(millis(60))).isEmpty();
    }

    @Test
    void a_running_key_scheduled_again_is_read_once_it_finished() {
        InMemorySchedule schedule = schedule(10);
        load(schedule, at(60));
        Task t = task("a", 5);
        schedule.accept(t);
        schedule.takeDue(millis(5));

        assertThat(schedule.accept(t)).isEqualTo(SETTLED);
        assertThat(schedule.finished(t.key())).contains(t);
        assertThat(schedule.statusRead(t, Optional.of(stored(t, TaskStatus.SUCCEEDED))))
                .isFalse();
        assertThat(schedule.inMemory()).isZero();
    }

    @Test
    void a_finished_key_is_forgotten_only_once_older_than_the_done_memory_and_is_then_checked_with_a_read() {
        InMemorySchedule schedule = schedule(10);
        load(schedule, at(60));
        Task t = task("a", 5);
        schedule.accept(t);
        schedule.takeDue(millis(5));
        schedule.finished(t.key());

        schedule.forgetOldDone(t.key().scheduledTime().plus(InMemorySchedule.DONE_MEMORY));
        assertThat(schedule.accept(t)).isEqualTo(READ_STATUS);
        assertThat(schedule.statusRead(t, Optional.empty()))
                .as("remembered: not run again whatever the read answers")
                .isFalse();
        assertThat(schedule.inMemory()).isZero();

        schedule.forgetOldDone(
                t.key().scheduledTime().plus(InMemorySchedule.DONE_MEMORY).plusMillis(1));
        assertThat(schedule.doneSince()).isEqualTo(t.key().scheduledTime().toEpochMilli() + 1);
        assertThat(schedule.accept(t)).isEqualTo(READ_STATUS);
    }

    @Test
    void with_no_room_for_a_task_that_arrives_during_a_load_the_load_result_is_dropped_and_read_again() {
        InMemorySchedule schedule = schedule(3);
        Task early = task("a", 1);
        Task late = task("b", 2);
        load(schedule, at(30), stored(early, TaskStatus.PENDING), stored(late, TaskStatus.PENDING));
        InMemorySchedule.Load load = schedule.startLoad(millis(10)).orElseThrow();
        assertThat(load.limit()).isEqualTo(1);
        schedule.accept(task("c", 40)); // held: memory is now full
        schedule.accept(task("d", 45)); // no room to hold it

        InMemorySchedule.Merged merged = schedule.loadSucceeded(
                new LoadResult(List.of(stored(task("e", 35), TaskStatus.PENDING)), LoadBound.before(load.upTo())),
                load.limit());

        assertThat(merged.fullPage()).isFalse();
        assertThat(schedule.loaded()).isEqualTo(LoadBound.before(millis(30)));
        assertThat(schedule.moreToLoad()).isTrue();
        assertThat(keys(schedule.takeDue(millis(70)))).containsExactly(early.key(), late.key());
    }

    /**
     * Issue 11, finding 1: an operator retry of a key beyond the loaded window was put in memory; evicting it
     * then moved the load bound forward past tasks never loaded, and the checkpoint passed them.
     */
    @Test
    void an_operator_retry_beyond_the_loaded_window_is_left_to_the_loader_and_never_moves_the_bound_forward() {
        InMemorySchedule schedule = schedule(2);
        load(schedule, at(10));
        schedule.accept(task("a", 1));
        schedule.accept(task("b", 2));
        Task retried = task("c", 30); // durably pending again, beyond the window loaded so far

        schedule.retry(stored(retried, TaskStatus.PENDING));
        schedule.enforceMemoryBound();

        assertThat(schedule.loaded()).isEqualTo(LoadBound.before(millis(10)));
        assertThat(schedule.checkpointBound()).isBeforeOrEqualTo(at(1));
        assertThat(keys(schedule.takeDue(millis(60))))
                .containsExactly(task("a", 1).key(), task("b", 2).key());
    }

    @Test
    void an_operator_retry_of_a_key_a_load_in_flight_reads_as_failed_still_runs() {
        InMemorySchedule schedule = schedule(10);
        load(schedule, at(10));
        Task retried = task("c", 30);
        InMemorySchedule.Load load = schedule.startLoad(START.toEpochMilli()).orElseThrow();

        schedule.retry(stored(retried, TaskStatus.PENDING)); // the load may have read the row before the reset
        schedule.loadSucceeded(
                new LoadResult(List.of(stored(retried, TaskStatus.FAILED)), LoadBound.before(millis(60))),
                load.limit());

        assertThat(keys(schedule.takeDue(millis(60)))).containsExactly(retried.key());
    }

    @Test
    void evicting_never_moves_the_load_bound_forward() {
        InMemorySchedule schedule = schedule(1);
        load(schedule, at(60));
        schedule.accept(task("a", 1));
        schedule.accept(task("b", 50));
        schedule.enforceMemoryBound();
        assertThat(schedule.loaded()).isEqualTo(LoadBound.before(task("b", 50).key()));

        schedule.accept(task("a", 2)); // within the bound: memory is over again, the latest goes
        schedule.enforceMemoryBound();
        assertThat(schedule.loaded()).isEqualTo(LoadBound.before(task("a", 2).key()));
        assertThat(schedule.inMemory()).isEqualTo(1);
    }

    /**
     * A short page with more to come (fewer rows than asked, loadedThrough before the window's end) asks for the
     * next load at once, as a full page does; a page that reaches the window's end, or makes no progress, does not.
     */
    @Test
    void a_short_page_that_stops_before_the_window_end_is_more_to_load() {
        InMemorySchedule schedule = schedule(10);
        Task first = task("a", 1);
        InMemorySchedule.Load load = schedule.startLoad(START.toEpochMilli()).orElseThrow();
        InMemorySchedule.Merged shortPage = schedule.loadSucceeded(
                new LoadResult(List.of(stored(first, TaskStatus.PENDING)), LoadBound.through(first.key())),
                load.limit());
        assertThat(shortPage.fullPage()).as("more to come").isTrue();
        assertThat(schedule.moreToLoad()).isTrue();
        assertThat(schedule.loaded()).isEqualTo(LoadBound.through(first.key()));

        load = schedule.startLoad(START.toEpochMilli()).orElseThrow();
        assertThat(load.from()).isEqualTo(LoadBound.through(first.key()));
        InMemorySchedule.Merged noProgress =
                schedule.loadSucceeded(new LoadResult(List.of(), load.from()), load.limit());
        assertThat(noProgress.fullPage())
                .as("no progress: wait for the next tick")
                .isFalse();

        load = schedule.startLoad(START.toEpochMilli()).orElseThrow();
        InMemorySchedule.Merged end =
                schedule.loadSucceeded(new LoadResult(List.of(), LoadBound.before(load.upTo())), load.limit());
        assertThat(end.fullPage()).isFalse();
        assertThat(schedule.moreToLoad()).isFalse();
    }

    // ---- helpers ----

    /** A schedule starting at START, with a look-ahead of 60 s. */
    private static InMemorySchedule schedule(int maxInMemory) {
        return new InMemorySchedule(
                START.toEpochMilli(), maxInMemory, Duration.ofSeconds(60), 100, Duration.ofSeconds(1));
    }

    /** One load from the schedule's bound at START, returning these rows and loaded up to {@code through}. */
    private static void load(InMemorySchedule schedule, Instant through, StoredTask... rows) {
        InMemorySchedule.Load load = schedule.startLoad(START.toEpochMilli()).orElseThrow();
        schedule.loadSucceeded(new LoadResult(List.of(rows), LoadBound.before(through.toEpochMilli())), load.limit());
    }

    private static List<TaskKey> keys(List<StoredTask> tasks) {
        return tasks.stream().map(t -> t.task().key()).toList();
    }

    private static StoredTask stored(Task task, TaskStatus status) {
        return new StoredTask(task, status, 0, null, null);
    }

    private static Task task(String orderingId, long secondsFromStart) {
        return Task.of(TaskKey.of(orderingId, at(secondsFromStart), "u"), Map.of());
    }

    private static Instant at(long secondsFromStart) {
        return START.plusSeconds(secondsFromStart);
    }

    private static long millis(long secondsFromStart) {
        return at(secondsFromStart).toEpochMilli();
    }
}
