package dev.scheduler.engine.internal.failure;

import java.time.Duration;

/**
 * Failures in a row of one repeated call (a Cassandra write, a load, the Kafka poll): how long to wait before
 * the next try, doubling from a minimum to a cap, and whether this failure is worth a log line (the first of a
 * streak, then every 20th: an outage is visible without flooding the log). Not thread-safe: one per actor or
 * thread.
 */
public final class FailureStreak {

    private static final int LOG_EVERY = 20;

    private final Duration min;
    private final Duration max;
    private int failures;

    public FailureStreak(Duration min, Duration max) {
        if (max.compareTo(min) < 0) {
            throw new IllegalArgumentException("max (" + max + ") must not be less than min (" + min + ")");
        }
        this.min = min;
        this.max = max;
    }

    /** Counts a failure and returns the wait before the next try. */
    public Duration failed() {
        failures++;
        return wait(failures, min, max);
    }

    /** The call succeeded: the next failure starts a new streak. */
    public void succeeded() {
        failures = 0;
    }

    /** Failures in a row so far. */
    public int count() {
        return failures;
    }

    /** True when the failure just counted should be logged. */
    public boolean worthLogging() {
        return failures == 1 || failures % LOG_EVERY == 0;
    }

    /** The wait after {@code failures} (>= 1) failures in a row. */
    static Duration wait(int failures, Duration min, Duration max) {
        double ms = min.toMillis() * Math.pow(2, Math.min(20, Math.max(0, failures - 1)));
        return Duration.ofMillis((long) Math.min(max.toMillis(), ms));
    }
}
