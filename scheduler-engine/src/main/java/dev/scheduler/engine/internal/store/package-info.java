/**
 * The engine's durable state in Cassandra: the {@link dev.scheduler.engine.internal.store.TaskStore} contract the
 * actors use and its Cassandra implementation, the schema and its set-up, the CQL and row mapping (one place for
 * each), the reads of the admin API, and the value types that cross the store boundary.
 *
 * <p><b>Not public API.</b> These types are public only so that the engine's packages can share them. They may
 * change or disappear in any release, including a patch release; do not use them from application code. The
 * supported surface is {@link dev.scheduler.engine}, {@link dev.scheduler.engine.admin} and
 * {@link dev.scheduler.engine.metrics}.
 */
package dev.scheduler.engine.internal.store;
