package dev.scheduler.engine.admin;

import com.datastax.oss.driver.api.core.DriverException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.scheduler.client.InvalidTaskException;
import dev.scheduler.client.SchedulerException;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskInfo;
import dev.scheduler.engine.TaskStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes the admin server's requests to the {@link AdminService} and writes JSON answers. Every failure is
 * answered as {@code {"error": "..."}} with a status that says whose fault it is: 4xx for the request (with a
 * message naming the parameter and what it accepts), 5xx for the server or what it depends on.
 */
final class AdminHttp implements HttpHandler {

    private static final Logger log = LoggerFactory.getLogger(AdminHttp.class);
    private static final int MAX_BODY = 64 * 1024;
    private static final String JSON = "application/json; charset=utf-8";
    private static final String DASHBOARD = "dashboard.html";
    private static final Duration DEFAULT_OVERDUE_AFTER = Duration.ofSeconds(10);

    /** A failed request, answered with {@code status} and {@code message}. */
    static final class HttpError extends RuntimeException {
        final int status;

        HttpError(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
        static Response json(int status, Json.Body body) {
            return new Response(status, JSON, Json.bytes(body), Map.of());
        }
    }

    private final AdminService service;
    private final AdminServerSettings settings;
    private final byte[] dashboard;
    /** Requests that wait for Cassandra or Kafka; one thread is always left for the probes. */
    private final Semaphore waiting;

    AdminHttp(AdminService service, AdminServerSettings settings) {
        this.service = service;
        this.settings = settings;
        this.waiting = new Semaphore(Math.max(1, settings.threads() - 1));
        try (InputStream in = AdminHttp.class.getResourceAsStream(DASHBOARD)) {
            if (in == null) {
                throw new IllegalStateException(DASHBOARD + " is missing from the engine jar");
            }
            this.dashboard = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void handle(HttpExchange exchange) {
        Response response;
        try {
            response = route(exchange);
        } catch (HttpError e) {
            response = new Response(e.status, JSON, Json.error(e.getMessage()), e.status == 401
                    ? Map.of("WWW-Authenticate", "Bearer realm=\"scheduler-admin\"") : Map.of());
        } catch (IllegalArgumentException e) {
            response = new Response(400, JSON, Json.error(e.getMessage()), Map.of());
        } catch (RuntimeException e) {
            log.warn("admin request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            response = new Response(500, JSON, Json.error("internal error: " + e), Map.of());
        }
        send(exchange, response);
    }

    private Response route(HttpExchange exchange) {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        Map<String, String> params = query(exchange.getRequestURI());
        return switch (path) {
            case "/", "/dashboard" -> {
                get(method);
                allow(params);
                yield new Response(200, "text/html; charset=utf-8", dashboard, Map.of(
                        "Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; "
                                + "style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
                        "X-Frame-Options", "DENY"));
            }
            case "/favicon.ico" -> new Response(204, "image/x-icon", new byte[0], Map.of());
            case "/live" -> {
                get(method);
                Health h = service.health();
                yield Response.json(h.live() ? 200 : 503, g -> health(g, h));
            }
            case "/ready" -> {
                get(method);
                Health h = service.health();
                yield Response.json(h.ready() ? 200 : 503, g -> health(g, h));
            }
            case "/metrics" -> {
                get(method);
                Optional<String> text = service.prometheusScrape();
                if (text.isEmpty()) {
                    throw new HttpError(404, "no Prometheus registry: give the engine MicrometerMetrics.of(a "
                            + "PrometheusMeterRegistry) and put micrometer-registry-prometheus on the classpath");
                }
                yield new Response(200, "text/plain; version=0.0.4; charset=utf-8",
                        text.get().getBytes(StandardCharsets.UTF_8), Map.of());
            }
            case "/api/overview" -> {
                get(method);
                allow(params);
                Overview o = service.overview();
                yield Response.json(200, g -> overview(g, o));
            }
            case "/api/partitions" -> {
                get(method);
                allow(params, "overdueAfter");
                Duration after = params.containsKey("overdueAfter")
                        ? duration("overdueAfter", params.get("overdueAfter")) : DEFAULT_OVERDUE_AFTER;
                List<PartitionView> views = await(service.partitions(after));
                yield Response.json(200, g -> partitions(g, after, views));
            }
            case "/api/task" -> {
                get(method);
                allow(params, "orderingId", "scheduledTime", "uniquenessKey");
                TaskKey key = key(params);
                Optional<TaskInfo> info = await(service.task(key));
                if (info.isEmpty()) {
                    throw new HttpError(404, "no task " + key + " is stored (never scheduled, not stored yet, or "
                            + "expired after the retention period)");
                }
                yield Response.json(200, g -> Json.task(g, info.get()));
            }
            case "/api/tasks" -> {
                get(method);
                allow(params, "from", "to", "status", "orderingId", "partition", "errorsOnly", "pageSize",
                        "pageToken");
                TaskQuery query = taskQuery(params);
                TaskPage page = await(service.tasks(query));
                yield Response.json(200, g -> taskPage(g, query, page));
            }
            case "/api/dead-letters" -> {
                get(method);
                allow(params, "partition", "pageSize", "pageToken");
                Integer partition = params.containsKey("partition") ? integer("partition", params.get("partition"))
                        : null;
                int size = params.containsKey("pageSize") ? integer("pageSize", params.get("pageSize"))
                        : TaskQuery.DEFAULT_PAGE_SIZE;
                DeadLetterPage page = await(service.deadLetters(partition, size, params.get("pageToken")));
                yield Response.json(200, g -> deadLetters(g, page));
            }
            case "/api/task/cancel", "/api/task/retry" -> {
                post(method);
                allow(params);
                authorize(exchange);
                TaskKey key = key(Json.flatObject(body(exchange)));
                boolean cancel = path.endsWith("cancel");
                await(cancel ? service.cancel(key) : service.retry(key));
                yield Response.json(202, g -> {
                    g.writeStartObject();
                    g.writeBooleanField("accepted", true);
                    g.writeStringField("action", cancel ? "cancel" : "retry");
                    Json.key(g, "key", key);
                    g.writeStringField("message", cancel
                            ? "the cancel is on the topic; the partition's owner drops the task if it has not started"
                            : "the retry is on the topic; the partition's owner runs the task again now");
                    g.writeEndObject();
                });
            }
            default -> throw new HttpError(404, "no such endpoint: " + path + " (see docs/operations.md, "
                    + "\"Admin HTTP API\")");
        };
    }

    private static void get(String method) {
        if (!method.equals("GET")) {
            throw new HttpError(405, "method " + method + " is not allowed here: use GET");
        }
    }

    private static void post(String method) {
        if (!method.equals("POST")) {
            throw new HttpError(405, "method " + method + " is not allowed here: use POST");
        }
    }

    private static void allow(Map<String, String> params, String... names) {
        Set<String> known = Set.of(names);
        for (String name : params.keySet()) {
            if (!known.contains(name)) {
                throw new HttpError(400, "unknown parameter '" + name + "'"
                        + (names.length == 0 ? ": this endpoint takes none" : "; this endpoint takes "
                        + String.join(", ", names)));
            }
        }
    }

    private void authorize(HttpExchange exchange) {
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (origin != null && !origin.equals("null") && (host == null || !sameHost(origin, host))) {
            throw new HttpError(403, "cross-origin request refused: Origin " + origin + " is not this server");
        }
        if (origin != null && origin.equals("null")) {
            throw new HttpError(403, "cross-origin request refused: opaque Origin");
        }
        String token = settings.bearerToken();
        if (token == null) {
            return;
        }
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new HttpError(401, "this request changes state: it needs the header 'Authorization: Bearer "
                    + "<token>' with the admin server's bearer token");
        }
        byte[] given = auth.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8))) {
            throw new HttpError(401, "the bearer token is not the admin server's");
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

    private static byte[] body(HttpExchange exchange) {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                throw new HttpError(413, "the request body is larger than " + MAX_BODY + " bytes");
            }
            return body;
        } catch (IOException e) {
            throw new HttpError(400, "the request body could not be read: " + e.getMessage());
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> params = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name;
            String value;
            try {
                name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new HttpError(400, "the query string is not URL-encoded properly: " + e.getMessage());
            }
            if (params.put(name, value) != null) {
                throw new HttpError(400, "parameter '" + name + "' is given twice");
            }
        }
        return params;
    }

    private static TaskKey key(Map<String, String> fields) {
        for (String f : List.of("orderingId", "scheduledTime", "uniquenessKey")) {
            if (fields.get(f) == null || fields.get(f).isEmpty()) {
                throw new HttpError(400, "bad key: " + f + " is required (a task key is orderingId, scheduledTime "
                        + "and uniquenessKey)");
            }
        }
        Set<String> extra = new java.util.TreeSet<>(fields.keySet());
        extra.removeAll(List.of("orderingId", "scheduledTime", "uniquenessKey"));
        if (!extra.isEmpty()) {
            throw new HttpError(400, "bad key: unknown field(s) " + extra + "; a task key is orderingId, "
                    + "scheduledTime and uniquenessKey");
        }
        Instant time = time("scheduledTime", fields.get("scheduledTime"), "bad key: ");
        try {
            return TaskKey.of(fields.get("orderingId"), time, fields.get("uniquenessKey"));
        } catch (InvalidTaskException e) {
            throw new HttpError(400, "bad key: " + e.getMessage());
        }
    }

    private static TaskQuery taskQuery(Map<String, String> params) {
        Instant now = Instant.now();
        Instant from = params.containsKey("from") ? time("from", params.get("from"), "") : now.minus(Duration.ofHours(24));
        Instant to = params.containsKey("to") ? time("to", params.get("to"), "") : now.plus(Duration.ofHours(1));
        Set<TaskStatus> statuses = EnumSet.noneOf(TaskStatus.class);
        String status = params.getOrDefault("status", "");
        for (String s : status.split(",")) {
            String name = s.trim().toUpperCase(Locale.ROOT);
            if (name.isEmpty()) {
                continue;
            }
            try {
                statuses.add(TaskStatus.valueOf(name));
            } catch (IllegalArgumentException e) {
                throw new HttpError(400, "status: '" + s.trim() + "' is not a status; use PENDING, FAILED, "
                        + "CANCELLED or SUCCEEDED, several separated by commas");
            }
        }
        String errorsOnly = params.getOrDefault("errorsOnly", "false");
        if (!errorsOnly.equals("true") && !errorsOnly.equals("false")) {
            throw new HttpError(400, "errorsOnly: '" + errorsOnly + "' is not true or false");
        }
        String orderingId = params.get("orderingId");
        try {
            return new TaskQuery(from, to, statuses, orderingId == null || orderingId.isEmpty() ? null : orderingId,
                    params.containsKey("partition") ? integer("partition", params.get("partition")) : null,
                    errorsOnly.equals("true"), params.containsKey("pageSize")
                    ? integer("pageSize", params.get("pageSize")) : TaskQuery.DEFAULT_PAGE_SIZE,
                    params.get("pageToken"));
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, e.getMessage());
        }
    }

    private static Instant time(String name, String value, String prefix) {
        try {
            if (value.matches("-?\\d{1,18}")) {
                return Instant.ofEpochMilli(Long.parseLong(value));
            }
            return Instant.parse(value);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new HttpError(400, prefix + name + ": '" + value + "' is not a time; use an ISO-8601 instant "
                    + "such as 2026-11-27T05:20:37.123Z, or epoch milliseconds");
        }
    }

    private static Duration duration(String name, String value) {
        try {
            Duration d = value.matches("\\d{1,15}") ? Duration.ofMillis(Long.parseLong(value)) : Duration.parse(value);
            if (d.isNegative()) {
                throw new HttpError(400, name + ": '" + value + "' is negative");
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new HttpError(400, name + ": '" + value + "' is not a duration; use ISO-8601 such as PT30S, or "
                    + "milliseconds");
        }
    }

    private static int integer(String name, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new HttpError(400, name + ": '" + value + "' is not a whole number");
        }
    }

    /** Waits for the service (on this request thread) and turns its failure into the answer's status. */
    private <T> T await(CompletionStage<T> stage) {
        if (!waiting.tryAcquire()) {
            throw new HttpError(503, "the admin server is busy with other requests; try again in a moment");
        }
        try {
            return stage.toCompletableFuture().get(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new HttpError(504, "no answer from Cassandra or Kafka within " + settings.requestTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpError(503, "the admin server is stopping");
        } catch (ExecutionException | CompletionException e) {
            throw asHttpError(e.getCause() == null ? e : e.getCause());
        } finally {
            waiting.release();
        }
    }

    private static HttpError asHttpError(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof HttpError h) {
            return h;
        }
        if (e instanceof IllegalArgumentException || e instanceof InvalidTaskException) {
            return new HttpError(400, e.getMessage());
        }
        if (e instanceof AdminException a) {
            return new HttpError(switch (a.reason()) {
                case NOT_FOUND -> 404;
                case CONFLICT -> 409;
                case UNAVAILABLE -> 503;
            }, a.getMessage());
        }
        if (e instanceof DriverException) {
            return new HttpError(503, "Cassandra failed to answer: " + e.getMessage());
        }
        if (e instanceof SchedulerException) {
            return new HttpError(503, "Kafka did not take the request: " + e.getMessage());
        }
        if (e instanceof IllegalStateException) {
            return new HttpError(503, e.getMessage());
        }
        log.warn("admin request failed", e);
        return new HttpError(500, "internal error: " + e);
    }

    private static void send(HttpExchange exchange, Response r) {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", r.contentType());
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            r.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            exchange.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
            if (r.body().length > 0) {
                exchange.getResponseBody().write(r.body());
            }
        } catch (IOException e) {
            log.debug("writing an admin response failed (client gone?): {}", e.toString());
        }
    }

    // --- JSON of the answers -------------------------------------------------------------------------------

    private static void health(JsonGenerator g, Health h) throws IOException {
        g.writeStartObject();
        g.writeBooleanField("live", h.live());
        g.writeBooleanField("ready", h.ready());
        g.writeArrayFieldStart("problems");
        for (String p : h.problems()) {
            g.writeString(p);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void overview(JsonGenerator g, Overview o) throws IOException {
        g.writeStartObject();
        g.writeStringField("topic", o.topic());
        g.writeStringField("groupId", o.groupId());
        g.writeStringField("instanceId", o.instanceId());
        g.writeNumberField("partitionCount", o.partitionCount());
        g.writeArrayFieldStart("ownedPartitions");
        for (int p : o.ownedPartitions()) {
            g.writeNumber(p);
        }
        g.writeEndArray();
        g.writeFieldName("health");
        health(g, o.health());
        Activity a = o.activity();
        g.writeObjectFieldStart("activity");
        Json.millis(g, "windowMs", a.window());
        g.writeNumberField("attemptsStarted", a.attemptsStarted());
        g.writeNumberField("attemptsSucceeded", a.attemptsSucceeded());
        g.writeNumberField("attemptsFailed", a.attemptsFailed());
        g.writeNumberField("attemptsTimedOut", a.attemptsTimedOut());
        g.writeNumberField("finishedPerSecond", a.finishedPerSecond());
        percentiles(g, "latenessMs", a.lateness());
        percentiles(g, "durationMs", a.duration());
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void percentiles(JsonGenerator g, String field, Activity.Percentiles p) throws IOException {
        g.writeObjectFieldStart(field);
        g.writeNumberField("samples", p.samples());
        Json.millis(g, "p50", p.p50());
        Json.millis(g, "p90", p.p90());
        Json.millis(g, "p99", p.p99());
        Json.millis(g, "p999", p.p999());
        Json.millis(g, "max", p.max());
        g.writeEndObject();
    }

    private static void partitions(JsonGenerator g, Duration overdueAfter, List<PartitionView> views)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("overdueAfter", overdueAfter.toString());
        g.writeArrayFieldStart("partitions");
        for (PartitionView v : views) {
            g.writeStartObject();
            g.writeNumberField("partition", v.partition());
            g.writeStringField("owner", v.owner());
            if (v.ownerEpoch() == null) {
                g.writeNullField("ownerEpoch");
            } else {
                g.writeNumberField("ownerEpoch", v.ownerEpoch());
            }
            Json.time(g, "claimedAt", v.claimedAt());
            g.writeBooleanField("released", v.released());
            g.writeBooleanField("ownedHere", v.ownedHere());
            nullable(g, "healthy", v.healthy());
            nullable(g, "tasksInMemory", v.tasksInMemory());
            nullable(g, "unpersistedRecords", v.unpersistedRecords());
            nullable(g, "durableOffset", v.durableOffset());
            nullable(g, "consumerLag", v.consumerLag());
            Json.time(g, "checkpoint", v.checkpoint());
            g.writeNumberField("overdueTasks", v.overdueTasks());
            g.writeBooleanField("overdueCountCapped", v.overdueCountCapped());
            Json.key(g, "oldestOverdue", v.oldestOverdue());
            Json.time(g, "oldestOverdueDueAt", v.oldestOverdueDueAt());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void nullable(JsonGenerator g, String field, Object value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else if (value instanceof Boolean b) {
            g.writeBooleanField(field, b);
        } else {
            g.writeNumberField(field, ((Number) value).longValue());
        }
    }

    private static void taskPage(JsonGenerator g, TaskQuery q, TaskPage page) throws IOException {
        g.writeStartObject();
        Json.time(g, "from", q.from());
        Json.time(g, "to", q.to());
        g.writeArrayFieldStart("tasks");
        for (TaskInfo t : page.tasks()) {
            Json.task(g, t);
        }
        g.writeEndArray();
        g.writeStringField("nextPageToken", page.nextPageToken());
        g.writeNumberField("rowsScanned", page.rowsScanned());
        g.writeEndObject();
    }

    private static void deadLetters(JsonGenerator g, DeadLetterPage page) throws IOException {
        g.writeStartObject();
        g.writeArrayFieldStart("records");
        for (DeadLetterRecord r : page.records()) {
            g.writeStartObject();
            g.writeNumberField("partition", r.partition());
            g.writeNumberField("offset", r.offset());
            Json.time(g, "receivedAt", r.receivedAt());
            g.writeStringField("reason", r.reason());
            g.writeStringField("recordKey", r.recordKey());
            g.writeStringField("raw", r.rawText());
            g.writeNumberField("rawBytes", r.rawBytes());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeStringField("nextPageToken", page.nextPageToken());
        g.writeEndObject();
    }
}
