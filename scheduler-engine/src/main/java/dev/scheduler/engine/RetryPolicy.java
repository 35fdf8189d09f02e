package dev.scheduler.engine;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How failed attempts are retried: exponential backoff with jitter and a cap, and a maximum number of attempts.
 *
 * <p>The wait before attempt {@code n + 1} (after {@code n} failed attempts) is
 * {@code min(maxBackoff, initialBackoff * multiplier^(n-1))}, then reduced by a random fraction of at most
 * {@code jitter} (0 = no jitter, 0.5 = anywhere between half and all of it), so that many tasks that failed
 * together do not retry together.
 *
 * @param maxAttempts attempts in all, including the first; at least 1 (1 = never retry). Default 10.
 * @param initialBackoff wait after the first failed attempt. Default 1 s.
 * @param maxBackoff cap on any single wait. Default 5 min.
 * @param multiplier growth per failed attempt, at least 1. Default 2.
 * @param jitter fraction in [0, 1] of the wait that is randomised. Default 0.5.
 */
public record RetryPolicy(
        int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier, double jitter) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (initialBackoff.isNegative()) {
            throw new IllegalArgumentException("initialBackoff must not be negative, was " + initialBackoff);
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException(
                    "maxBackoff (" + maxBackoff + ") must not be less than initialBackoff (" + initialBackoff + ")");
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be a finite number >= 1, was " + multiplier);
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw new IllegalArgumentException("jitter must be between 0 and 1, was " + jitter);
        }
    }

    /** 10 attempts, 1 s doubling to at most 5 min, jitter 0.5. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(10, Duration.ofSeconds(1), Duration.ofMinutes(5), 2.0, 0.5);
    }

    /** No retries: the first failure is final. */
    public static RetryPolicy noRetries() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 1.0, 0.0);
    }

    /** A copy with another maximum number of attempts. */
    public RetryPolicy withMaxAttempts(int attempts) {
        return new RetryPolicy(attempts, initialBackoff, maxBackoff, multiplier, jitter);
    }

    /** A copy with another initial and maximum backoff. */
    public RetryPolicy withBackoff(Duration initial, Duration max) {
        return new RetryPolicy(maxAttempts, initial, max, multiplier, jitter);
    }

    /** A copy with another jitter fraction. */
    public RetryPolicy withJitter(double fraction) {
        return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, multiplier, fraction);
    }

    /** True when a task that has failed {@code failedAttempts} times may run again. */
    public boolean allowsAnotherAttempt(int failedAttempts) {
        return failedAttempts < maxAttempts;
    }

    /** The wait before the next attempt, after {@code failedAttempts} (>= 1) failed attempts. */
    public Duration backoffAfter(int failedAttempts) {
        double base = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, failedAttempts - 1));
        double capped = Math.min(base, (double) maxBackoff.toMillis());
        double reduced = capped * (1.0 - jitter * ThreadLocalRandom.current().nextDouble());
        return Duration.ofMillis(Math.round(reduced));
    }
}
