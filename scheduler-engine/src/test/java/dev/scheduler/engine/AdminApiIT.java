package dev.scheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.client.TaskPartitioner;
import dev.scheduler.engine.admin.AdminServerSettings;
import dev.scheduler.engine.admin.TaskPage;
import dev.scheduler.engine.admin.TaskQuery;
import dev.scheduler.testkit.SchedulerInfrastructure;
import dev.scheduler.testkit.SchedulerInfrastructureExtension;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The admin API and its HTTP server on one engine against the testkit's real Kafka and Cassandra. The tests share
 * the engine (starting one costs seconds) and keep apart by ordering id.
 */
@ExtendWith(SchedulerInfrastructureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiIT {

    private static final String TOKEN = "admin-it-token";

    private final SchedulerInfrastructure infra;
    private EngineHarness harness;
    private RecordingExecutor executor;
    private SchedulerEngine engine;
    private AdminHttpClient http;

    AdminApiIT(SchedulerInfrastructure infra) {
        this.infra = infra;
    }

    @BeforeAll
    void startEngine() {
        harness = new EngineHarness(infra, 4);
        executor = new RecordingExecutor(Clock.systemUTC());
        engine = harness.start(
                executor,
                EngineHarness.FAST,
                Clock.systemUTC(),
                b -> b.adminServer(AdminServerSettings.defaults().withPort(0).withBearerToken(TOKEN)));
        http = new AdminHttpClient(engine.adminServer().orElseThrow().uri());
    }

    @AfterAll
    void stopEngine() {
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

    private void awaitStatus(TaskKey key, String status) {
        await().atMost(Duration.ofSeconds(30)).until(() -> status.equals(http.status(key)));
    }

    @Test
    void a_failed_task_is_found_through_the_api_retried_and_then_runs() {
        executor.alwaysFail.add("broken-then-fixed");
        TaskKey key = schedule("retry-me", now().plusMillis(300), "broken-then-fixed");
        awaitStatus(key, "FAILED");

        Map<String, String> failedOnes = new LinkedHashMap<>();
        failedOnes.put("from", now().minusSeconds(60).toString());
        failedOnes.put("to", now().plusSeconds(60).toString());
        failedOnes.put("status", "FAILED");
        failedOnes.put("orderingId", "retry-me");
        AdminHttpClient.Answer listed = http.get("/api/tasks", failedOnes);
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.json().get("tasks")).singleElement().satisfies(t -> {
            assertThat(t.get("key").get("uniquenessKey").asText()).isEqualTo("broken-then-fixed");
            assertThat(t.get("attempts").asInt()).isEqualTo(3);
            assertThat(t.get("lastError").asText())
                    .contains("IllegalStateException", "failing broken-then-fixed on purpose");
        });
        JsonNode detail = http.task(key);
        assertThat(detail.get("history")).hasSize(3);
        assertThat(executor.runs(key)).isEqualTo(3);

        executor.alwaysFail.remove("broken-then-fixed");
        AdminHttpClient.Answer retried = http.post("/api/task/retry", AdminHttpClient.keyJson(key), TOKEN);
        assertThat(retried.status()).as("%s", retried.json()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> executor.runs(key) == 4);
        awaitStatus(key, "SUCCEEDED");
        assertThat(http.task(key).get("history").size()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void a_pending_task_is_cancelled_through_http_and_does_not_run() {
        TaskKey key = schedule("cancel-me", now().plusSeconds(4), "page-on-call");
        awaitStatus(key, "PENDING");

        AdminHttpClient.Answer cancelled = http.post("/api/task/cancel", AdminHttpClient.keyJson(key), TOKEN);
        assertThat(cancelled.status()).as("%s", cancelled.json()).isEqualTo(202);
        awaitStatus(key, "CANCELLED");
        // A later task of the same ordering id (same partition, same lane) runs after the cancelled one's time.
        TaskKey sentinel = schedule("cancel-me", key.scheduledTime().plusMillis(500), "sentinel");
        await().atMost(Duration.ofSeconds(30)).until(() -> executor.runs(sentinel) == 1);
        assertThat(executor.runs(key)).isZero();

        AdminHttpClient.Answer again = http.post("/api/task/cancel", AdminHttpClient.keyJson(sentinel), TOKEN);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.error()).contains("is SUCCEEDED", "only a task that has not finished can be cancelled");
    }

    @Test
    void a_mutating_call_without_the_token_is_refused_and_changes_nothing() {
        TaskKey key = schedule("no-token", now().plusSeconds(2), "keep-me");
        awaitStatus(key, "PENDING");
        AdminHttpClient.Answer refused = http.post("/api/task/cancel", AdminHttpClient.keyJson(key), null);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.error()).contains("Authorization: Bearer");
        AdminHttpClient.Answer wrong = http.post("/api/task/cancel", AdminHttpClient.keyJson(key), "guess");
        assertThat(wrong.status()).isEqualTo(401);
        await().atMost(Duration.ofSeconds(30)).until(() -> executor.runs(key) == 1);
        awaitStatus(key, "SUCCEEDED");
    }

    @Test
    void bad_requests_get_400_with_a_message_naming_the_problem() {
        Map<String, String> badKey = new LinkedHashMap<>();
        badKey.put("orderingId", "x");
        badKey.put("scheduledTime", "tomorrow");
        badKey.put("uniquenessKey", "y");
        assertBadRequest(http.get("/api/task", badKey), "bad key: scheduledTime: 'tomorrow' is not a time");
        assertBadRequest(http.get("/api/task", Map.of("orderingId", "x")), "bad key: scheduledTime is required");
        assertBadRequest(
                http.get("/api/tasks", Map.of("to", "2026-02-30T00:00:00Z")),
                "to: '2026-02-30T00:00:00Z' is not a time");
        assertBadRequest(
                http.get("/api/tasks", Map.of("pageSize", "501")), "pageSize must be between 1 and 500, was 501");
        assertBadRequest(http.get("/api/tasks", Map.of("status", "LOST")), "status: 'LOST' is not a status");
        assertBadRequest(http.get("/api/tasks", Map.of("partition", "99")), "partition 99 does not exist: topic '");
        assertBadRequest(
                http.get("/api/tasks", Map.of("pageToken", "garbage")), "pageToken 'garbage' is not a page token");
        assertBadRequest(
                http.get("/api/dead-letters", Map.of("pageSize", "0")), "pageSize must be between 1 and 500, was 0");
        assertBadRequest(
                http.get("/api/partitions", Map.of("overdueAfter", "soon")), "overdueAfter: 'soon' is not a duration");
        assertBadRequest(
                http.post("/api/task/retry", "{\"orderingId\": 42}", TOKEN), "field 'orderingId' must be a string");
        assertThat(http.get("/api/partitions", Map.of("overdueAfter", "PT1S")).status())
                .isEqualTo(200);
    }

    private static void assertBadRequest(AdminHttpClient.Answer answer, String message) {
        assertThat(answer.status()).as("%s", answer.json()).isEqualTo(400);
        assertThat(answer.error()).startsWith(message);
    }

    @Test
    void tasks_are_listed_by_range_and_status_page_by_page_across_buckets_and_partitions() {
        // 24 tasks of 12 ordering ids, 15 s apart: several minute buckets on every partition, none due soon.
        Instant base = now().plusSeconds(90);
        List<TaskKey> scheduled = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            scheduled.add(schedule("listed-" + (i % 12), base.plusSeconds(15L * i), "u-" + i));
        }
        TaskQuery query = TaskQuery.between(base, base.plusSeconds(15L * 24))
                .withStatuses(TaskStatus.PENDING)
                .withPageSize(5);
        await().atMost(Duration.ofSeconds(30)).until(() -> listAll(query).size() == 24);
        List<TaskInfo> all = listAll(query);
        assertThat(all).extracting(t -> t.task().key()).containsExactlyInAnyOrderElementsOf(scheduled);
        assertThat(all).allSatisfy(t -> assertThat(t.status()).isEqualTo(TaskStatus.PENDING));
        // ordered by partition, then key
        for (int i = 1; i < all.size(); i++) {
            TaskInfo a = all.get(i - 1);
            TaskInfo b = all.get(i);
            assertThat(a.partition() < b.partition()
                            || (a.partition() == b.partition()
                                    && a.task().key().compareTo(b.task().key()) < 0))
                    .isTrue();
        }
        assertThat(listAll(query.withStatuses(TaskStatus.FAILED, TaskStatus.SUCCEEDED)))
                .isEmpty();
        assertThat(listAll(query.withOrderingId("listed-3")))
                .extracting(t -> t.task().key().uniquenessKey())
                .containsExactly("u-3", "u-15");
    }

    private List<TaskInfo> listAll(TaskQuery query) {
        List<TaskInfo> all = new ArrayList<>();
        TaskQuery q = query;
        for (int pages = 0; pages < 100; pages++) {
            TaskPage page = engine.admin().tasks(q).toCompletableFuture().join();
            assertThat(page.tasks().size()).isLessThanOrEqualTo(query.pageSize());
            all.addAll(page.tasks());
            if (page.nextPageToken() == null) {
                return all;
            }
            q = q.withPageToken(page.nextPageToken());
        }
        throw new AssertionError("more than 100 pages");
    }

    @Test
    void partitions_show_their_owner_checkpoint_memory_lag_and_a_stuck_task_as_overdue() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        executor.holds.put("stuck", hold);
        TaskKey stuck = schedule("stuck-id", now().plusMillis(200), "stuck");
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                AdminHttpClient.Answer a = http.get("/api/partitions", Map.of("overdueAfter", "PT1S"));
                assertThat(a.status()).isEqualTo(200);
                JsonNode partitions = a.json().get("partitions");
                assertThat(partitions).hasSize(4);
                for (JsonNode p : partitions) {
                    assertThat(p.get("ownedHere").asBoolean()).isTrue();
                    assertThat(p.get("owner").asText()).isEqualTo(engine.instanceId());
                    assertThat(p.get("healthy").asBoolean()).isTrue();
                    assertThat(p.get("consumerLag").isNumber())
                            .as("lag of %s", p)
                            .isTrue();
                }
                JsonNode mine = partitions.get(TaskPartitioner.partitionFor("stuck-id", engine.partitionCount()));
                assertThat(mine.get("checkpoint").isTextual()).isTrue();
                assertThat(mine.get("tasksInMemory").asInt()).isGreaterThanOrEqualTo(1);
                assertThat(mine.get("overdueTasks").asInt()).isGreaterThanOrEqualTo(1);
                assertThat(mine.get("oldestOverdue").get("uniquenessKey").asText())
                        .isEqualTo("stuck");
            });
        } finally {
            hold.countDown();
        }
        awaitStatus(stuck, "SUCCEEDED");
    }

    @Test
    void dead_lettered_records_are_listed_with_their_reason_and_raw_text() throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", infra.kafkaBootstrapServers());
        props.put("key.serializer", ByteArraySerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            producer.send(new ProducerRecord<>(
                            harness.topic,
                            "garbled".getBytes(StandardCharsets.UTF_8),
                            "{not json at all".getBytes(StandardCharsets.UTF_8)))
                    .get();
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            AdminHttpClient.Answer a = http.get("/api/dead-letters", Map.of("pageSize", "10"));
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.json().get("records")).anySatisfy(r -> {
                assertThat(r.get("recordKey").asText()).isEqualTo("garbled");
                assertThat(r.get("raw").asText()).isEqualTo("{not json at all");
                assertThat(r.get("reason").asText()).containsIgnoringCase("json");
                assertThat(r.get("rawBytes").asInt()).isEqualTo(16);
            });
        });
    }

    @Test
    void live_and_ready_answer_the_probes_and_the_overview_names_this_instance() {
        assertThat(http.get("/live").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/ready").status() == 200);
        AdminHttpClient.Answer overview = http.get("/api/overview");
        assertThat(overview.json().get("instanceId").asText()).isEqualTo(engine.instanceId());
        assertThat(overview.json().get("ownedPartitions")).hasSize(4);
        assertThat(overview.json().get("activity").get("latenessMs").has("p99")).isTrue();
    }

    /** A start that fails after the Kafka clients were built (here: the admin port is taken) closes them. */
    @Test
    void an_engine_whose_admin_port_is_taken_fails_naming_it_and_leaves_no_kafka_client_running() {
        int taken = engine.adminServer().orElseThrow().uri().getPort();
        long before = endOffsetClientThreads();
        assertThat(before).as("the running engine's").isEqualTo(1);

        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> harness.engineBuilder(executor, EngineHarness.FAST, Clock.systemUTC())
                                .adminServer(AdminServerSettings.defaults().withPort(taken))
                                .build()
                                .start())
                .isInstanceOf(EngineStartException.class)
                .hasMessageContaining("cannot listen on")
                .hasMessageContaining(String.valueOf(taken));
        await().atMost(Duration.ofSeconds(10)).until(() -> endOffsetClientThreads() == before);
    }

    private static long endOffsetClientThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().endsWith("-end-offsets"))
                .count();
    }
}
