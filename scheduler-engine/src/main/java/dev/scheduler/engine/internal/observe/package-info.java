/**
 * What the engine reports: attempt events fanned out to the activity figures, the metrics and the
 * application's listener ({@link dev.scheduler.engine.internal.observe.AttemptEventFanOut}); the metrics
 * interface ({@link dev.scheduler.engine.internal.observe.EngineMetrics}) and its Micrometer implementation, which
 * is the only class that loads Micrometer; the Prometheus scrape; the last minute's activity for the dashboard.
 *
 * <p><b>Not public API.</b> These types are public only so that the engine's packages can share them. They may
 * change or disappear in any release, including a patch release; do not use them from application code. The
 * supported surface is {@link dev.scheduler.engine}, {@link dev.scheduler.engine.admin} and
 * {@link dev.scheduler.engine.metrics}.
 */
package dev.scheduler.engine.internal.observe;
