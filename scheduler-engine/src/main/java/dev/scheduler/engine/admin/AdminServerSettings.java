package dev.scheduler.engine.admin;

import java.time.Duration;

/**
 * Settings of the {@link AdminServer}.
 *
 * @param host the address to listen on. Default {@code 127.0.0.1}: only processes of the same host (or pod) can
 *     reach it; set {@code 0.0.0.0} to let Kubernetes probes or a port-forward in, ideally with a bearer token
 * @param port the TCP port; 0 picks a free one (see {@link AdminServer#address()}). Default {@value #DEFAULT_PORT}
 * @param bearerToken when set, every mutating request (POST: cancel, retry) must carry
 *     {@code Authorization: Bearer <token>}, or is refused with 401. Reads are never protected. Default none
 * @param threads threads serving requests; all but one may wait for Cassandra or Kafka at once, so that the probes
 *     always find one free (a request beyond that is answered 503 at once). Default 8
 * @param requestTimeout how long a request may wait for Cassandra or Kafka before it fails with 504. Default 30 s
 */
public record AdminServerSettings(String host, int port, String bearerToken, int threads, Duration requestTimeout) {

    public static final int DEFAULT_PORT = 9180;

    public AdminServerSettings {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank, was " + host);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        if (bearerToken != null && (bearerToken.isBlank() || !bearerToken.matches("[\\x21-\\x7e]+"))) {
            throw new IllegalArgumentException("bearerToken must be printable ASCII without spaces when set");
        }
        if (threads < 1 || threads > 64) {
            throw new IllegalArgumentException("threads must be between 1 and 64, was " + threads);
        }
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be a positive duration, was " + requestTimeout);
        }
    }

    /** 127.0.0.1:{@value #DEFAULT_PORT}, no token, 8 threads, 30 s per request. */
    public static AdminServerSettings defaults() {
        return new AdminServerSettings("127.0.0.1", DEFAULT_PORT, null, 8, Duration.ofSeconds(30));
    }

    /** A copy listening on {@code host}. */
    public AdminServerSettings withHost(String h) {
        return new AdminServerSettings(h, port, bearerToken, threads, requestTimeout);
    }

    /** A copy listening on {@code port} (0: any free port). */
    public AdminServerSettings withPort(int p) {
        return new AdminServerSettings(host, p, bearerToken, threads, requestTimeout);
    }

    /** A copy requiring this bearer token for mutating requests (null: none). */
    public AdminServerSettings withBearerToken(String token) {
        return new AdminServerSettings(host, port, token, threads, requestTimeout);
    }

    /** A copy with this many request threads. */
    public AdminServerSettings withThreads(int n) {
        return new AdminServerSettings(host, port, bearerToken, n, requestTimeout);
    }

    /** A copy with another request timeout. */
    public AdminServerSettings withRequestTimeout(Duration timeout) {
        return new AdminServerSettings(host, port, bearerToken, threads, timeout);
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "AdminServerSettings[host=" + host + ", port=" + port + ", bearerToken="
                + (bearerToken == null ? "none" : "***") + ", threads=" + threads + ", requestTimeout="
                + requestTimeout + "]";
    }
}
