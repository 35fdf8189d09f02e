package dev.scheduler.client.wire;

import dev.scheduler.client.TaskKey;
import java.util.Objects;

/**
 * Asks the engine to run a {@code FAILED} task once more, now. It travels through the topic like the other
 * records, so the partition's owner handles it in order with them and no rebalance is needed. A key that is
 * not {@code FAILED} is left alone. Encoded as {@code "type":"retry"}; see {@code docs/wire-format.md}.
 *
 * @param key the task to run again
 */
public record RetryTask(TaskKey key) implements TaskRecord {

    public RetryTask {
        Objects.requireNonNull(key, "key");
    }
}
