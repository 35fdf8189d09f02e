/**
 * The scheduler's client library: the task model ({@link dev.scheduler.client.Task},
 * {@link dev.scheduler.client.TaskKey}, {@link dev.scheduler.client.TaskLimits}), the
 * {@link dev.scheduler.client.SchedulerClient} that publishes tasks to Kafka, the
 * {@link dev.scheduler.client.TaskPartitioner} and {@link dev.scheduler.client.SchedulerTopics} that
 * fix where tasks go, and the exceptions, all rooted at
 * {@link dev.scheduler.client.SchedulerException}.
 *
 * <p><b>Public API.</b> Every public type in this package and in {@link dev.scheduler.client.wire} is
 * supported: it changes incompatibly only in a new major version, and is deprecated for at least one
 * minor version first. Types in {@code dev.scheduler.client.internal} are not: they are public only so
 * this library's packages can share them, and may change in any release.
 *
 * <p>Conventions: a method given a wrong argument throws at once, naming the argument and the limit;
 * a method that returns a future never throws, and completes it exceptionally instead. Nothing here
 * returns or accepts null unless its documentation says so.
 */
package dev.scheduler.client;
