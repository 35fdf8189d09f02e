package dev.scheduler.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scheduler.client.TaskKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Calls an engine's admin HTTP server the way an operator's script would, and reads its JSON. */
final class AdminHttpClient {

    record Answer(int status, JsonNode json) {
        String error() {
            return json.path("error").asText(null);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    AdminHttpClient(URI base) {
        this.base = base;
    }

    static String query(Map<String, String> params) {
        return params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    static Map<String, String> keyParams(TaskKey key) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("orderingId", key.orderingId());
        m.put("scheduledTime", key.scheduledTime().toString());
        m.put("uniquenessKey", key.uniquenessKey());
        return m;
    }

    static String keyJson(TaskKey key) {
        try {
            return JSON.writeValueAsString(keyParams(key));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Answer get(String path, Map<String, String> params) {
        String q = params.isEmpty() ? "" : "?" + query(params);
        return send(HttpRequest.newBuilder(base.resolve(path + q)).GET());
    }

    Answer get(String path) {
        return get(path, Map.of());
    }

    Answer post(String path, String body, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b);
    }

    /** The task as the API shows it, or null when it answers 404. */
    JsonNode task(TaskKey key) {
        Answer a = get("/api/task", keyParams(key));
        if (a.status() == 404) {
            return null;
        }
        if (a.status() != 200) {
            throw new AssertionError("GET /api/task answered " + a.status() + ": " + a.json());
        }
        return a.json();
    }

    String status(TaskKey key) {
        JsonNode t = task(key);
        return t == null ? null : t.get("status").asText();
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r =
                    http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
            return new Answer(r.statusCode(), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
