/**
 * The scheduling engine: {@link dev.scheduler.engine.SchedulerEngine}, which every instance of a service
 * embeds, the executor SPI it calls ({@link dev.scheduler.engine.TaskExecutor},
 * {@link dev.scheduler.engine.AsyncTaskExecutor}, {@link dev.scheduler.engine.TaskContext},
 * {@link dev.scheduler.engine.NonRetryableException}), its settings ({@link dev.scheduler.engine.EngineSettings},
 * {@link dev.scheduler.engine.RetryPolicy}, {@link dev.scheduler.engine.Replication}), what it reports
 * ({@link dev.scheduler.engine.TaskInfo}, {@link dev.scheduler.engine.AttemptInfo},
 * {@link dev.scheduler.engine.TaskStatus}, {@link dev.scheduler.engine.PartitionState},
 * {@link dev.scheduler.engine.TaskListener}) and the CQL of its schema ({@link dev.scheduler.engine.SchemaCql}).
 *
 * <p><b>Public API.</b> Every public type in this package, in {@link dev.scheduler.engine.admin} and in
 * {@link dev.scheduler.engine.metrics} is supported: it changes incompatibly only in a new major version, and
 * is deprecated for at least one minor version first. The Cassandra tables and the Kafka record format are
 * promises of their own (docs/design.md, docs/wire-format.md). Types in {@code dev.scheduler.engine.internal}
 * and its subpackages are not API: they are public only so that the engine's own packages can share them, and
 * may change or disappear in any release, including a patch release. No public signature of a supported type
 * mentions an internal one.
 *
 * <p>Conventions: a method given a wrong argument throws at once, naming the argument and the limit; a method
 * that returns a future or stage never throws, and completes it exceptionally instead. Nothing here returns or
 * accepts null unless its documentation says so.
 */
package dev.scheduler.engine;
