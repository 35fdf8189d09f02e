/**
 * The wire format: what a record on a scheduler topic holds, and the codec that writes and reads it.
 *
 * <p><b>Public API.</b> {@link dev.scheduler.client.wire.TaskRecord} and its three kinds
 * ({@link dev.scheduler.client.wire.ScheduleTask}, {@link dev.scheduler.client.wire.CancelTask} and
 * {@link dev.scheduler.client.wire.RetryTask}), {@link dev.scheduler.client.wire.TaskRecordCodec} and
 * {@link dev.scheduler.client.wire.WireFormatException} are supported like
 * {@link dev.scheduler.client}. The format itself is a compatibility promise of its own, described in
 * {@code docs/wire-format.md}: version 1 is what the original PagerDuty scheduler wrote, plus a cancel
 * record and an operator's retry record; a record of any other version is refused rather than guessed at.
 *
 * <p>Applications that only schedule tasks need none of this; {@link dev.scheduler.client.SchedulerClient}
 * encodes for them. The engine, tools that inspect a topic, and producers in other languages do.
 */
package dev.scheduler.client.wire;
