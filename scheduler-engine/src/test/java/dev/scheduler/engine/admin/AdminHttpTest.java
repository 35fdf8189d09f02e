package dev.scheduler.engine.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskStatus;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin HTTP layer over a fake {@link AdminService}: routing, parameters, errors, token. No Kafka, no Cassandra. */
class AdminHttpTest {

    private static final String TOKEN = "s3cret-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TaskKey KEY = TaskKey.of("order-42", Instant.parse("2026-11-27T05:20:37.123Z"), "reminder");

    private final FakeAdmin admin = new FakeAdmin();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private AdminServer server;

    @BeforeEach
    void start() {
        server = AdminServer.start(
                admin,
                AdminServerSettings.defaults()
                        .withPort(0)
                        .withBearerToken(TOKEN)
                        .withRequestTimeout(Duration.ofSeconds(5)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(server.uri().resolve(pathAndQuery)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri().resolve(path))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String keyJson() {
        return "{\"orderingId\":\"order-42\",\"scheduledTime\":\"2026-11-27T05:20:37.123Z\",\"uniquenessKey\":\"reminder\"}";
    }

    private static String error(HttpResponse<String> r) throws IOException {
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        return JSON.readTree(r.body()).get("error").asText();
    }

    @Test
    void the_dashboard_is_served_at_the_root_as_one_html_page() throws Exception {
        HttpResponse<String> r = get("/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(r.body()).contains("<title>Scheduler admin</title>", "id=\"failed-tasks\"");
    }

    @Test
    void a_task_is_fetched_by_key_as_json_with_its_history() throws Exception {
        HttpResponse<String> r =
                get("/api/task?orderingId=order-42&scheduledTime=2026-11-27T05:20:37.123Z" + "&uniquenessKey=reminder");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode task = JSON.readTree(r.body());
        assertThat(task.get("key").get("orderingId").asText()).isEqualTo("order-42");
        assertThat(task.get("status").asText()).isEqualTo("FAILED");
        assertThat(task.get("lastError").asText()).isEqualTo("java.io.IOException: mail server down");
        assertThat(admin.keys).containsExactly(KEY);
    }

    @Test
    void an_unknown_key_is_404() throws Exception {
        HttpResponse<String> r =
                get("/api/task?orderingId=nobody&scheduledTime=2026-11-27T05:20:37.123Z" + "&uniquenessKey=reminder");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(error(r)).contains("no task", "nobody");
    }

    @Test
    void a_key_with_a_bad_time_is_refused_with_400_naming_the_field() throws Exception {
        HttpResponse<String> r = get("/api/task?orderingId=a&scheduledTime=yesterday&uniquenessKey=b");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(error(r))
                .isEqualTo("bad key: scheduledTime: 'yesterday' is not a time; use an ISO-8601 instant "
                        + "such as 2026-11-27T05:20:37.123Z, or epoch milliseconds");
    }

    @Test
    void a_key_missing_a_field_is_refused_with_400_naming_it() throws Exception {
        HttpResponse<String> r = get("/api/task?orderingId=a&scheduledTime=2026-11-27T05:20:37Z");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(error(r)).startsWith("bad key: uniquenessKey is required");
        HttpResponse<String> blank = get("/api/task?orderingId=%20&scheduledTime=2026-11-27T05:20:37Z&uniquenessKey=b");
        assertThat(blank.statusCode()).isEqualTo(400);
        assertThat(error(blank)).startsWith("bad key: orderingId must not be blank");
    }

    @Test
    void a_listing_with_a_bad_time_an_unknown_status_or_too_large_a_page_is_refused_with_400() throws Exception {
        HttpResponse<String> badTime = get("/api/tasks?from=2026-13-01");
        assertThat(badTime.statusCode()).isEqualTo(400);
        assertThat(error(badTime)).startsWith("from: '2026-13-01' is not a time");

        HttpResponse<String> badStatus = get("/api/tasks?status=FAILED,DONE");
        assertThat(badStatus.statusCode()).isEqualTo(400);
        assertThat(error(badStatus))
                .isEqualTo("status: 'DONE' is not a status; use PENDING, FAILED, CANCELLED or "
                        + "SUCCEEDED, several separated by commas");

        HttpResponse<String> running = get("/api/tasks?status=running");
        assertThat(running.statusCode()).isEqualTo(400);
        assertThat(error(running)).startsWith("status RUNNING cannot be listed");

        HttpResponse<String> tooLarge = get("/api/tasks?pageSize=1000");
        assertThat(tooLarge.statusCode()).isEqualTo(400);
        assertThat(error(tooLarge)).isEqualTo("pageSize must be between 1 and 500, was 1000");

        HttpResponse<String> backwards = get("/api/tasks?from=2026-11-27T06:00:00Z&to=2026-11-27T05:00:00Z");
        assertThat(backwards.statusCode()).isEqualTo(400);
        assertThat(error(backwards)).contains("must be before to");

        HttpResponse<String> unknown = get("/api/tasks?stauts=FAILED");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(error(unknown)).startsWith("unknown parameter 'stauts'; this endpoint takes from, to, status");
        assertThat(admin.queries).isEmpty();
    }

    @Test
    void a_listing_passes_its_filters_to_the_service_and_returns_the_next_page_token() throws Exception {
        HttpResponse<String> r = get("/api/tasks?from=2026-11-27T05:00:00Z&to=1796000000000&status=failed,PENDING"
                + "&orderingId=order-42&errorsOnly=true&pageSize=10");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        TaskQuery q = admin.queries.get(0);
        assertThat(q.from()).isEqualTo(Instant.parse("2026-11-27T05:00:00Z"));
        assertThat(q.to()).isEqualTo(Instant.ofEpochMilli(1796000000000L));
        assertThat(q.statuses()).containsExactlyInAnyOrder(TaskStatus.FAILED, TaskStatus.PENDING);
        assertThat(q.orderingId()).isEqualTo("order-42");
        assertThat(q.errorsOnly()).isTrue();
        assertThat(q.pageSize()).isEqualTo(10);
        JsonNode page = JSON.readTree(r.body());
        assertThat(page.get("tasks")).hasSize(1);
        assertThat(page.get("nextPageToken").asText()).isEqualTo("next-please");
    }

    @Test
    void a_service_refusal_of_a_bad_argument_is_400() throws Exception {
        admin.failListingWith = new IllegalArgumentException("pageToken belongs to a listing with other filters");
        HttpResponse<String> r = get("/api/tasks?pageToken=abc");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(error(r)).isEqualTo("pageToken belongs to a listing with other filters");
    }

    @Test
    void a_mutating_call_without_the_token_is_refused_with_401_and_with_it_accepted() throws Exception {
        HttpResponse<String> none = post("/api/task/retry", keyJson(), Map.of());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(error(none)).contains("Authorization: Bearer");

        HttpResponse<String> wrong = post("/api/task/retry", keyJson(), Map.of("Authorization", "Bearer guess"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(error(wrong)).isEqualTo("the bearer token is not the admin server's");
        assertThat(admin.retried).isEmpty();

        HttpResponse<String> ok = post("/api/task/retry", keyJson(), Map.of("Authorization", "Bearer " + TOKEN));
        assertThat(ok.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(ok.body()).get("action").asText()).isEqualTo("retry");
        assertThat(admin.retried).containsExactly(KEY);
    }

    @Test
    void a_post_from_another_origin_is_refused_even_with_the_token() throws Exception {
        HttpResponse<String> r = post(
                "/api/task/cancel",
                keyJson(),
                Map.of("Authorization", "Bearer " + TOKEN, "Origin", "http://evil.example"));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(error(r)).contains("cross-origin");
        assertThat(admin.cancelled).isEmpty();
    }

    @Test
    void a_command_the_task_does_not_allow_is_409_and_an_unknown_task_404() throws Exception {
        admin.commandFailure = new AdminException(
                AdminException.Reason.CONFLICT, "task is SUCCEEDED: only a FAILED " + "task can be retried");
        HttpResponse<String> conflict = post("/api/task/retry", keyJson(), Map.of("Authorization", "Bearer " + TOKEN));
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(error(conflict)).contains("only a FAILED task can be retried");
        admin.commandFailure = new AdminException(AdminException.Reason.NOT_FOUND, "no task is stored");
        HttpResponse<String> missing = post("/api/task/cancel", keyJson(), Map.of("Authorization", "Bearer " + TOKEN));
        assertThat(missing.statusCode()).isEqualTo(404);
    }

    @Test
    void a_malformed_body_is_400_naming_the_problem() throws Exception {
        Map<String, String> auth = Map.of("Authorization", "Bearer " + TOKEN);
        HttpResponse<String> notJson = post("/api/task/cancel", "{orderingId:", auth);
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(error(notJson)).startsWith("the request body is not valid JSON");
        HttpResponse<String> array = post("/api/task/cancel", "[]", auth);
        assertThat(array.statusCode()).isEqualTo(400);
        assertThat(error(array)).isEqualTo("the request body must be a JSON object");
        HttpResponse<String> extra = post(
                "/api/task/cancel",
                "{\"orderingId\":\"a\",\"scheduledTime\":\"2026-11-27T05:20:37Z\","
                        + "\"uniquenessKey\":\"b\",\"force\":\"yes\"}",
                auth);
        assertThat(extra.statusCode()).isEqualTo(400);
        assertThat(error(extra)).startsWith("bad key: unknown field(s) [force]");
    }

    @Test
    void unknown_paths_are_404_and_wrong_methods_405() throws Exception {
        HttpResponse<String> missing = get("/api/nothing");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(error(missing)).startsWith("no such endpoint: /api/nothing");
        HttpResponse<String> getRetry = get("/api/task/retry");
        assertThat(getRetry.statusCode()).isEqualTo(405);
        HttpResponse<String> postTasks = post("/api/tasks", "{}", Map.of());
        assertThat(postTasks.statusCode()).isEqualTo(405);
        assertThat(error(postTasks)).isEqualTo("method POST is not allowed here: use GET");
    }

    @Test
    void ready_is_503_with_the_problems_while_live_stays_200() throws Exception {
        admin.health = new Health(true, false, List.of("partition 3 is not healthy"));
        HttpResponse<String> ready = get("/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(ready.body()).get("problems").get(0).asText()).isEqualTo("partition 3 is not healthy");
        assertThat(get("/live").statusCode()).isEqualTo(200);
        admin.health = new Health(true, true, List.of());
        assertThat(get("/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void metrics_is_404_without_a_prometheus_registry_and_text_with_one() throws Exception {
        HttpResponse<String> none = get("/metrics");
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(error(none)).contains("PrometheusMeterRegistry");
        admin.scrape = "scheduler_tasks_enqueued_total{topic=\"t\"} 3.0\n";
        HttpResponse<String> text = get("/metrics");
        assertThat(text.statusCode()).isEqualTo(200);
        assertThat(text.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(text.body()).contains("scheduler_tasks_enqueued_total");
    }

    @Test
    void a_store_outage_is_503() throws Exception {
        admin.failListingWith = new com.datastax.oss.driver.api.core.DriverTimeoutException("no node answered");
        HttpResponse<String> r = get("/api/tasks");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(error(r)).startsWith("Cassandra failed to answer");
    }
}
