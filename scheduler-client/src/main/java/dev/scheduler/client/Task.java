package dev.scheduler.client;

import dev.scheduler.client.internal.Text;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A task to run at {@code key().scheduledTime()}: its key and the application's data, which the engine
 * hands to the task executor unchanged.
 *
 * <p>{@code data} is copied into an unmodifiable map that keeps the given iteration order. Keys and values
 * may hold any character but must not be null and must be encodable in UTF-8 (no unpaired surrogates).
 * Its size is limited only by {@link TaskLimits#maxEncodedBytes()} for the whole encoded record.
 * Equality of two tasks ignores the order of their data.
 *
 * @param key identifies the task
 * @param data application data, possibly empty, never null
 */
public record Task(TaskKey key, Map<String, String> data) {

    /**
     * Checks the fields and copies {@code data}.
     *
     * @throws InvalidTaskException if {@code key} or {@code data} is null or {@code data} holds a null or
     *     unencodable key or value; the message names it
     */
    public Task {
        if (key == null) {
            throw new InvalidTaskException("key must not be null");
        }
        if (data == null) {
            throw new InvalidTaskException("data must not be null; use Map.of() for a task without data");
        }
        data = copyOf(data);
    }

    /** Same as the constructor. */
    public static Task of(TaskKey key, Map<String, String> data) {
        return new Task(key, data);
    }

    /** A task with a new {@link TaskKey}; see there for what each field accepts. */
    public static Task of(String orderingId, Instant scheduledTime, String uniquenessKey, Map<String, String> data) {
        return new Task(new TaskKey(orderingId, scheduledTime, uniquenessKey), data);
    }

    /** Shortcut for {@code key().orderingId()}. */
    public String orderingId() {
        return key.orderingId();
    }

    /** Shortcut for {@code key().scheduledTime()}, in whole milliseconds. */
    public Instant scheduledTime() {
        return key.scheduledTime();
    }

    /** Shortcut for {@code key().uniquenessKey()}. */
    public String uniquenessKey() {
        return key.uniquenessKey();
    }

    private static Map<String, String> copyOf(Map<String, String> data) {
        if (data.isEmpty()) {
            return Map.of();
        }
        LinkedHashMap<String, String> copy = new LinkedHashMap<>(data.size() * 4 / 3 + 1);
        for (Map.Entry<String, String> entry : data.entrySet()) {
            String name = entry.getKey();
            String value = entry.getValue();
            if (name == null) {
                throw new InvalidTaskException("data must not contain a null key");
            }
            TaskKey.requireEncodable("data key", name);
            if (value == null) {
                throw new InvalidTaskException("data value for key " + Text.quote(name) + " must not be null");
            }
            TaskKey.requireEncodable("data value for key " + Text.quote(name), value);
            copy.put(name, value);
        }
        return Collections.unmodifiableMap(copy);
    }
}
