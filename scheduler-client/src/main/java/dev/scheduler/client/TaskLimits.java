package dev.scheduler.client;

import dev.scheduler.client.internal.Utf8;
import dev.scheduler.client.wire.ScheduleTask;
import dev.scheduler.client.wire.TaskRecordCodec;

/**
 * Size limits on what a client sends, checked before anything reaches Kafka, so an oversized task fails
 * at the call that made it and not in a broker, a Cassandra write or a log line far away.
 *
 * <p>The defaults ({@link #defaults()}): each id at most {@value #DEFAULT_MAX_ID_BYTES} bytes in UTF-8,
 * and the whole encoded record at most {@value #DEFAULT_MAX_ENCODED_BYTES} bytes (64 KiB), well under
 * Kafka's default 1 MiB {@code max.request.size} and comfortable for a Cassandra row. Raising
 * {@code maxEncodedBytes} past the producer's {@code max.request.size} or the topic's
 * {@code max.message.bytes} only moves the failure into Kafka.
 *
 * @param maxIdBytes the most UTF-8 bytes an {@code orderingId} or a {@code uniquenessKey} may take; at
 *     least 1
 * @param maxEncodedBytes the most bytes a record may take in the wire format; at least 1
 */
public record TaskLimits(int maxIdBytes, int maxEncodedBytes) {

    /** Default for {@link #maxIdBytes()}. */
    public static final int DEFAULT_MAX_ID_BYTES = 512;

    /** Default for {@link #maxEncodedBytes()}: 64 KiB. */
    public static final int DEFAULT_MAX_ENCODED_BYTES = 64 * 1024;

    private static final TaskLimits DEFAULTS = new TaskLimits(DEFAULT_MAX_ID_BYTES, DEFAULT_MAX_ENCODED_BYTES);

    /**
     * Checks the limits.
     *
     * @throws IllegalArgumentException if a limit is below 1
     */
    public TaskLimits {
        if (maxIdBytes < 1) {
            throw new IllegalArgumentException("maxIdBytes must be at least 1, was " + maxIdBytes);
        }
        if (maxEncodedBytes < 1) {
            throw new IllegalArgumentException("maxEncodedBytes must be at least 1, was " + maxEncodedBytes);
        }
    }

    /** Ids up to {@value #DEFAULT_MAX_ID_BYTES} bytes, records up to {@value #DEFAULT_MAX_ENCODED_BYTES} bytes. */
    public static TaskLimits defaults() {
        return DEFAULTS;
    }

    /**
     * Checks the task's ids and the size of its encoded schedule record. Encodes the task to measure it;
     * a caller that encodes anyway can check {@link #validate(TaskKey)} and
     * {@link #validateEncodedSize(int)} instead.
     *
     * @throws InvalidTaskException naming the field, its size and the limit, e.g. {@code orderingId is 700
     *     bytes in UTF-8; the limit is 512 (TaskLimits.maxIdBytes)}
     */
    public void validate(Task task) {
        if (task == null) {
            throw new InvalidTaskException("task must not be null");
        }
        validate(task.key());
        validateEncodedSize(TaskRecordCodec.encode(new ScheduleTask(task)).length);
    }

    /**
     * Checks the key's ids against {@link #maxIdBytes()}. A cancel record is the key alone, so its
     * encoded size follows from the ids; {@link #validateEncodedSize(int)} still applies to it.
     *
     * @throws InvalidTaskException naming the field, its size and the limit
     */
    public void validate(TaskKey key) {
        if (key == null) {
            throw new InvalidTaskException("key must not be null");
        }
        validateId("orderingId", key.orderingId());
        validateId("uniquenessKey", key.uniquenessKey());
    }

    /**
     * Checks the size of an encoded record, as {@link TaskRecordCodec#encode} made it, against
     * {@link #maxEncodedBytes()}.
     *
     * @throws InvalidTaskException naming the size and the limit
     */
    public void validateEncodedSize(int encodedBytes) {
        if (encodedBytes > maxEncodedBytes) {
            throw new InvalidTaskException("task encodes to " + encodedBytes + " bytes; the limit is " + maxEncodedBytes
                    + " (TaskLimits.maxEncodedBytes)");
        }
    }

    private void validateId(String field, String value) {
        // Cheap check first: no string of n chars takes more than 3n bytes in UTF-8.
        if (value.length() * 3L <= maxIdBytes) {
            return;
        }
        int bytes = Utf8.encodedLength(value);
        if (bytes > maxIdBytes) {
            throw new InvalidTaskException(field + " is " + bytes + " bytes in UTF-8; the limit is " + maxIdBytes
                    + " (TaskLimits.maxIdBytes)");
        }
    }
}
