/**
 * Metrics of the engine through Micrometer, an optional dependency: see
 * {@link dev.scheduler.engine.metrics.MicrometerMetrics} for the meters, their names and tags. Nothing in the
 * engine loads a Micrometer class unless the application passes a {@code MicrometerMetrics} to the engine's
 * builder.
 */
package dev.scheduler.engine.metrics;
