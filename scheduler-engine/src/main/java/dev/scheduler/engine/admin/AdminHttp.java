package dev.scheduler.engine.admin;

import com.datastax.oss.driver.api.core.DriverException;
import dev.scheduler.client.InvalidTaskException;
import dev.scheduler.client.PublishException;
import dev.scheduler.client.SchedulerException;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes the admin server's requests to the {@link AdminService} and writes JSON answers ({@link AdminRequest}
 * reads the requests, {@link JsonViews} writes the answers' documents). Every failure is answered as
 * {@code {"error": "..."}} with a status that says whose fault it is: 4xx for the request (with a message naming
 * the parameter and what it accepts), 5xx for the server or what it depends on.
 */
final class AdminHttp implements Function<Request, Response> {

    private static final Logger log = LoggerFactory.getLogger(AdminHttp.class);
    private static final String DASHBOARD = "dashboard.html";

    private final AdminService service;
    private final AdminServerSettings settings;
    private final AdminAccess access;
    private final byte[] dashboard;
    /** Requests that wait for Cassandra or Kafka; one thread is always left for the probes. */
    private final Semaphore waiting;

    AdminHttp(AdminService service, AdminServerSettings settings) {
        this.service = service;
        this.settings = settings;
        this.access = new AdminAccess(settings);
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

    /** Answers one request; never throws (a bug is answered 500 with an error id, and logged under it). */
    @Override
    public Response apply(Request request) {
        try {
            access.checkHost(request);
            return route(request);
        } catch (Bug e) {
            return internalError(request.method() + " " + request.uri().getRawPath(), e.getCause());
        } catch (HttpError e) {
            return Response.error(e.status, e.getMessage());
        } catch (IllegalArgumentException e) {
            return Response.error(400, e.getMessage());
        } catch (RuntimeException | Error e) {
            return internalError(request.method() + " " + request.uri().getRawPath(), e);
        }
    }

    /**
     * The answer to a bug: {@code {"error": "internal error", "errorId": "..."}}, with nothing of the exception
     * (its text may hold data or internals), which is logged at ERROR with the same id for the operator to find.
     */
    static Response internalError(String request, Throwable e) {
        String id = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
        log.error("admin request {} failed with a bug (error id {})", request, id, e);
        return Response.json(500, g -> {
            g.writeStartObject();
            g.writeStringField("error", "internal error");
            g.writeStringField("errorId", id);
            g.writeEndObject();
        });
    }

    private Response route(Request request) {
        String path = request.uri().getPath();
        String method = request.method();
        Map<String, String> params = AdminRequest.query(request.uri());
        if (method.equals("GET") && access.readNeedsToken(path)) {
            access.checkToken(request, "this server requires the bearer token for reads (requireTokenForReads)");
        }
        return switch (path) {
            case "/", "/dashboard" -> {
                requireMethod(method, "GET");
                AdminRequest.allow(params);
                yield new Response(
                        200,
                        "text/html; charset=utf-8",
                        dashboard,
                        Map.of(
                                "Content-Security-Policy",
                                "default-src 'self'; script-src 'unsafe-inline'; "
                                        + "style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
                                "X-Frame-Options",
                                "DENY"));
            }
            case "/favicon.ico" -> new Response(204, "image/x-icon", new byte[0], Map.of());
            case "/live" -> {
                requireMethod(method, "GET");
                Health h = service.health();
                yield Response.json(h.live() ? 200 : 503, g -> JsonViews.health(g, h));
            }
            case "/ready" -> {
                requireMethod(method, "GET");
                Health h = service.health();
                yield Response.json(h.ready() ? 200 : 503, g -> JsonViews.health(g, h));
            }
            case "/metrics" -> {
                requireMethod(method, "GET");
                Optional<String> text = service.prometheusScrape();
                if (text.isEmpty()) {
                    throw new HttpError(
                            404,
                            "no Prometheus registry: give the engine MicrometerMetrics.of(a "
                                    + "PrometheusMeterRegistry) and put micrometer-registry-prometheus on the classpath");
                }
                yield new Response(
                        200,
                        "text/plain; version=0.0.4; charset=utf-8",
                        text.get().getBytes(StandardCharsets.UTF_8),
                        Map.of());
            }
            case "/api/overview" -> {
                requireMethod(method, "GET");
                AdminRequest.allow(params);
                Overview o = service.overview();
                yield Response.json(200, g -> JsonViews.overview(g, o));
            }
            case "/api/partitions" -> {
                requireMethod(method, "GET");
                AdminRequest.allow(params, "overdueAfter");
                Duration after = AdminRequest.overdueAfter(params);
                List<PartitionView> views = await(service.partitions(after));
                yield Response.json(200, g -> JsonViews.partitions(g, after, views));
            }
            case "/api/task" -> {
                requireMethod(method, "GET");
                AdminRequest.allow(params, "orderingId", "scheduledTime", "uniquenessKey");
                TaskKey key = AdminRequest.key(params);
                Optional<TaskInfo> info = await(service.task(key));
                if (info.isEmpty()) {
                    throw new HttpError(
                            404,
                            "no task " + key + " is stored (never scheduled, not stored yet, or "
                                    + "expired after the retention period)");
                }
                yield Response.json(200, g -> JsonViews.task(g, info.get()));
            }
            case "/api/tasks" -> {
                requireMethod(method, "GET");
                AdminRequest.allow(
                        params,
                        "from",
                        "to",
                        "status",
                        "orderingId",
                        "partition",
                        "errorsOnly",
                        "pageSize",
                        "pageToken");
                TaskQuery query = AdminRequest.taskQuery(params);
                TaskPage page = await(service.tasks(query));
                yield Response.json(200, g -> JsonViews.taskPage(g, query, page));
            }
            case "/api/dead-letters" -> {
                requireMethod(method, "GET");
                AdminRequest.allow(params, "partition", "pageSize", "pageToken");
                DeadLetterPage page = await(service.deadLetters(
                        AdminRequest.partition(params), AdminRequest.pageSize(params), params.get("pageToken")));
                yield Response.json(200, g -> JsonViews.deadLetters(g, page));
            }
            case "/api/task/cancel", "/api/task/retry" -> {
                requireMethod(method, "POST");
                AdminRequest.allow(params);
                access.checkOrigin(request);
                access.checkToken(request, "this request changes state");
                TaskKey key = AdminRequest.key(Json.flatObject(request.body()));
                boolean cancel = path.endsWith("cancel");
                await(cancel ? service.cancel(key) : service.retry(key));
                yield Response.json(202, g -> JsonViews.accepted(g, cancel, key));
            }
            default ->
                throw new HttpError(
                        404, "no such endpoint: " + path + " (see docs/operations.md, " + "\"Admin HTTP API\")");
        };
    }

    private static void requireMethod(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw new HttpError(405, "method " + method + " is not allowed here: use " + allowed);
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
            return new HttpError(
                    switch (a.reason()) {
                        case NOT_FOUND -> 404;
                        case CONFLICT -> 409;
                        case UNAVAILABLE -> 503;
                    },
                    a.getMessage());
        }
        if (e instanceof DriverException) {
            return new HttpError(503, "Cassandra failed to answer: " + e.getMessage());
        }
        if (e instanceof PublishException) {
            // Its message says whether Kafka is unreachable (the command was not published) or refused it.
            return new HttpError(503, e.getMessage());
        }
        if (e instanceof SchedulerException) {
            return new HttpError(503, "Kafka did not take the request: " + e.getMessage());
        }
        if (e instanceof IllegalStateException) {
            return new HttpError(503, e.getMessage());
        }
        return new Bug(e);
    }

    /** A failure of the service that is a bug: answered 500 with an error id by {@link #apply}. */
    private static final class Bug extends HttpError {
        Bug(Throwable cause) {
            super(500, "internal error", cause);
        }
    }
}
