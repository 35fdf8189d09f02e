package dev.scheduler.engine.admin;

import dev.scheduler.client.InvalidTaskException;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskStatus;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads an admin request: its query parameters and body, and the task keys, listings, times and numbers in them.
 * What it cannot read is refused with a 4xx {@link HttpError} naming the parameter and what it accepts, so that
 * the operator can fix the request from the answer alone.
 */
final class AdminRequest {

    private static final Duration DEFAULT_OVERDUE_AFTER = Duration.ofSeconds(10);

    private AdminRequest() {}

    static Map<String, String> query(URI uri) {
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

    /** Refuses what the endpoint does not take, so that a misspelt filter does not widen a listing silently. */
    static void allow(Map<String, String> params, String... names) {
        Set<String> known = Set.of(names);
        for (String name : params.keySet()) {
            if (!known.contains(name)) {
                throw new HttpError(
                        400,
                        "unknown parameter '" + name + "'"
                                + (names.length == 0
                                        ? ": this endpoint takes none"
                                        : "; this endpoint takes " + String.join(", ", names)));
            }
        }
    }

    static TaskKey key(Map<String, String> fields) {
        for (String f : List.of("orderingId", "scheduledTime", "uniquenessKey")) {
            if (fields.get(f) == null || fields.get(f).isEmpty()) {
                throw new HttpError(
                        400,
                        "bad key: " + f + " is required (a task key is orderingId, scheduledTime "
                                + "and uniquenessKey)");
            }
        }
        Set<String> extra = new TreeSet<>(fields.keySet());
        extra.removeAll(List.of("orderingId", "scheduledTime", "uniquenessKey"));
        if (!extra.isEmpty()) {
            throw new HttpError(
                    400,
                    "bad key: unknown field(s) " + extra + "; a task key is orderingId, "
                            + "scheduledTime and uniquenessKey");
        }
        Instant time = time("scheduledTime", fields.get("scheduledTime"), "bad key: ");
        try {
            return TaskKey.of(fields.get("orderingId"), time, fields.get("uniquenessKey"));
        } catch (InvalidTaskException e) {
            throw new HttpError(400, "bad key: " + e.getMessage());
        }
    }

    static TaskQuery taskQuery(Map<String, String> params) {
        Instant now = Instant.now();
        Instant from =
                params.containsKey("from") ? time("from", params.get("from"), "") : now.minus(Duration.ofHours(24));
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
                throw new HttpError(
                        400,
                        "status: '" + s.trim() + "' is not a status; use PENDING, FAILED, "
                                + "CANCELLED or SUCCEEDED, several separated by commas");
            }
        }
        String errorsOnly = params.getOrDefault("errorsOnly", "false");
        if (!errorsOnly.equals("true") && !errorsOnly.equals("false")) {
            throw new HttpError(400, "errorsOnly: '" + errorsOnly + "' is not true or false");
        }
        String orderingId = params.get("orderingId");
        try {
            return new TaskQuery(
                    from,
                    to,
                    statuses,
                    orderingId == null || orderingId.isEmpty() ? null : orderingId,
                    partition(params),
                    errorsOnly.equals("true"),
                    pageSize(params),
                    params.get("pageToken"));
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, e.getMessage());
        }
    }

    static Duration overdueAfter(Map<String, String> params) {
        return params.containsKey("overdueAfter")
                ? duration("overdueAfter", params.get("overdueAfter"))
                : DEFAULT_OVERDUE_AFTER;
    }

    static Integer partition(Map<String, String> params) {
        return params.containsKey("partition") ? integer("partition", params.get("partition")) : null;
    }

    static int pageSize(Map<String, String> params) {
        return params.containsKey("pageSize")
                ? integer("pageSize", params.get("pageSize"))
                : TaskQuery.DEFAULT_PAGE_SIZE;
    }

    private static Instant time(String name, String value, String prefix) {
        try {
            if (value.matches("-?\\d{1,18}")) {
                return Instant.ofEpochMilli(Long.parseLong(value));
            }
            return Instant.parse(value);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new HttpError(
                    400,
                    prefix + name + ": '" + value + "' is not a time; use an ISO-8601 instant "
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
            throw new HttpError(
                    400,
                    name + ": '" + value + "' is not a duration; use ISO-8601 such as PT30S, or " + "milliseconds");
        }
    }

    private static int integer(String name, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new HttpError(400, name + ": '" + value + "' is not a whole number");
        }
    }
}
