package dev.scheduler.engine.internal.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.DriverTimeoutException;
import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.internal.partition.FakeTaskStore.Op;
import dev.scheduler.engine.internal.partition.FaultyTaskStore.Fault;
import dev.scheduler.engine.internal.partition.FaultyTaskStore.Injected;
import dev.scheduler.engine.internal.store.LoadBound;
import dev.scheduler.engine.internal.store.LoadResult;
import dev.scheduler.engine.internal.store.TaskStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class FaultyTaskStoreTest {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    private final FakeTaskStore fake = new FakeTaskStore();

    @Test
    void fail_before_fails_without_applying() {
        FaultyTaskStore store = FaultyTaskStore.scripted(fake).script(Op.PERSIST, Fault.FAIL_BEFORE);
        Task t = task("a", 1);

        assertThatThrownBy(() -> join(store.persist(0, List.of(t)))).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(fake.row(0, t.key())).isEmpty();
        assertThat(fake.calls(Op.PERSIST)).isEmpty();

        join(store.persist(0, List.of(t))); // the script is used up
        assertThat(fake.row(0, t.key())).isPresent();
        assertThat(store.injected()).containsExactly(new Injected(Op.PERSIST, 0, Fault.FAIL_BEFORE));
    }

    @Test
    void apply_then_fail_applies_and_then_fails() {
        FaultyTaskStore store = FaultyTaskStore.scripted(fake).script(Op.PERSIST, Fault.APPLY_THEN_FAIL);
        Task t = task("a", 1);

        assertThatThrownBy(() -> join(store.persist(0, List.of(t)))).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(fake.row(0, t.key())).isPresent();
    }

    @Test
    void timeout_after_apply_applies_and_then_times_out() {
        FaultyTaskStore store = FaultyTaskStore.scripted(fake).script(Op.CANCEL, Fault.TIMEOUT_AFTER_APPLY);
        Task t = task("a", 1);
        join(store.persist(0, List.of(t)));

        assertThatThrownBy(() -> join(store.cancel(0, List.of(t.key()))))
                .hasCauseInstanceOf(DriverTimeoutException.class);
        assertThat(fake.row(0, t.key()).orElseThrow().status()).isEqualTo(dev.scheduler.engine.TaskStatus.CANCELLED);
        assertThat(join(store.cancel(0, List.of(t.key()))))
                .as("the retry answers it cancelled")
                .containsExactly(t.key());
    }

    @Test
    void a_delayed_call_neither_applies_nor_answers_until_it_is_released() {
        FaultyTaskStore store = FaultyTaskStore.scripted(fake).script(Op.PERSIST, Fault.DELAY);
        Task t = task("a", 1);

        CompletableFuture<Void> answer = store.persist(0, List.of(t)).toCompletableFuture();
        assertThat(answer).isNotDone();
        assertThat(fake.row(0, t.key())).isEmpty();

        assertThat(store.releaseDelayed()).isEqualTo(1);
        assertThat(answer).isCompleted();
        assertThat(fake.row(0, t.key())).isPresent();
    }

    @Test
    void a_delay_goes_to_the_delayer_given() {
        List<Duration> delays = new ArrayList<>();
        List<Runnable> later = new ArrayList<>();
        FaultyTaskStore store = FaultyTaskStore.scripted(fake)
                .delayWith(
                        (d, call) -> {
                            delays.add(d);
                            later.add(call);
                        },
                        Duration.ofMillis(250))
                .script(Op.READ_CHECKPOINT, Fault.DELAY);

        CompletableFuture<?> answer = store.readCheckpoint(0).toCompletableFuture();
        assertThat(delays).containsExactly(Duration.ofMillis(250));
        assertThat(answer).isNotDone();
        later.forEach(Runnable::run);
        assertThat(answer).isCompleted();
    }

    @Test
    void a_short_page_returns_fewer_rows_and_says_more_is_to_come_so_that_paging_on_finds_every_row() {
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            tasks.add(task("o" + i, i + 1));
        }
        join(fake.persist(0, tasks));
        FaultyTaskStore store = FaultyTaskStore.scripted(fake)
                .script(Op.LOAD, Fault.SHORT_PAGE, Fault.SHORT_PAGE, Fault.SHORT_PAGE, Fault.SHORT_PAGE);
        long upTo = T0.plusSeconds(60).toEpochMilli();

        LoadResult first = join(store.load(0, LoadBound.before(T0.toEpochMilli()), upTo, 100));
        assertThat(first.rows()).hasSize(4);
        assertThat(first.loadedThrough())
                .isEqualTo(LoadBound.through(tasks.get(3).key()));
        assertThat(first.rows())
                .allSatisfy(r ->
                        assertThat(first.loadedThrough().covers(r.task().key())).isTrue());
        assertThat(first.loadedThrough().covers(tasks.get(4).key()))
                .as("honest: a row not returned is not claimed")
                .isFalse();

        List<TaskKey> seen =
                new ArrayList<>(first.rows().stream().map(r -> r.task().key()).toList());
        LoadBound from = first.loadedThrough();
        for (int page = 0; page < 10 && !from.equals(LoadBound.before(upTo)); page++) {
            LoadResult next = join(store.load(0, from, upTo, 100));
            next.rows().forEach(r -> seen.add(r.task().key()));
            from = next.loadedThrough();
        }
        assertThat(seen).containsExactlyElementsOf(tasks.stream().map(Task::key).toList());
        assertThat(store.injected()).extracting(Injected::fault).containsOnly(Fault.SHORT_PAGE);
    }

    @Test
    void a_short_page_is_scripted_for_loads_only() {
        assertThatThrownBy(() -> FaultyTaskStore.scripted(fake).script(Op.READ, Fault.SHORT_PAGE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_seed_replays_the_same_faults_and_another_seed_others() {
        List<Injected> first = run(FaultyTaskStore.seeded(new FakeTaskStore(), 42, 0.3));
        List<Injected> again = run(FaultyTaskStore.seeded(new FakeTaskStore(), 42, 0.3));
        List<Injected> other = run(FaultyTaskStore.seeded(new FakeTaskStore(), 43, 0.3));

        assertThat(first).isNotEmpty().isEqualTo(again).isNotEqualTo(other);
        assertThat(first).extracting(Injected::fault).contains(Fault.values());
        assertThat(first)
                .filteredOn(i -> i.fault() == Fault.SHORT_PAGE)
                .allSatisfy(i -> assertThat(i.op()).isEqualTo(Op.LOAD));
    }

    @Test
    void random_faults_can_be_restricted_to_some_faults_and_operations() {
        FaultyTaskStore store = FaultyTaskStore.seeded(new FakeTaskStore(), 7, 1.0)
                .randomFaults(Fault.APPLY_THEN_FAIL)
                .randomOps(Op.PERSIST);
        List<Injected> injected = run(store);
        assertThat(injected).isNotEmpty().allSatisfy(i -> {
            assertThat(i.op()).isEqualTo(Op.PERSIST);
            assertThat(i.fault()).isEqualTo(Fault.APPLY_THEN_FAIL);
        });
    }

    /** A fixed sequence of calls of every kind, every answer awaited (delayed ones released). */
    private static List<Injected> run(FaultyTaskStore store) {
        long upTo = T0.plusSeconds(3_600).toEpochMilli();
        for (int i = 0; i < 100; i++) {
            Task t = task("o" + (i % 7), i);
            List<CompletionStage<?>> answers = List.of(
                    store.persist(0, List.of(t, task("p" + i, i + 1), task("q" + i, i + 2))),
                    store.load(0, LoadBound.before(T0.toEpochMilli()), upTo, 10),
                    store.cancel(0, List.of(t.key())),
                    store.read(0, t.key()),
                    store.claim(0, "owner", TaskStore.NO_OWNER_ROW),
                    store.readOwner(0),
                    store.writeCheckpoint(0, T0),
                    store.recordStart(0, t, 1, T0));
            store.releaseDelayed();
            answers.forEach(a -> a.toCompletableFuture().handle((r, e) -> null).join());
        }
        return store.injected();
    }

    private static <T> T join(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    private static Task task(String orderingId, long seconds) {
        return Task.of(TaskKey.of(orderingId, T0.plusSeconds(seconds), "u"), Map.of("id", orderingId));
    }
}
