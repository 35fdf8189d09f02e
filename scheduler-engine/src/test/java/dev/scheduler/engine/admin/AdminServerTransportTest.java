package dev.scheduler.engine.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admin server's own HTTP/1.1 transport against slow and malformed clients: a client that sends half a request
 * and stalls holds no worker, so the probes keep answering, and its connection is answered 408 and closed after
 * the read timeout. No JVM-wide property is set.
 */
class AdminServerTransportTest {

    private static final int THREADS = 2;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(3);

    private final FakeAdmin admin = new FakeAdmin();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private AdminServer server;
    private InetSocketAddress at;

    @BeforeEach
    void start() {
        server = AdminServer.start(
                admin,
                AdminServerSettings.defaults().withPort(0).withThreads(THREADS).withReadTimeout(READ_TIMEOUT));
        at = server.address();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private int probe(String path) throws Exception {
        // Well under the read timeout: answered while the stalled clients are still connected.
        return http.send(
                        HttpRequest.newBuilder(server.uri().resolve(path))
                                .timeout(Duration.ofSeconds(1))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    private Socket stalled(String partial) throws Exception {
        Socket s = RawHttp.open(at);
        s.setSoTimeout((int) READ_TIMEOUT.multipliedBy(4).toMillis());
        OutputStream out = s.getOutputStream();
        out.write(partial.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return s;
    }

    @Test
    void more_clients_stalled_in_their_request_head_than_threads_do_not_stop_live_and_ready() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < THREADS * 4; i++) {
                stalled.add(stalled("GET /api/overview HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: "));
            }
            for (int i = 0; i < 3; i++) {
                assertThat(probe("/live")).isEqualTo(200);
                assertThat(probe("/ready")).isEqualTo(200);
            }
            // Each stalled connection is answered 408 and closed once the read timeout has passed.
            for (Socket s : stalled) {
                RawHttp.Answer a = RawHttp.read(s);
                assertThat(a.status()).isEqualTo(408);
                assertThat(a.body()).contains("readTimeout");
            }
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    @Test
    void a_client_stalled_in_its_body_holds_no_worker_and_is_timed_out() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < THREADS * 2; i++) {
                stalled.add(stalled(
                        "POST /api/task/cancel HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{\"or"));
            }
            assertThat(probe("/live")).isEqualTo(200);
            for (Socket s : stalled) {
                assertThat(RawHttp.read(s).status()).isEqualTo(408);
            }
            assertThat(admin.cancelled).isEmpty();
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    @Test
    void a_head_too_large_a_body_too_large_a_chunked_body_and_another_version_are_refused_with_their_status() {
        String big =
                "GET /live HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "a".repeat(HttpListener.MAX_HEAD) + "\r\n\r\n";
        assertThat(RawHttp.send(at, big).status()).isEqualTo(431);
        RawHttp.Answer tooLarge =
                RawHttp.send(at, "POST /api/task/cancel HTTP/1.1\r\nHost: localhost\r\nContent-Length: 70000\r\n\r\n{");
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.body()).contains("larger than 65536 bytes");
        assertThat(RawHttp.send(
                                at,
                                "POST /api/task/cancel HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                        .status())
                .isEqualTo(411);
        assertThat(RawHttp.send(at, "GET /live HTTP/2.0\r\nHost: localhost\r\n\r\n")
                        .status())
                .isEqualTo(505);
        assertThat(RawHttp.send(at, "GET live\r\n\r\n").status()).isEqualTo(400);
        assertThat(RawHttp.send(at, "GET http://localhost/live HTTP/1.1\r\nHost: localhost\r\n\r\n")
                        .status())
                .isEqualTo(400);
    }

    @Test
    void a_post_with_expect_100_continue_gets_the_interim_answer_then_its_own() throws Exception {
        String body = "{\"orderingId\":\"order-42\",\"scheduledTime\":\"2026-11-27T05:20:37.123Z\","
                + "\"uniquenessKey\":\"reminder\"}";
        try (Socket s = stalled("POST /api/task/retry HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n")) {
            byte[] interim = s.getInputStream().readNBytes("HTTP/1.1 100 Continue\r\n\r\n".length());
            assertThat(new String(interim, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
            s.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
            assertThat(RawHttp.read(s).status()).isEqualTo(202);
        }
        assertThat(admin.retried).containsExactly(FakeAdmin.KEY);
    }

    @Test
    void the_server_sets_no_jvm_wide_http_server_property() {
        assertThat(System.getProperties().stringPropertyNames())
                .noneMatch(name -> name.startsWith("sun.net.httpserver."));
    }
}
