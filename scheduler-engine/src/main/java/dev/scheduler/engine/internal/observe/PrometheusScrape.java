package dev.scheduler.engine.internal.observe;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Finds a {@link PrometheusMeterRegistry} in the engine's registry (itself, or one inside a composite) for the
 * admin server's {@code /metrics}. Loaded only after {@link MicrometerEngineMetrics} checked that
 * micrometer-registry-prometheus is on the classpath.
 */
public final class PrometheusScrape {

    private PrometheusScrape() {}

    static Optional<Supplier<String>> of(MeterRegistry registry) {
        PrometheusMeterRegistry prometheus = find(registry);
        return prometheus == null ? Optional.empty() : Optional.of(prometheus::scrape);
    }

    private static PrometheusMeterRegistry find(MeterRegistry registry) {
        if (registry instanceof PrometheusMeterRegistry p) {
            return p;
        }
        if (registry instanceof CompositeMeterRegistry composite) {
            for (MeterRegistry inner : composite.getRegistries()) {
                PrometheusMeterRegistry p = find(inner);
                if (p != null) {
                    return p;
                }
            }
        }
        return null;
    }
}
