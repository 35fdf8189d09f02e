/**
 * The actors of one owned partition, under {@link dev.scheduler.engine.internal.partition.EngineGuardian}:
 * {@link dev.scheduler.engine.internal.partition.PartitionScheduler} (ownership, the in-memory schedule, loading),
 * its {@code TaskPersister} (durable writes and the checkpoint) and its {@code TaskRunner} (lanes per ordering id,
 * retries, outcomes); {@link dev.scheduler.engine.internal.partition.ExecutionGateway}, which runs executors off
 * the actor threads; and {@link dev.scheduler.engine.internal.partition.PartitionHandle}, what the poll thread and
 * the actors share. Actors never block: every store call comes back as a message.
 *
 * <p><b>Not public API.</b> These types are public only so that the engine's packages can share them. They may
 * change or disappear in any release, including a patch release; do not use them from application code. The
 * supported surface is {@link dev.scheduler.engine}, {@link dev.scheduler.engine.admin} and
 * {@link dev.scheduler.engine.metrics}.
 */
package dev.scheduler.engine.internal.partition;
