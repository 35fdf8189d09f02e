package dev.scheduler.engine.internal.store;

import dev.scheduler.client.TaskKey;
import java.time.Instant;
import java.util.Objects;

/**
 * An operator's request to run a FAILED task once more, as read from its retry record.
 *
 * @param requestedAt the record's Kafka timestamp: the request applies only to a failure that ended before it,
 *     so that a request read twice (two quick requests, or one replayed after a rebalance) runs the task once
 */
public record RetryRequest(TaskKey key, Instant requestedAt) {

    public RetryRequest {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(requestedAt, "requestedAt");
    }
}
