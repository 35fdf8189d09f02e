/**
 * The operator's view of the scheduler: {@link dev.scheduler.engine.admin.AdminService} (from
 * {@code SchedulerEngine.admin()}) to find, list, cancel and retry tasks and to see partitions and dead letters,
 * and {@link dev.scheduler.engine.admin.AdminServer}, which serves it as a JSON API with Kubernetes probes, a
 * Prometheus scrape endpoint and a dashboard page. The HTTP API is documented in docs/operations.md.
 *
 * <p>Conventions: a method given a wrong argument throws at once ({@link java.lang.IllegalArgumentException},
 * naming the argument and the limit); a method that returns a stage never throws, and completes it exceptionally
 * instead. Nullable fields of the records say so in their documentation.
 */
package dev.scheduler.engine.admin;
