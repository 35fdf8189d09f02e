package dev.scheduler.client;

import dev.scheduler.client.internal.Text;
import dev.scheduler.client.internal.Utf8;
import dev.scheduler.client.internal.WireTime;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * Identifies a task: scheduling a task whose key already exists replaces it (or does nothing, if it has
 * already run), and cancelling a key cancels that one task.
 *
 * <p><b>Precision.</b> {@code scheduledTime} is truncated to whole milliseconds when the key is made:
 * finer digits are dropped, never rounded (12:00:00.1239 becomes 12:00:00.123, and before 1970 too the
 * result is the earlier millisecond). So two keys that differ only below a millisecond are equal and name
 * the same task. The wire format and the engine's store keep milliseconds, no more.
 *
 * <p><b>Ids.</b> {@code orderingId} and {@code uniquenessKey} may hold any character, commas, quotes,
 * newlines and emoji included, but must not be blank and must be well-formed UTF-16 (no unpaired
 * surrogate, because such a string has no UTF-8 encoding). Their lengths are limited by
 * {@link TaskLimits}, which the client checks. {@code scheduledTime} must lie between
 * {@link #MIN_SCHEDULED_TIME} and {@link #MAX_SCHEDULED_TIME}, the range of a four-digit year.
 *
 * <p><b>Order.</b> {@link #compareTo} orders by {@code scheduledTime}, then {@code orderingId}, then
 * {@code uniquenessKey}, comparing strings by their UTF-8 bytes taken unsigned, which is Unicode code
 * point order. That is exactly how Cassandra sorts {@code timestamp} then {@code text} clustering
 * columns, so an in-memory sort agrees with a table scan. (It is not {@link String#compareTo}, which
 * sorts supplementary characters such as emoji before U+E000..U+FFFF.) The order is consistent with
 * {@code equals}.
 *
 * @param orderingId tasks with the same ordering id run one at a time, in key order; also the Kafka
 *     record key, so it decides the partition
 * @param scheduledTime when the task is due, truncated to milliseconds
 * @param uniquenessKey tells apart tasks with the same ordering id and time
 */
public record TaskKey(String orderingId, Instant scheduledTime, String uniquenessKey) implements Comparable<TaskKey> {

    /** The earliest scheduled time a key accepts: 0000-01-01T00:00:00.000Z. */
    public static final Instant MIN_SCHEDULED_TIME =
            LocalDateTime.of(0, 1, 1, 0, 0).toInstant(ZoneOffset.UTC);

    /** The latest scheduled time a key accepts: 9999-12-31T23:59:59.999Z. */
    public static final Instant MAX_SCHEDULED_TIME =
            LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_000_000).toInstant(ZoneOffset.UTC);

    /**
     * Checks the fields and truncates {@code scheduledTime} to milliseconds.
     *
     * @throws InvalidTaskException if a field is null, blank, not encodable or out of range; the message
     *     names the field
     */
    public TaskKey {
        requireId("orderingId", orderingId);
        if (scheduledTime == null) {
            throw new InvalidTaskException("scheduledTime must not be null");
        }
        if (scheduledTime.getNano() % 1_000_000 != 0) {
            scheduledTime = scheduledTime.truncatedTo(ChronoUnit.MILLIS);
        }
        if (scheduledTime.isBefore(MIN_SCHEDULED_TIME) || scheduledTime.isAfter(MAX_SCHEDULED_TIME)) {
            throw new InvalidTaskException("scheduledTime " + scheduledTime + " is outside the supported range "
                    + WireTime.format(MIN_SCHEDULED_TIME) + " to " + WireTime.format(MAX_SCHEDULED_TIME));
        }
        requireId("uniquenessKey", uniquenessKey);
    }

    /** Same as the constructor. */
    public static TaskKey of(String orderingId, Instant scheduledTime, String uniquenessKey) {
        return new TaskKey(orderingId, scheduledTime, uniquenessKey);
    }

    private static void requireId(String field, String value) {
        if (value == null) {
            throw new InvalidTaskException(field + " must not be null");
        }
        if (value.isBlank()) {
            throw new InvalidTaskException(field + " must not be blank, was " + Text.quote(value));
        }
        requireEncodable(field, value);
    }

    /** Rejects a string with an unpaired surrogate, naming {@code what} and where the surrogate is. */
    static void requireEncodable(String what, String value) {
        int at = Utf8.unpairedSurrogateIndex(value);
        if (at >= 0) {
            throw new InvalidTaskException(String.format(
                    "%s has an unpaired surrogate U+%04X at index %d, so it cannot be encoded in UTF-8: %s",
                    what, (int) value.charAt(at), at, Text.quote(value)));
        }
    }

    @Override
    public int compareTo(TaskKey other) {
        int c = scheduledTime.compareTo(other.scheduledTime);
        if (c != 0) {
            return c;
        }
        c = Utf8.compare(orderingId, other.orderingId);
        if (c != 0) {
            return c;
        }
        return Utf8.compare(uniquenessKey, other.uniquenessKey);
    }

    /** For example {@code TaskKey[2026-11-27T05:20:37.123Z, "order-42", "reminder"]}; ids quoted and escaped. */
    @Override
    public String toString() {
        return "TaskKey[" + WireTime.format(scheduledTime) + ", " + Text.quote(orderingId) + ", "
                + Text.quote(uniquenessKey) + "]";
    }
}
