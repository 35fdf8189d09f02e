/**
 * How the engine retries a failed call to Cassandra or Kafka: a doubling wait with a cap, and a log line for the
 * first failure of a streak and every 20th, so that an outage is visible without flooding the log.
 *
 * <p><b>Not public API.</b> These types are public only so that the engine's packages can share them. They may
 * change or disappear in any release, including a patch release; do not use them from application code. The
 * supported surface is {@link dev.scheduler.engine}, {@link dev.scheduler.engine.admin} and
 * {@link dev.scheduler.engine.metrics}.
 */
package dev.scheduler.engine.internal.failure;
