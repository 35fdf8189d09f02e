package dev.scheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.client.TaskTooLateException;
import dev.scheduler.client.wire.ScheduleTask;
import dev.scheduler.client.wire.TaskRecordCodec;
import dev.scheduler.testkit.SchedulerInfrastructure;
import dev.scheduler.testkit.SchedulerInfrastructureExtension;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The engine against the testkit's real Kafka and real Cassandra. */
@ExtendWith(SchedulerInfrastructureExtension.class)
class EngineIT {

    /** How early a task may start: never before its time, within clock granularity. */
    private static final Duration EARLY = Duration.ofMillis(1);
    /** How late a task may start in these tests on a shared 2-core machine (figures are printed, not asserted). */
    private static final Duration LATE = Duration.ofSeconds(2);

    private final SchedulerInfrastructure infra;
    private EngineHarness harness;
    private RecordingExecutor executor;

    EngineIT(SchedulerInfrastructure infra) {
        this.infra = infra;
    }

    @BeforeEach
    void setUp() {
        harness = new EngineHarness(infra, 4);
        executor = new RecordingExecutor(Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    private TaskKey schedule(String orderingId, Instant at, String uniquenessKey) {
        Task task = Task.of(orderingId, at, uniquenessKey, Map.of("step", uniquenessKey));
        harness.client.scheduleTask(task).join();
        return task.key();
    }

    private void assertOnTime(TaskKey key) {
        assertThat(executor.of(key)).as("runs of %s", key).isNotEmpty();
        RecordingExecutor.Attempt first = executor.of(key).get(0);
        assertThat(first.startedAt())
                .as("start of %s", key)
                .isAfterOrEqualTo(key.scheduledTime().minus(EARLY));
        assertThat(first.lateness()).as("lateness of %s", key).isLessThan(LATE);
    }

    private void awaitRun(TaskKey... keys) {
        await().atMost(Duration.ofSeconds(30)).until(() -> executor.ranKeys().containsAll(List.of(keys)));
    }

    private TaskInfo info(SchedulerEngine engine, TaskKey key) {
        // An AssertionError, not NoSuchElementException, so that untilAsserted(...) waits for the row.
        return engine.findTask(key)
                .toCompletableFuture()
                .join()
                .orElseThrow(() -> new AssertionError(key + " is not stored yet"));
    }

    @Test
    void tasks_due_now_and_a_few_seconds_ahead_run_at_their_time_and_record_their_attempt() {
        SchedulerEngine engine = harness.start(executor);
        Instant base = now();
        List<TaskKey> keys = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            keys.add(schedule("incident-" + i, base.plusMillis(250L * i), "notify"));
        }
        awaitRun(keys.toArray(TaskKey[]::new));
        keys.forEach(this::assertOnTime);
        System.out.println("due now and ahead, lateness: " + executor.latenessSummary());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            TaskInfo info = info(engine, keys.get(0));
            assertThat(info.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(info.history()).hasSize(1);
            assertThat(info.history().get(0).startedAt())
                    .isAfterOrEqualTo(keys.get(0).scheduledTime().minus(EARLY));
        });
    }

    @Test
    void a_running_attempt_is_visible_durably_as_running_until_its_outcome_is_recorded() {
        SchedulerEngine engine = harness.start(executor);
        java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
        executor.holds.put("slow", hold);
        TaskKey slow = schedule("slow-id", now().plusMillis(200), "slow");
        awaitRun(slow);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            TaskInfo info = info(engine, slow);
            assertThat(info.status()).isEqualTo(TaskStatus.RUNNING);
            assertThat(info.attempts()).isEqualTo(1);
            assertThat(info.history())
                    .singleElement()
                    .satisfies(a -> assertThat(a.finishedAt()).isNull());
        });
        hold.countDown();
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(() -> info(engine, slow).status() == TaskStatus.SUCCEEDED);
    }

    @Test
    void a_task_beyond_the_look_ahead_window_is_loaded_from_cassandra_and_runs_on_time() {
        harness.start(executor);
        TaskKey later = schedule("shift-reminder", now().plusSeconds(8), "email"); // look-ahead is 3 s
        awaitRun(later);
        assertOnTime(later);
        System.out.println("beyond look-ahead, lateness: " + executor.latenessSummary());
    }

    @Test
    void tasks_enqueued_in_reverse_time_order_each_run_at_their_own_time() {
        harness.start(executor);
        Instant base = now().plusSeconds(1);
        List<TaskKey> oneId = new ArrayList<>();
        List<TaskKey> manyIds = new ArrayList<>();
        for (int i = 5; i >= 0; i--) {
            oneId.add(schedule("same", base.plusMillis(700L * i), "step-" + i));
            manyIds.add(schedule("id-" + i, base.plusMillis(700L * i), "step"));
        }
        awaitRun(oneId.toArray(TaskKey[]::new));
        awaitRun(manyIds.toArray(TaskKey[]::new));
        oneId.forEach(this::assertOnTime);
        manyIds.forEach(this::assertOnTime);
        List<String> order = executor.attempts.stream()
                .filter(a -> a.key().orderingId().equals("same"))
                .map(a -> a.key().uniquenessKey())
                .toList();
        assertThat(order).containsExactly("step-0", "step-1", "step-2", "step-3", "step-4", "step-5");
    }

    @Test
    void a_duplicate_enqueue_runs_once_and_a_completed_key_never_runs_again() {
        harness.start(executor);
        Instant at = now().plusSeconds(1);
        TaskKey key = schedule("dup", at, "once");
        schedule("dup", at, "once");
        awaitRun(key);
        // Re-enqueue after completion, then a later task of the same ordering id (same partition): once that
        // ran, the re-enqueue has certainly been processed.
        schedule("dup", at, "once");
        TaskKey sentinel = schedule("dup", now().plusMillis(500), "sentinel");
        awaitRun(sentinel);
        assertThat(executor.runs(key)).isEqualTo(1);
    }

    @Test
    void a_task_in_the_past_within_the_grace_window_runs_at_once_and_one_outside_it_is_refused() {
        harness.start(executor);
        Instant fiveSecondsAgo = now().minusSeconds(5);
        TaskKey late = schedule("late", fiveSecondsAgo, "within-grace");
        awaitRun(late);
        Instant firstStart = executor.of(late).get(0).startedAt();
        assertThat(Duration.between(fiveSecondsAgo, firstStart))
                .isLessThan(Duration.ofSeconds(5).plus(LATE));

        CompletableFuture<Void> tooLate =
                harness.client.scheduleTask(Task.of("late", now().minusSeconds(30), "outside-grace", Map.of()));
        assertThat(tooLate)
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(TaskTooLateException.class);
    }

    @Test
    void a_failing_task_is_retried_with_backoff_while_others_run_on_time_and_ends_failed_with_its_history() {
        SchedulerEngine engine = harness.start(executor);
        executor.alwaysFail.add("broken");
        Instant base = now().plusMillis(500);
        TaskKey broken = schedule("failing-id", base, "broken");
        List<TaskKey> healthy = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            healthy.add(schedule("healthy-" + i, base.plusMillis(300L * i), "ok"));
        }
        awaitRun(healthy.toArray(TaskKey[]::new));
        healthy.forEach(this::assertOnTime);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            TaskInfo info = info(engine, broken);
            assertThat(info.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(info.attempts()).isEqualTo(3);
            assertThat(info.history()).extracting(AttemptInfo::attempt).containsExactly(1, 2, 3);
            assertThat(info.history()).allSatisfy(a -> {
                assertThat(a.result()).isEqualTo("FAILED");
                assertThat(a.errorClass()).isEqualTo(IllegalStateException.class.getName());
                assertThat(a.errorMessage()).contains("failing broken on purpose");
            });
            // backoff: 300 ms then 600 ms (jitter 0 in these settings)
            assertThat(Duration.between(
                            info.history().get(0).finishedAt(),
                            info.history().get(1).startedAt()))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(290));
            assertThat(Duration.between(
                            info.history().get(1).finishedAt(),
                            info.history().get(2).startedAt()))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(590));
        });
        assertThat(executor.runs(broken)).isEqualTo(3);
    }

    @Test
    void
            an_attempt_that_hangs_times_out_and_is_retried_while_other_ordering_ids_of_its_partition_keep_their_lateness() {
        EngineSettings settings = EngineHarness.FAST.toBuilder()
                .executionTimeout(Duration.ofSeconds(1))
                .build();
        SchedulerEngine engine = harness.start(executor, settings, Clock.systemUTC(), UnaryOperator.identity());
        executor.holds.put("hangs", new java.util.concurrent.CountDownLatch(1)); // never released
        int partition = dev.scheduler.client.TaskPartitioner.partitionFor("stuck", 4);
        List<String> neighbours = new ArrayList<>();
        for (int i = 0; neighbours.size() < 5; i++) {
            if (dev.scheduler.client.TaskPartitioner.partitionFor("neighbour-" + i, 4) == partition) {
                neighbours.add("neighbour-" + i);
            }
        }
        Instant base = now().plusMillis(300);
        TaskKey stuck = schedule("stuck", base, "hangs");
        List<TaskKey> others = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            for (String id : neighbours) {
                others.add(schedule(id, base.plusMillis(500L * round + 100), "r" + round));
            }
        }
        awaitRun(others.toArray(TaskKey[]::new));
        others.forEach(this::assertOnTime);
        System.out.println("neighbours of a hanging task, lateness: " + executor.latenessSummary());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            TaskInfo info = info(engine, stuck);
            assertThat(info.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(info.history())
                    .hasSize(3)
                    .allSatisfy(a -> assertThat(a.result()).isEqualTo("TIMED_OUT"));
        });
    }

    @Test
    void a_failed_task_retried_by_an_operator_runs_once_more_and_can_succeed() {
        SchedulerEngine engine = harness.start(executor);
        executor.alwaysFail.add("flaky");
        TaskKey key = schedule("needs-fix", now().plusMillis(200), "flaky");
        await().atMost(Duration.ofSeconds(20))
                .ignoreExceptions()
                .until(() -> info(engine, key).status() == TaskStatus.FAILED);
        executor.alwaysFail.remove("flaky"); // the operator fixed the cause
        engine.retryTask(key).join();
        await().atMost(Duration.ofSeconds(20))
                .ignoreExceptions()
                .until(() -> info(engine, key).status() == TaskStatus.SUCCEEDED);
        TaskInfo info = info(engine, key);
        assertThat(info.attempts()).isEqualTo(4);
        assertThat(info.history())
                .extracting(AttemptInfo::result)
                .containsExactly("FAILED", "FAILED", "FAILED", "SUCCEEDED");
        // retrying a task that is not FAILED changes nothing
        engine.retryTask(key).join();
        TaskKey sentinel = schedule("needs-fix", now().plusMillis(300), "sentinel");
        awaitRun(sentinel);
        assertThat(executor.runs(key)).isEqualTo(4);
    }

    @Test
    void a_takeover_without_handover_waits_out_the_lease_and_loses_no_task_that_arrived_meanwhile() throws Exception {
        SchedulerEngine first = harness.start(executor);
        first.close(); // creates the schema; its partitions are released
        try (CqlSession session = CqlSession.builder()
                .addContactPoint(infra.cassandraContactPoint())
                .withLocalDatacenter(infra.cassandraLocalDatacenter())
                .build()) {
            // As if an instance that vanished (crashed, paused) still held every partition.
            for (int p = 0; p < 4; p++) {
                session.execute(
                        "UPDATE " + harness.keyspace + ".partition_owners SET owner = 'ghost', released = false,"
                                + " epoch = 100 WHERE partition = ?",
                        p);
            }
        }
        List<TaskKey> keys = new ArrayList<>();
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        Instant base = now();
        for (int i = 0; i < 300; i++) {
            Task t = Task.of("takeover-" + (i % 30), base.plusMillis(500 + 10L * i), "t-" + i, Map.of());
            keys.add(t.key());
            sends.add(harness.client.scheduleTask(t));
        }
        harness.start(executor); // waits one owner lease per partition before it starts anything
        for (int i = 300; i < 600; i++) {
            Task t = Task.of("takeover-" + (i % 30), now().plusMillis(200), "t-" + i, Map.of());
            keys.add(t.key());
            sends.add(harness.client.scheduleTask(t));
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(executor.ranKeys()).containsAll(keys));
        assertThat(executor.duplicates()).isEmpty();
    }

    @Test
    void tasks_of_one_ordering_id_never_overlap_under_load_with_many_ordering_ids() {
        harness.start(executor);
        executor.workTime = Duration.ofMillis(2);
        Instant base = now().plusSeconds(1);
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        List<TaskKey> keys = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            Task t = Task.of("entity-" + (i % 40), base.plusMillis(i % 500), "u-" + i, Map.of());
            keys.add(t.key());
            sends.add(harness.client.scheduleTask(t));
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
        await().atMost(Duration.ofSeconds(60)).until(() -> executor.ranKeys().size() == keys.size());
        assertThat(executor.overlaps).isEmpty();
        assertThat(executor.duplicates()).isEmpty();
        System.out.println("2,000 tasks over 40 ordering ids, lateness: " + executor.latenessSummary());
    }

    @Test
    void a_cancelled_task_does_not_run_and_cancelling_a_task_that_ran_changes_nothing() {
        SchedulerEngine engine = harness.start(executor);
        TaskKey cancelled = schedule("ack-me", now().plusSeconds(2), "page");
        harness.client.cancelTask(cancelled).join();
        TaskKey ran = schedule("no-ack", now().plusMillis(200), "page");
        awaitRun(ran);
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(() -> info(engine, ran).status() == TaskStatus.SUCCEEDED);
        harness.client.cancelTask(ran).join();
        TaskKey sentinel = schedule("ack-me", now().plusSeconds(3), "sentinel");
        awaitRun(sentinel);
        assertThat(executor.runs(cancelled)).isZero();
        assertThat(info(engine, cancelled).status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(executor.runs(ran)).isEqualTo(1);
        assertThat(info(engine, ran).status()).isEqualTo(TaskStatus.SUCCEEDED);
    }

    @Test
    void a_new_engine_runs_the_tasks_a_stopped_one_left_pending_even_hours_overdue() {
        SchedulerEngine first = harness.start(executor);
        Instant base = now();
        List<TaskKey> pending = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            pending.add(schedule("pending-" + i, base.plusSeconds(20 + i), "later"));
        }
        TaskKey probe = schedule("probe", base.plusMillis(300), "now");
        awaitRun(probe);
        // every pending task is durable once the engine has committed past it: wait until nothing is unpersisted
        await().atMost(Duration.ofSeconds(10))
                .until(() -> first.partitions().stream().allMatch(p -> p.unpersistedRecords() == 0));
        first.close();
        assertThat(executor.ranKeys()).doesNotContainAnyElementsOf(pending);

        // The second engine lives three hours later: the tasks are long overdue and must all run at once.
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofHours(3));
        RecordingExecutor second = new RecordingExecutor(later);
        harness.start(second, EngineHarness.FAST, later, UnaryOperator.identity());
        await().atMost(Duration.ofSeconds(30)).until(() -> second.ranKeys().containsAll(pending));
        assertThat(second.duplicates()).isEmpty();
        System.out.println("hours-overdue tasks after restart, lateness: " + second.latenessSummary());
    }

    @Test
    void garbage_and_oversized_records_are_set_aside_and_later_tasks_of_the_partition_still_run() throws Exception {
        SchedulerEngine engine = harness.start(executor);
        Properties props = new Properties();
        props.put("bootstrap.servers", infra.kafkaBootstrapServers());
        props.put("key.serializer", ByteArraySerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());
        byte[] key = "poisoned".getBytes(StandardCharsets.UTF_8);
        Map<String, String> huge = new HashMap<>();
        huge.put("blob", "x".repeat(100_000));
        byte[] oversized = TaskRecordCodec.encode(new ScheduleTask(Task.of("poisoned", now(), "huge", huge)));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            producer.send(new ProducerRecord<>(harness.topic, key, "{not json".getBytes(StandardCharsets.UTF_8)))
                    .get();
            producer.send(new ProducerRecord<>(harness.topic, key, oversized)).get();
            producer.send(new ProducerRecord<>(
                            harness.topic,
                            key,
                            "{\"version\":9,\"orderingId\":\"poisoned\"}".getBytes(StandardCharsets.UTF_8)))
                    .get();
        }
        TaskKey after = schedule("poisoned", now().plusMillis(200), "after");
        awaitRun(after);
        assertThat(executor.ranKeys()).containsExactly(after);
        try (CqlSession session = CqlSession.builder()
                .addContactPoint(infra.cassandraContactPoint())
                .withLocalDatacenter(infra.cassandraLocalDatacenter())
                .build()) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                List<Row> rows = session.execute("SELECT reason, raw FROM " + harness.keyspace + ".dead_letters")
                        .all();
                assertThat(rows).hasSize(3);
                assertThat(rows)
                        .extracting(r -> r.getString("reason"))
                        .anySatisfy(r -> assertThat(r).containsIgnoringCase("json"))
                        .anySatisfy(r -> assertThat(r).contains("65536"))
                        .anySatisfy(r -> assertThat(r).contains("version 9"));
            });
        }
        assertThat(engine.partitions()).allSatisfy(p -> assertThat(p.healthy()).isTrue());
    }

    @Test
    void ten_thousand_tasks_over_a_hundred_ordering_ids_and_sixteen_partitions_all_run_once() {
        harness.close();
        harness = new EngineHarness(infra, 16);
        harness.start(executor);
        Instant base = now().plusSeconds(2);
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        List<TaskKey> keys = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < 10_000; i++) {
            Task t = Task.of("oid-" + (i % 100), base.plusMillis(i % 3_000), "task-" + i, Map.of("n", "" + i));
            keys.add(t.key());
            sends.add(harness.client.scheduleTask(t));
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
                .orTimeout(60, TimeUnit.SECONDS)
                .join();
        System.out.printf("10,000 tasks acknowledged by Kafka in %d ms%n", (System.nanoTime() - started) / 1_000_000);
        await().atMost(Duration.ofSeconds(120)).until(() -> executor.ranKeys().size() == keys.size());
        System.out.printf(
                "10,000 tasks ran in %d ms from the first send; lateness: %s%n",
                (System.nanoTime() - started) / 1_000_000, executor.latenessSummary());
        assertThat(executor.ranKeys()).containsExactlyInAnyOrderElementsOf(keys);
        assertThat(executor.duplicates()).isEmpty();
        assertThat(executor.overlaps).isEmpty();
    }
}
