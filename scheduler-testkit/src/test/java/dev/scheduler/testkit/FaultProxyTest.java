package dev.scheduler.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultProxyTest {

    private static final Duration SILENCE = Duration.ofMillis(300);

    private EchoServer echo;
    private FaultProxy proxy;
    private final List<Socket> clients = new ArrayList<>();

    @BeforeEach
    void startEchoBehindProxy() throws IOException {
        echo = EchoServer.start();
        proxy = FaultProxy.start("127.0.0.1", echo.port());
    }

    @AfterEach
    void closeEverything() throws IOException {
        for (Socket client : clients) {
            client.close();
        }
        proxy.close();
        echo.close();
    }

    @Test
    void a_passing_proxy_forwards_both_ways_and_counts_what_it_forwarded() throws IOException {
        assertThat(proxy.mode()).isEqualTo(FaultProxy.Mode.PASS);
        assertThat(proxy.address()).isEqualTo("127.0.0.1:" + proxy.port());
        Socket client = connect();

        assertThat(echo(client, "hello")).isEqualTo("hello");
        assertThat(echo(client, "again")).isEqualTo("again");

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(proxy.bytesToTarget()).isEqualTo(10);
            assertThat(proxy.bytesToClient()).isEqualTo(10);
        });
        assertThat(proxy.connectionsAccepted()).isEqualTo(1);
        assertThat(proxy.openConnections()).isEqualTo(1);
        assertThat(proxy.toString()).contains("PASS", "1 accepted", "10 B to target");
    }

    @Test
    void a_delayed_proxy_holds_a_request_and_its_answer_each_for_the_delay() throws IOException {
        proxy.delay(Duration.ofMillis(150));
        Socket client = connect();

        long start = System.nanoTime();
        assertThat(echo(client, "request")).isEqualTo("request");
        long roundTripMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(roundTripMillis).isGreaterThanOrEqualTo(300);
        assertThat(proxy.mode()).isEqualTo(FaultProxy.Mode.DELAY);
        assertThat(proxy.currentDelay()).isEqualTo(Duration.ofMillis(150));
    }

    @Test
    void a_delayed_proxy_keeps_the_order_of_many_small_writes() throws IOException {
        proxy.delay(Duration.ofMillis(20));
        Socket client = connect();
        StringBuilder sent = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            String message = i + ",";
            client.getOutputStream().write(message.getBytes(UTF_8));
            sent.append(message);
        }

        assertThat(read(client, sent.length())).isEqualTo(sent.toString());
    }

    @Test
    void dropping_new_connections_resets_them_and_keeps_the_open_ones() throws IOException {
        Socket open = connect();
        assertThat(echo(open, "before")).isEqualTo("before");

        proxy.dropNewConnections();
        Socket refused = connect();

        assertEnded(refused);
        assertThat(echo(open, "after")).isEqualTo("after");
        assertThat(proxy.mode()).isEqualTo(FaultProxy.Mode.DROP_NEW_CONNECTIONS);
        assertThat(proxy.connectionsAccepted()).isEqualTo(2);

        proxy.pass();
        assertThat(echo(connect(), "healed")).isEqualTo("healed");
    }

    @Test
    void cutting_live_connections_ends_every_open_one_and_leaves_the_mode() throws IOException {
        Socket first = connect();
        Socket second = connect();
        assertThat(echo(first, "one")).isEqualTo("one");
        assertThat(echo(second, "two")).isEqualTo("two");

        proxy.cutLiveConnections();

        assertEnded(first);
        assertEnded(second);
        assertThat(proxy.mode()).isEqualTo(FaultProxy.Mode.PASS);
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.openConnections() == 0);
        assertThat(echo(connect(), "three")).isEqualTo("three");
    }

    @Test
    void a_black_hole_answers_nothing_on_open_and_new_connections_and_closes_nothing() throws IOException {
        Socket open = connect();
        assertThat(echo(open, "before")).isEqualTo("before");

        proxy.blackHole();
        Socket opened = connect();

        assertSilent(open, "lost");
        assertSilent(opened, "lost too");
        assertThat(proxy.mode()).isEqualTo(FaultProxy.Mode.BLACK_HOLE);
        assertThat(proxy.openConnections()).isEqualTo(2);
        assertThat(proxy.bytesToTarget()).isEqualTo("before".length());
        open.getOutputStream().write("still open".getBytes(UTF_8));
        assertSilent(open, "and silent");
    }

    @Test
    void leaving_a_black_hole_resets_the_connections_it_held_and_new_ones_work() throws IOException {
        Socket open = connect();
        assertThat(echo(open, "before")).isEqualTo("before");
        proxy.blackHole();
        Socket opened = connect();
        assertSilent(opened, "lost");

        proxy.pass();

        assertEnded(open);
        assertEnded(opened);
        assertThat(echo(connect(), "healed")).isEqualTo("healed");
    }

    @Test
    void a_target_that_is_down_resets_the_client() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }
        try (FaultProxy nowhere = FaultProxy.start("127.0.0.1", closedPort)) {
            Socket client = new Socket("127.0.0.1", nowhere.port());
            clients.add(client);
            assertEnded(client);
        }
    }

    @Test
    void closing_stops_listening_and_ends_every_thread_of_the_proxy() throws IOException {
        Set<String> before = proxyThreads();
        FaultProxy closing = FaultProxy.start("127.0.0.1", echo.port());
        Socket client = new Socket("127.0.0.1", closing.port());
        clients.add(client);
        assertThat(echo(client, "hello")).isEqualTo("hello");

        closing.close();
        closing.close();

        assertEnded(client);
        assertThatThrownBy(() -> new Socket("127.0.0.1", closing.port()).close())
                .isInstanceOf(ConnectException.class);
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(proxyThreads()).isSubsetOf(before));
        assertThatThrownBy(closing::blackHole)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void a_delay_must_be_positive() {
        assertThatThrownBy(() -> proxy.delay(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("delay must be positive");
        assertThatThrownBy(() -> FaultProxy.start("127.0.0.1", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("targetPort");
    }

    private Socket connect() throws IOException {
        Socket client = new Socket(proxy.host(), proxy.port());
        clients.add(client);
        return client;
    }

    private static String echo(Socket client, String text) throws IOException {
        client.getOutputStream().write(text.getBytes(UTF_8));
        return read(client, text.length());
    }

    private static String read(Socket client, int length) throws IOException {
        client.setSoTimeout(5_000);
        byte[] bytes = client.getInputStream().readNBytes(length);
        return new String(bytes, UTF_8);
    }

    /** The connection ended (EOF or reset), rather than staying silent. */
    private static void assertEnded(Socket client) throws IOException {
        client.setSoTimeout(5_000);
        InputStream in = client.getInputStream();
        try {
            assertThat(in.read()).as("end of stream").isEqualTo(-1);
        } catch (SocketTimeoutException e) {
            fail("the connection stayed open", e);
        } catch (IOException e) {
            assertThat(e).hasMessageContaining("reset");
        }
    }

    /** Writing works and no answer comes within {@link #SILENCE}, and the connection is not ended. */
    private static void assertSilent(Socket client, String text) throws IOException {
        client.getOutputStream().write(text.getBytes(UTF_8));
        client.setSoTimeout((int) SILENCE.toMillis());
        assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
    }

    private static Set<String> proxyThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .map(Thread::getName)
                .filter(name -> name.startsWith("fault-proxy-"))
                .collect(Collectors.toSet());
    }
}
