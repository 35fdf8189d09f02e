package dev.scheduler.client.wire;

import dev.scheduler.client.TaskKey;

/**
 * What one Kafka record on a scheduler topic says: schedule a task, or cancel one. Encoded and decoded
 * by {@link TaskRecordCodec}; switch over the two kinds with a pattern-matching {@code switch}.
 */
public sealed interface TaskRecord permits ScheduleTask, CancelTask, RetryTask {

    /** The key of the task the record is about. */
    TaskKey key();
}
