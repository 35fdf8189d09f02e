package dev.scheduler.engine.internal;

import java.time.Duration;

/** The wait before retrying a failed Cassandra call: doubling from a minimum to a cap. */
final class StoreBackoff {

    private StoreBackoff() {
    }

    /** The wait after {@code failures} (>= 1) failures in a row. */
    static Duration after(int failures, Duration min, Duration max) {
        double ms = min.toMillis() * Math.pow(2, Math.min(20, Math.max(0, failures - 1)));
        return Duration.ofMillis((long) Math.min(max.toMillis(), ms));
    }
}
