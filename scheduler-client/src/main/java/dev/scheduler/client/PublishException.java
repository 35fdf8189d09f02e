package dev.scheduler.client;

/**
 * Kafka did not acknowledge a record: metadata or buffer space could not be had within
 * {@code max.block.ms}, the send timed out ({@code delivery.timeout.ms}), the broker refused it, or the
 * producer was closed while it was in flight. The cause is Kafka's exception. The record may or may not
 * have been written; sending the same task again is safe, because a task is identified by its key and
 * the engine treats a repeated key as one task.
 */
public final class PublishException extends SchedulerException {

    public PublishException(String message, Throwable cause) {
        super(message, cause);
    }
}
