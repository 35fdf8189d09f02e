package dev.scheduler.engine.admin;

import java.time.Instant;

/**
 * A Kafka record the engine set aside because it could not read or accept it; its partition went on without it.
 *
 * @param partition the Kafka partition
 * @param offset its offset there
 * @param receivedAt when the engine set it aside
 * @param reason why, as the engine logged it
 * @param recordKey the record's key as text, or null
 * @param rawText the value as UTF-8 text (malformed bytes replaced), cut at {@value #MAX_RAW_TEXT} characters;
 *     null for a record without a value
 * @param rawBytes the value's length in bytes, or -1 without a value
 */
public record DeadLetterRecord(
        int partition, long offset, Instant receivedAt, String reason, String recordKey, String rawText, int rawBytes) {

    /** Longest value text returned: the whole value may be much larger (a record too big is one reason to be here). */
    public static final int MAX_RAW_TEXT = 8192;
}
