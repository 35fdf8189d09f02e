package dev.scheduler.engine.admin;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server: a JSON API over an {@link AdminService}, Kubernetes probes ({@code /live},
 * {@code /ready}), a Prometheus scrape endpoint ({@code /metrics}) and a dashboard page ({@code /}). The API is
 * documented in docs/operations.md, section "Admin HTTP API".
 *
 * <p>Built on the JDK's own {@code com.sun.net.httpserver} (module jdk.httpserver): a handful of operator
 * requests a minute need no framework, and the engine jar gains no dependency that could clash with the
 * application's own HTTP stack. Usually started by the engine ({@code SchedulerEngine.Builder.adminServer});
 * {@link #start} serves any {@code AdminService}.
 *
 * <p>Listens on 127.0.0.1 unless told otherwise. Mutating requests (POST) need the bearer token when one is
 * configured, and are refused when a browser sends them from another origin. Thread-safe.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    private final HttpServer server;
    private final ExecutorService threads;
    private final InetSocketAddress address;
    private final AtomicBoolean closed = new AtomicBoolean();

    private AdminServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
        this.address = server.getAddress();
    }

    /**
     * Binds and starts serving.
     *
     * @throws UncheckedIOException naming the address when it cannot be bound (in use, not local)
     */
    public static AdminServer start(AdminService service, AdminServerSettings settings) {
        if (service == null || settings == null) {
            throw new IllegalArgumentException("service and settings are required");
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "the admin server cannot listen on " + settings.host() + ":" + settings.port() + ": "
                            + e.getMessage(),
                    e);
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(settings.threads(), r -> {
            Thread t = new Thread(r, "scheduler-admin-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", new AdminHttp(service, settings));
        server.start();
        AdminServer started = new AdminServer(server, threads);
        InetAddress bound = started.address.getAddress();
        if (!bound.isLoopbackAddress() && settings.bearerToken() == null) {
            log.warn(
                    "admin server listening on {} without a bearer token: anyone who reaches it can cancel and "
                            + "retry tasks",
                    started.uri());
        } else {
            log.info("admin server listening on {}", started.uri());
        }
        return started;
    }

    /** The address it listens on (with the port picked, when 0 was asked for). */
    public InetSocketAddress address() {
        return address;
    }

    /** Its base URI, such as {@code http://127.0.0.1:9180/}. */
    public URI uri() {
        String host = address.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + address.getPort() + "/");
    }

    /** Stops listening, closes open connections and stops its threads. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.stop(0);
        threads.shutdownNow();
    }
}
