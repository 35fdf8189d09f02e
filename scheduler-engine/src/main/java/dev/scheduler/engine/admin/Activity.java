package dev.scheduler.engine.admin;

import java.time.Duration;

/**
 * What this instance ran recently: attempt counts and rates over the last {@code window}, and percentiles of
 * lateness and attempt duration over the attempts of that window (at most the latest 8,192 of each). Kept by the
 * engine itself, with or without Micrometer.
 *
 * @param window the period the figures cover (the last minute, or less since the engine started)
 * @param attemptsStarted attempts started in the window
 * @param attemptsSucceeded attempts that succeeded in the window
 * @param attemptsFailed attempts that failed in the window (timed-out ones included)
 * @param attemptsTimedOut attempts that ran longer than the execution timeout in the window
 * @param finishedPerSecond attempts ended per second, averaged over the window
 * @param lateness from when attempts were due to their start
 * @param duration how long attempts ran
 */
public record Activity(
        Duration window,
        long attemptsStarted,
        long attemptsSucceeded,
        long attemptsFailed,
        long attemptsTimedOut,
        double finishedPerSecond,
        Percentiles lateness,
        Percentiles duration) {

    /**
     * Percentiles of a set of durations; all zero when {@code samples} is 0.
     *
     * @param samples how many durations they were computed from
     */
    public record Percentiles(int samples, Duration p50, Duration p90, Duration p99, Duration p999, Duration max) {}
}
