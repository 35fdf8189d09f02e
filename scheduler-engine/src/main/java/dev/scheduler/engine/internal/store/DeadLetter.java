package dev.scheduler.engine.internal.store;

/**
 * A Kafka record the engine could not accept, set aside with the reason so that its partition keeps going.
 *
 * @param partition Kafka partition
 * @param offset Kafka offset
 * @param recordKey the record's key as text, or null
 * @param value the raw value bytes (may be null for a tombstone)
 * @param reason why it was set aside
 */
public record DeadLetter(int partition, long offset, String recordKey, byte[] value, String reason) {}
