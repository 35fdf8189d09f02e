package dev.scheduler.client.wire;

import dev.scheduler.client.SchedulerException;

/**
 * A record cannot be decoded: it is not JSON, lacks a field, has a field of the wrong type or an invalid
 * value, or is of a wire format version or record type this library does not read. The message names
 * the problem; the cause, if any, is the parser's or the task model's exception. Decoding the same bytes
 * again fails the same way, so a reader should set such a record aside rather than retry it.
 */
public final class WireFormatException extends SchedulerException {

    public WireFormatException(String message) {
        super(message);
    }

    public WireFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
