package dev.scheduler.engine.admin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Settings of the {@link AdminServer}. Start from {@link #defaults()} and change them with the {@code with...}
 * methods; each value is checked when it is set, with a message naming the setting.
 *
 * @param host the address to listen on. Default {@code 127.0.0.1}: only processes of the same host (or pod) can
 *     reach it; set {@code 0.0.0.0} to let Kubernetes probes or a port-forward in, ideally with a bearer token
 * @param port the TCP port; 0 picks a free one (see {@link AdminServer#address()}). Default {@value #DEFAULT_PORT}
 * @param bearerToken when set, every mutating request (POST: cancel, retry) must carry
 *     {@code Authorization: Bearer <token>}, or is refused with 401; reads too with
 *     {@code requireTokenForReads}. Default none
 * @param threads threads serving requests; all but one may wait for Cassandra or Kafka at once, so that the probes
 *     always find one free (a request beyond that is answered 503 at once). Default 8
 * @param requestTimeout how long a request may wait for Cassandra or Kafka before it fails with 504. Default 30 s
 * @param allowedHosts host names, besides the ones always allowed, that requests may give in their {@code Host}
 *     header: an exact name ({@code scheduler-admin.internal}) or every name under a domain
 *     ({@code *.svc.cluster.local}), in lower case, without port. Always allowed: {@code localhost} and names under
 *     {@code .localhost}, IPv4 and IPv6 literals, and {@link #host()} when it is a name. A request with another
 *     Host is refused with 403, so that a web page cannot reach the server by DNS rebinding. Default none
 * @param requireTokenForReads when true, the reads of the API ({@code /api/...}: task data, dead letters,
 *     partitions) need the bearer token too; {@code /live}, {@code /ready}, {@code /metrics} and the dashboard
 *     page stay open. Needs a {@code bearerToken} (checked at {@link AdminServer#start}). Default false
 * @param readTimeout how long a client may take to send its whole request, from the connection's opening, and to
 *     read the answer; then it is answered 408 and its connection closed, so that slow clients cannot hold the
 *     server. Default 10 s
 */
public record AdminServerSettings(
        String host,
        int port,
        String bearerToken,
        int threads,
        Duration requestTimeout,
        List<String> allowedHosts,
        boolean requireTokenForReads,
        Duration readTimeout) {

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
        requirePositive(requestTimeout, "requestTimeout");
        allowedHosts = validHosts(allowedHosts);
        requirePositive(readTimeout, "readTimeout");
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
        }
    }

    private static List<String> validHosts(List<String> hosts) {
        if (hosts == null) {
            throw new IllegalArgumentException("allowedHosts must not be null (use an empty list for none)");
        }
        List<String> valid = new ArrayList<>();
        for (String h : hosts) {
            if (h == null || h.isBlank()) {
                throw new IllegalArgumentException("allowedHosts: a host must not be blank, was " + hosts);
            }
            String name = h.strip().toLowerCase(Locale.ROOT);
            if (name.equals("*")) {
                throw new IllegalArgumentException("allowedHosts: '*' would let every Host in, and with it DNS "
                        + "rebinding; list this server's names, or a domain as *.example.internal");
            }
            String bare = name.startsWith("*.") ? name.substring(2) : name;
            if (AdminAccess.isIpLiteral(bare)) {
                throw new IllegalArgumentException("allowedHosts: '" + h + "' is an IP address; IP addresses are "
                        + "always allowed, list host names only");
            }
            if (!AdminAccess.isName(bare) || bare.length() > 253) {
                throw new IllegalArgumentException("allowedHosts: '" + h + "' is not a host name; give a name such "
                        + "as scheduler-admin.internal or *.svc.cluster.local, without scheme, port or path");
            }
            valid.add(name);
        }
        return List.copyOf(valid);
    }

    /** 127.0.0.1:{@value #DEFAULT_PORT}, no token, 8 threads, 30 s per request, no extra hosts, 10 s to read. */
    public static AdminServerSettings defaults() {
        return new AdminServerSettings(
                "127.0.0.1", DEFAULT_PORT, null, 8, Duration.ofSeconds(30), List.of(), false, Duration.ofSeconds(10));
    }

    /** A copy listening on {@code host}. */
    public AdminServerSettings withHost(String h) {
        return new AdminServerSettings(
                h, port, bearerToken, threads, requestTimeout, allowedHosts, requireTokenForReads, readTimeout);
    }

    /** A copy listening on {@code port} (0: any free port). */
    public AdminServerSettings withPort(int p) {
        return new AdminServerSettings(
                host, p, bearerToken, threads, requestTimeout, allowedHosts, requireTokenForReads, readTimeout);
    }

    /** A copy requiring this bearer token for mutating requests (null: none). */
    public AdminServerSettings withBearerToken(String token) {
        return new AdminServerSettings(
                host, port, token, threads, requestTimeout, allowedHosts, requireTokenForReads, readTimeout);
    }

    /** A copy with this many request threads. */
    public AdminServerSettings withThreads(int n) {
        return new AdminServerSettings(
                host, port, bearerToken, n, requestTimeout, allowedHosts, requireTokenForReads, readTimeout);
    }

    /** A copy with another request timeout. */
    public AdminServerSettings withRequestTimeout(Duration timeout) {
        return new AdminServerSettings(
                host, port, bearerToken, threads, timeout, allowedHosts, requireTokenForReads, readTimeout);
    }

    /**
     * A copy that also answers requests whose {@code Host} is one of these names (replacing earlier ones), such as
     * the name Prometheus or an ingress uses: {@code withAllowedHosts("scheduler-admin.internal",
     * "*.svc.cluster.local")}.
     *
     * @throws IllegalArgumentException naming an entry that is blank, {@code *}, an IP address (always allowed) or
     *     not a host name
     */
    public AdminServerSettings withAllowedHosts(String... hosts) {
        if (hosts == null) {
            throw new IllegalArgumentException("allowedHosts must not be null");
        }
        return withAllowedHosts(Arrays.asList(hosts));
    }

    /** Like {@link #withAllowedHosts(String...)}. */
    public AdminServerSettings withAllowedHosts(Collection<String> hosts) {
        if (hosts == null) {
            throw new IllegalArgumentException("allowedHosts must not be null");
        }
        return new AdminServerSettings(
                host,
                port,
                bearerToken,
                threads,
                requestTimeout,
                new ArrayList<>(hosts),
                requireTokenForReads,
                readTimeout);
    }

    /** A copy that requires the bearer token for the API's reads too ({@code true}), or only for POSTs. */
    public AdminServerSettings withRequireTokenForReads(boolean required) {
        return new AdminServerSettings(
                host, port, bearerToken, threads, requestTimeout, allowedHosts, required, readTimeout);
    }

    /** A copy with another time limit for receiving a request and sending its answer. */
    public AdminServerSettings withReadTimeout(Duration timeout) {
        return new AdminServerSettings(
                host, port, bearerToken, threads, requestTimeout, allowedHosts, requireTokenForReads, timeout);
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "AdminServerSettings[host=" + host + ", port=" + port + ", bearerToken="
                + (bearerToken == null ? "none" : "***") + ", threads=" + threads + ", requestTimeout="
                + requestTimeout + ", allowedHosts=" + allowedHosts + ", requireTokenForReads="
                + requireTokenForReads + ", readTimeout=" + readTimeout + "]";
    }
}
