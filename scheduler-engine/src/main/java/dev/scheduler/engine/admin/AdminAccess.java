package dev.scheduler.engine.admin;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Who may ask the admin server what: the {@code Host} allowlist, the {@code Origin} check of POSTs, and the
 * bearer token.
 *
 * <p><b>Host.</b> A web page can rebind its own DNS name to 127.0.0.1 and so reach a loopback server from the
 * operator's browser, as a same-origin page: its requests then carry {@code Host: evil.example}, with a matching
 * {@code Origin}. So every request must name this server: {@code localhost} or a name under {@code .localhost}
 * (RFC 6761 reserves them for loopback, and browsers resolve them so without DNS), an IPv4 or IPv6 literal (a
 * page cannot make a browser send an IP literal for its own name, so any literal is safe, and Kubernetes probes
 * and Prometheus scrapes use the pod's address), the name the server was told to listen on, or a name of
 * {@link AdminServerSettings#allowedHosts()}. The port is ignored. Another name is refused with 403, the message
 * naming it and the setting; a missing Host on HTTP/1.1, two of them or one that is not a host name is refused
 * with 400, as RFC 9112 (section 3.2) asks. HTTP/1.0 requests may omit it: browsers always send one.
 */
final class AdminAccess {

    private static final String IPV4 =
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}";
    private static final String NAME = "[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*";

    private final Set<String> names = new LinkedHashSet<>();
    private final List<String> suffixes;
    private final AdminServerSettings settings;

    AdminAccess(AdminServerSettings settings) {
        this.settings = settings;
        String listenOn = settings.host().toLowerCase(Locale.ROOT);
        if (isName(listenOn)) {
            names.add(stripDot(listenOn));
        }
        for (String allowed : settings.allowedHosts()) {
            if (!allowed.startsWith("*.")) {
                names.add(allowed);
            }
        }
        this.suffixes = settings.allowedHosts().stream()
                .filter(h -> h.startsWith("*."))
                .map(h -> h.substring(1))
                .toList();
    }

    /** Whether {@code host} is a DNS name (lower case), not an IP literal, as the allowlist takes it. */
    static boolean isName(String host) {
        return host.matches(NAME) && !host.matches(IPV4) && !host.matches("[0-9.]+");
    }

    static boolean isIpLiteral(String host) {
        return host.matches(IPV4) || (host.contains(":") && host.matches("\\[?[0-9a-f:.]+]?"));
    }

    /** Refuses a request whose Host this server does not answer to; see the class documentation. */
    void checkHost(Request r) {
        List<String> hosts = r.headerValues("Host");
        if (hosts.isEmpty()) {
            if (r.version().equals("HTTP/1.0")) {
                return;
            }
            throw new HttpError(400, "the request has no Host header, which HTTP/1.1 requires");
        }
        if (hosts.size() > 1) {
            throw new HttpError(400, "the request has " + hosts.size() + " Host headers; HTTP allows one");
        }
        String host = hostOf(hosts.get(0));
        if (host.startsWith("[") || host.matches(IPV4)) {
            return;
        }
        String name = stripDot(host);
        if (name.equals("localhost") || name.endsWith(".localhost") || names.contains(name)) {
            return;
        }
        for (String suffix : suffixes) {
            if (name.endsWith(suffix)) {
                return;
            }
        }
        throw new HttpError(
                403,
                "Host '" + hosts.get(0) + "' is not allowed: this admin server answers only to localhost, IP "
                        + "addresses, the host it listens on and AdminServerSettings.allowedHosts " + names
                        + ", so that a web page cannot reach it by pointing its own name at this address (DNS "
                        + "rebinding). If '" + name + "' is a name of this server, allow it with "
                        + "AdminServerSettings.withAllowedHosts(\"" + name + "\")");
    }

    /** The host of a Host header, lower case, without its port; IPv6 literals keep their brackets. */
    private static String hostOf(String value) {
        String v = value.toLowerCase(Locale.ROOT);
        String host;
        String port;
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0
                    || !v.substring(1, close).matches("[0-9a-f:.]+")
                    || !v.substring(1, close).contains(":")) {
                throw new HttpError(400, "Host '" + value + "' is not a valid IPv6 literal");
            }
            host = v.substring(0, close + 1);
            port = v.substring(close + 1);
        } else {
            int colon = v.indexOf(':');
            host = colon < 0 ? v : v.substring(0, colon);
            port = colon < 0 ? "" : v.substring(colon);
        }
        if (!port.isEmpty() && !port.matches(":\\d{1,5}")) {
            throw new HttpError(400, "Host '" + value + "' has a bad port");
        }
        if (!host.startsWith("[") && !host.matches(IPV4) && !stripDot(host).matches(NAME)) {
            throw new HttpError(400, "Host '" + value + "' is not a host name or an IP address");
        }
        return host;
    }

    private static String stripDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    /** A POST must not come from a page of another origin (a cross-site form or fetch). */
    void checkOrigin(Request r) {
        String origin = r.header("Origin");
        if (origin == null) {
            return;
        }
        if (origin.equals("null")) {
            throw new HttpError(403, "cross-origin request refused: opaque Origin");
        }
        String host = r.header("Host");
        if (host == null || !sameHost(origin, host)) {
            throw new HttpError(403, "cross-origin request refused: Origin " + origin + " is not this server");
        }
    }

    private static boolean sameHost(String origin, String host) {
        try {
            URI o = URI.create(origin);
            String authority = o.getPort() < 0 ? o.getHost() : o.getHost() + ":" + o.getPort();
            return authority != null && authority.equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether a read must carry the token: with {@code requireTokenForReads}, every read but the open paths. */
    boolean readNeedsToken(String path) {
        return settings.requireTokenForReads() && settings.bearerToken() != null && path.startsWith("/api/");
    }

    /** Refuses a request without the bearer token, when one is configured. */
    void checkToken(Request r, String what) {
        String token = settings.bearerToken();
        if (token == null) {
            return;
        }
        String auth = r.header("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new HttpError(
                    401,
                    what + ": it needs the header 'Authorization: Bearer <token>' with the admin server's bearer "
                            + "token");
        }
        byte[] given = auth.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8))) {
            throw new HttpError(401, "the bearer token is not the admin server's");
        }
    }
}
