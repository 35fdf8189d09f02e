package dev.scheduler.engine.admin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server: a JSON API over an {@link AdminService}, Kubernetes probes ({@code /live},
 * {@code /ready}), a Prometheus scrape endpoint ({@code /metrics}) and a dashboard page ({@code /}). The API is
 * documented in docs/operations.md, section "Admin HTTP API".
 *
 * <p>Served by a minimal HTTP/1.1 server of the engine's own (one non-blocking I/O thread that reads whole
 * requests with a time limit, and {@link AdminServerSettings#threads()} workers that only see complete ones): a
 * handful of operator requests a minute need no framework, and the engine jar gains no dependency that could clash
 * with the application's own HTTP stack. The JDK's {@code com.sun.net.httpserver} was not kept because it has no
 * per-server read timeout: a few clients that send half a request each hold one of its threads for ever, unless
 * the JVM-wide {@code sun.net.httpserver.maxReqTime} property is set, which would change every other JDK HTTP
 * server of the application. Here no such property is read or set; {@link AdminServerSettings#readTimeout()}
 * bounds each connection, and a stalled client holds no worker, so {@code /live} and {@code /ready} keep
 * answering. Usually started by the engine ({@code SchedulerEngine.Builder.adminServer}); {@link #start} serves any
 * {@code AdminService}.
 *
 * <p>Listens on 127.0.0.1 unless told otherwise. Every request must give an allowed {@code Host} (against DNS
 * rebinding: {@link AdminServerSettings#allowedHosts()}). Mutating requests (POST) need the bearer token when one
 * is configured, and are refused when a browser sends them from another origin; reads need it too with
 * {@link AdminServerSettings#requireTokenForReads()}. A failure that is a bug is answered 500 with an error id,
 * logged with the exception under the same id. Thread-safe.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    private final HttpListener server;
    private final ExecutorService threads;
    private final InetSocketAddress address;
    private final AtomicBoolean closed = new AtomicBoolean();

    private AdminServer(HttpListener server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
        this.address = server.address();
    }

    /**
     * Binds and starts serving.
     *
     * @throws UncheckedIOException naming the address when it cannot be bound (in use, not local)
     * @throws IllegalArgumentException when {@code requireTokenForReads} is set without a bearer token
     */
    public static AdminServer start(AdminService service, AdminServerSettings settings) {
        if (service == null || settings == null) {
            throw new IllegalArgumentException("service and settings are required");
        }
        if (settings.requireTokenForReads() && settings.bearerToken() == null) {
            throw new IllegalArgumentException(
                    "requireTokenForReads is set but there is no bearerToken: set one with withBearerToken");
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService threads = new ThreadPoolExecutor(
                settings.threads(), settings.threads(), 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64), r -> {
                    Thread t = new Thread(r, "scheduler-admin-http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        HttpListener server;
        try {
            server = HttpListener.start(
                    new InetSocketAddress(settings.host(), settings.port()),
                    threads,
                    new AdminHttp(service, settings),
                    settings.readTimeout());
        } catch (IOException | RuntimeException e) {
            threads.shutdownNow();
            throw new UncheckedIOException(
                    "the admin server cannot listen on " + settings.host() + ":" + settings.port() + ": " + e,
                    e instanceof IOException io ? io : new IOException(e));
        }
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
        server.close();
        threads.shutdownNow();
    }
}
