/**
 * The engine's inside, one package per component of docs/design.md: {@code kafka} (the poll thread),
 * {@code partition} (the actors of each owned partition), {@code store} (Cassandra), {@code observe} (metrics,
 * activity, listeners), {@code admin} (the operator's reads and commands) and {@code failure} (how failed
 * calls are retried). {@link dev.scheduler.engine.internal.EngineRuntime} wires them together for one started
 * {@code SchedulerEngine}.
 *
 * <p><b>Not public API.</b> These types are public only so that the engine's packages can share them. They may
 * change or disappear in any release, including a patch release; do not use them from application code. The
 * supported surface is {@link dev.scheduler.engine}, {@link dev.scheduler.engine.admin} and
 * {@link dev.scheduler.engine.metrics}.
 */
package dev.scheduler.engine.internal;
