/**
 * The Kafka side of the engine: the one poll thread ({@link dev.scheduler.engine.internal.kafka.TaskConsumer})
 * that decodes records, hands them to their partition's actors, commits only durable offsets, applies
 * back-pressure and starts and stops partitions on rebalances; and the consumer configuration it runs with.
 *
 * <p><b>Not public API.</b> These types are public only so that the engine's packages can share them. They may
 * change or disappear in any release, including a patch release; do not use them from application code. The
 * supported surface is {@link dev.scheduler.engine}, {@link dev.scheduler.engine.admin} and
 * {@link dev.scheduler.engine.metrics}.
 */
package dev.scheduler.engine.internal.kafka;
