package dev.scheduler.engine.internal.store;

import com.datastax.oss.driver.api.core.cql.Row;
import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskStatus;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Reads the engine's rows into its types. */
final class Rows {

    private Rows() {}

    static TaskKey key(Row row) {
        return TaskKey.of(
                row.getString("ordering_id"), row.getInstant("scheduled_time"), row.getString("uniqueness_key"));
    }

    private static final Set<String> KNOWN =
            Arrays.stream(TaskStatus.values()).map(Enum::name).collect(Collectors.toUnmodifiableSet());

    /**
     * A null status is a pending task (the status column is only written when a task finishes or is cancelled).
     * A status this engine does not know (written by a newer version, or by hand) reads as FAILED: finished, so
     * it is never run, and never stalls a load by failing it again and again. Loads skip such rows
     * ({@link #knownStatus}), and the store logs each one it meets.
     */
    static TaskStatus status(Row row) {
        String s = row.getString("status");
        if (s == null) {
            return TaskStatus.PENDING;
        }
        return KNOWN.contains(s) ? TaskStatus.valueOf(s) : TaskStatus.FAILED;
    }

    /** False for a status string this engine does not know: the row is set aside. */
    static boolean knownStatus(Row row) {
        String s = row.getString("status");
        return s == null || KNOWN.contains(s);
    }

    /** A row of {@link Cql#TASK_COLUMNS}. */
    static StoredTask storedTask(Row row) {
        Map<String, String> data = row.getMap("task_data", String.class, String.class);
        return new StoredTask(
                Task.of(key(row), data == null ? Map.of() : data),
                status(row),
                row.isNull("attempts") ? 0 : row.getInt("attempts"),
                row.getInstant("next_attempt_at"),
                row.getString("last_error"));
    }

    static OwnerRow owner(Row row) {
        return new OwnerRow(
                row.getLong("epoch"),
                row.getString("owner"),
                row.getColumnDefinitions().contains("claimed_at") ? row.getInstant("claimed_at") : null,
                !row.isNull("released") && row.getBoolean("released"));
    }

    /**
     * Not applied, but pending and marked with this request's time: this very request, sent again after its reset
     * applied and then reported a failure.
     */
    static boolean resetByThisRequest(Row notApplied, RetryRequest request) {
        // A key with no row answers with [applied] alone: it was not reset by anyone.
        return notApplied != null
                && notApplied.getColumnDefinitions().contains("status")
                && notApplied.getColumnDefinitions().contains("updated_at")
                && notApplied.isNull("status")
                && request.requestedAt().equals(notApplied.getInstant("updated_at"));
    }

    /** The current values a compare-and-set that did not apply answers with: is the status CANCELLED? */
    static boolean cancelledAlready(Row notApplied) {
        return notApplied != null
                && notApplied.getColumnDefinitions().contains("status")
                && TaskStatus.CANCELLED.name().equals(notApplied.getString("status"));
    }
}
