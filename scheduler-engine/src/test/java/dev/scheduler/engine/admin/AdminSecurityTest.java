package dev.scheduler.engine.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The admin server's defences: the Host allowlist against DNS rebinding, the token for reads, and 500 answers that
 * carry an error id and nothing of the exception. Over a fake {@link AdminService}, with raw sockets so that any
 * Host can be sent.
 */
class AdminSecurityTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "s3cret-token";
    private static final String TASK =
            "/api/task?orderingId=order-42&scheduledTime=2026-11-27T05:20:37.123Z" + "&uniquenessKey=reminder";
    private static final String KEY_JSON =
            "{\"orderingId\":\"order-42\",\"scheduledTime\":\"2026-11-27T05:20:37.123Z\",\"uniquenessKey\":\"reminder\"}";

    private final FakeAdmin admin = new FakeAdmin();
    private AdminServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private InetSocketAddress start(AdminServerSettings settings) {
        server = AdminServer.start(admin, settings.withPort(0));
        return server.address();
    }

    private static JsonNode json(RawHttp.Answer a) throws Exception {
        return JSON.readTree(a.body());
    }

    @Test
    void a_dns_rebinding_read_of_task_data_with_a_foreign_host_is_refused_with_403() throws Exception {
        InetSocketAddress at = start(AdminServerSettings.defaults());
        String host = "evil.example:" + at.getPort();
        RawHttp.Answer a = RawHttp.get(at, TASK, host, "Origin: http://" + host);
        assertThat(a.status()).isEqualTo(403);
        assertThat(json(a).get("error").asText())
                .startsWith("Host 'evil.example:" + at.getPort() + "' is not allowed")
                .contains("DNS rebinding", "withAllowedHosts(\"evil.example\")");
        assertThat(a.body()).doesNotContain("ada");
        assertThat(admin.keys).isEmpty();
        assertThat(RawHttp.get(at, "/api/tasks", host).status()).isEqualTo(403);
        assertThat(admin.queries).isEmpty();
    }

    @Test
    void a_dns_rebinding_cancel_and_retry_with_a_matching_origin_are_refused_with_403_and_not_carried_out() {
        InetSocketAddress at = start(AdminServerSettings.defaults());
        String host = "evil.example:" + at.getPort();
        RawHttp.Answer cancel = RawHttp.post(at, "/api/task/cancel", host, KEY_JSON, "Origin: http://" + host);
        RawHttp.Answer retry = RawHttp.post(at, "/api/task/retry", host, KEY_JSON, "Origin: http://" + host);
        assertThat(cancel.status()).isEqualTo(403);
        assertThat(retry.status()).isEqualTo(403);
        assertThat(admin.cancelled).isEmpty();
        assertThat(admin.retried).isEmpty();
        RawHttp.Answer same = RawHttp.post(
                at,
                "/api/task/cancel",
                "127.0.0.1:" + at.getPort(),
                KEY_JSON,
                "Origin: http://127.0.0.1:" + at.getPort());
        assertThat(same.status()).as(same.body()).isEqualTo(202);
    }

    @Test
    void loopback_names_ip_literals_the_listening_name_and_configured_names_are_allowed_whatever_the_port() {
        InetSocketAddress at = start(
                AdminServerSettings.defaults().withAllowedHosts("scheduler-admin.internal", "*.svc.cluster.local"));
        for (String host : List.of(
                "localhost",
                "LOCALHOST:" + at.getPort(),
                "localhost.",
                "dashboard.localhost:1234",
                "127.0.0.1:" + at.getPort(),
                "10.20.30.40:9180",
                "[::1]:" + at.getPort(),
                "[fe80::1]",
                "scheduler-admin.internal:9180",
                "Scheduler-Admin.Internal",
                "engine-0.engines.default.svc.cluster.local:9180")) {
            assertThat(RawHttp.get(at, "/api/overview", host).status()).as(host).isEqualTo(200);
        }
        for (String host :
                List.of("scheduler-admin.internal.evil.example", "svc.cluster.local.evil", "localhost.evil")) {
            assertThat(RawHttp.get(at, "/api/overview", host).status()).as(host).isEqualTo(403);
        }
    }

    @Test
    void the_name_the_server_listens_on_is_allowed() {
        AdminAccess access = new AdminAccess(AdminServerSettings.defaults().withHost("admin.example.internal"));
        access.checkHost(request("HTTP/1.1", "admin.example.internal:9180"));
        assertThatThrownBy(() -> access.checkHost(request("HTTP/1.1", "other.example.internal")))
                .isInstanceOfSatisfying(
                        HttpError.class, e -> assertThat(e.status).isEqualTo(403));
    }

    @Test
    void a_missing_host_on_http_1_1_or_two_hosts_or_a_malformed_one_is_400_and_http_1_0_may_omit_it() {
        InetSocketAddress at = start(AdminServerSettings.defaults());
        RawHttp.Answer none = RawHttp.get(at, "/live", null);
        assertThat(none.status()).isEqualTo(400);
        assertThat(none.body()).contains("no Host header");
        assertThat(RawHttp.get(at, "/live", "localhost", "Host: evil.example").status())
                .isEqualTo(400);
        assertThat(RawHttp.get(at, "/live", "evil example").status()).isEqualTo(400);
        assertThat(RawHttp.get(at, "/live", "localhost:http").status()).isEqualTo(400);
        assertThat(RawHttp.send(at, "GET /live HTTP/1.0\r\n\r\n").status()).isEqualTo(200);
    }

    @Test
    void with_require_token_for_reads_the_api_reads_need_the_token_and_probes_metrics_and_page_stay_open()
            throws Exception {
        admin.scrape = "scheduler_tasks_enqueued_total 1.0\n";
        InetSocketAddress at =
                start(AdminServerSettings.defaults().withBearerToken(TOKEN).withRequireTokenForReads(true));
        String host = "127.0.0.1:" + at.getPort();
        RawHttp.Answer refused = RawHttp.get(at, TASK, host);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(json(refused).get("error").asText()).contains("requireTokenForReads", "Authorization: Bearer");
        assertThat(RawHttp.get(at, "/api/dead-letters", host).status()).isEqualTo(401);
        assertThat(RawHttp.get(at, "/api/tasks", host, "Authorization: Bearer guess")
                        .status())
                .isEqualTo(401);
        assertThat(admin.keys).isEmpty();
        assertThat(RawHttp.get(at, TASK, host, "Authorization: Bearer " + TOKEN).status())
                .isEqualTo(200);
        for (String open : List.of("/live", "/ready", "/metrics", "/")) {
            assertThat(RawHttp.get(at, open, host).status()).as(open).isEqualTo(200);
        }
    }

    @Test
    void without_require_token_for_reads_reads_stay_open_as_before() {
        InetSocketAddress at = start(AdminServerSettings.defaults().withBearerToken(TOKEN));
        assertThat(RawHttp.get(at, TASK, "localhost").status()).isEqualTo(200);
    }

    @Test
    void require_token_for_reads_without_a_token_is_refused_at_start() {
        assertThatThrownBy(() -> AdminServer.start(
                        admin, AdminServerSettings.defaults().withPort(0).withRequireTokenForReads(true)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("requireTokenForReads is set but there is no bearerToken");
    }

    @Test
    void a_bug_is_answered_500_with_an_error_id_and_no_exception_text_and_logged_under_that_id() throws Exception {
        InetSocketAddress at = start(AdminServerSettings.defaults());
        PrintStream err = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        RawHttp.Answer thrown;
        RawHttp.Answer failed;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            admin.throwFromListing = new NullPointerException("secret-row-data");
            thrown = RawHttp.get(at, "/api/tasks", "localhost");
            admin.throwFromListing = null;
            admin.failListingWith = new UnsupportedOperationException("secret-internals");
            failed = RawHttp.get(at, "/api/tasks", "localhost");
        } finally {
            System.setErr(err);
        }
        for (RawHttp.Answer a : List.of(thrown, failed)) {
            assertThat(a.status()).isEqualTo(500);
            JsonNode body = json(a);
            assertThat(body.get("error").asText()).isEqualTo("internal error");
            assertThat(body.get("errorId").asText()).matches("[0-9a-f]{16}");
            assertThat(a.body()).doesNotContain("secret", "Exception");
            assertThat(log.toString(StandardCharsets.UTF_8))
                    .contains("error id " + body.get("errorId").asText());
        }
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("secret-row-data", "secret-internals");
    }

    @Test
    void kafka_unreachable_on_a_command_is_503_saying_it_was_not_published() throws Exception {
        InetSocketAddress at = start(AdminServerSettings.defaults());
        admin.commandFailure = new dev.scheduler.client.PublishException(
                "Kafka is unreachable: the cancel of k was not published to topic 'tasks'", null);
        RawHttp.Answer a = RawHttp.post(at, "/api/task/cancel", "localhost", KEY_JSON);
        assertThat(a.status()).isEqualTo(503);
        assertThat(json(a).get("error").asText())
                .startsWith("Kafka is unreachable: the cancel")
                .contains("not published");
        assertThat(admin.cancelled).isEmpty();
    }

    @Test
    void allowed_hosts_refuse_a_star_an_ip_address_a_url_or_a_blank_naming_the_entry() {
        AdminServerSettings d = AdminServerSettings.defaults();
        assertThatThrownBy(() -> d.withAllowedHosts("*")).hasMessageContaining("'*' would let every Host in");
        assertThatThrownBy(() -> d.withAllowedHosts("10.0.0.1"))
                .hasMessage("allowedHosts: '10.0.0.1' is an IP address; IP addresses are always allowed, list host "
                        + "names only");
        assertThatThrownBy(() -> d.withAllowedHosts("[::1]")).hasMessageContaining("is an IP address");
        assertThatThrownBy(() -> d.withAllowedHosts("http://admin.internal:9180"))
                .hasMessageStartingWith("allowedHosts: 'http://admin.internal:9180' is not a host name");
        assertThatThrownBy(() -> d.withAllowedHosts("admin.internal:9180")).hasMessageContaining("is not a host name");
        assertThatThrownBy(() -> d.withAllowedHosts(" ")).hasMessageContaining("must not be blank");
        assertThatThrownBy(() -> d.withAllowedHosts((String[]) null)).hasMessageContaining("must not be null");
        assertThat(d.withAllowedHosts(" Admin.Internal ", "*.svc.cluster.local").allowedHosts())
                .containsExactly("admin.internal", "*.svc.cluster.local");
        assertThatThrownBy(() -> d.withReadTimeout(java.time.Duration.ZERO))
                .hasMessage("readTimeout must be a positive duration, was PT0S");
    }

    private static Request request(String version, String host) {
        return new Request(
                "GET", java.net.URI.create("/live"), version, java.util.Map.of("host", List.of(host)), new byte[0]);
    }
}
