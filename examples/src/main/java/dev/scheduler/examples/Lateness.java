package dev.scheduler.examples;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * How late tasks started: from the moment a task was allowed to run to the moment its executor was called,
 * recorded in microseconds. Thread-safe.
 */
final class Lateness {

    /** A task that starts later than this after its time counts as late. */
    static final Duration LATE = Duration.ofMillis(100);

    private final SynchronizedHistogram micros = new SynchronizedHistogram(3);
    private final LongAdder late = new LongAdder();
    private final LongAccumulator maxMicros = new LongAccumulator(Math::max, 0);
    private final long createdNanos = System.nanoTime();
    /** The latest starts, latest first, at most {@link #WORST_KEPT}. */
    private final List<Start> worst = new ArrayList<>();

    private static final int WORST_KEPT = 3;

    private record Start(long micros, String where, long atNanos) {}

    /**
     * Records one start ({@code where}: engine and partition); a negative lateness (never expected) counts as zero
     * here and is checked elsewhere.
     */
    void record(Duration lateness, String where) {
        long us = Math.max(0, lateness.toNanos() / 1_000);
        micros.recordValue(us);
        maxMicros.accumulate(us);
        if (lateness.compareTo(LATE) > 0) {
            late.increment();
        }
        synchronized (worst) {
            if (worst.size() < WORST_KEPT || us > worst.get(worst.size() - 1).micros()) {
                worst.add(new Start(us, where, System.nanoTime()));
                worst.sort(Comparator.comparingLong(Start::micros).reversed());
                if (worst.size() > WORST_KEPT) {
                    worst.remove(worst.size() - 1);
                }
            }
        }
    }

    /** The latest starts, latest first: {@code 364 ms on engine-b partition 5 at 34.1 s} (from this object's start). */
    List<String> worst() {
        synchronized (worst) {
            return worst.stream()
                    .map(w -> String.format(
                            "%s on %s at %.1f s",
                            format(Duration.ofNanos(w.micros() * 1_000)),
                            w.where(),
                            (w.atNanos() - createdNanos) / 1e9))
                    .toList();
        }
    }

    long count() {
        return micros.getTotalCount();
    }

    long lateCount() {
        return late.sum();
    }

    /** The lateness at {@code percentile} (0 to 100), or zero before anything was recorded. */
    Duration percentile(double percentile) {
        return count() == 0 ? Duration.ZERO : Duration.ofNanos(micros.getValueAtPercentile(percentile) * 1_000);
    }

    /** The exact maximum (percentiles are within 0.1 %). */
    Duration max() {
        return Duration.ofNanos(maxMicros.get() * 1_000);
    }

    /** {@code 850 us}, {@code 4.2 ms}, {@code 120 ms} or {@code 1.3 s}. */
    static String format(Duration d) {
        long us = d.toNanos() / 1_000;
        if (us < 1_000) {
            return us + " us";
        }
        if (us < 10_000) {
            return String.format("%.1f ms", us / 1_000.0);
        }
        if (us < 1_000_000) {
            return (us / 1_000) + " ms";
        }
        return String.format("%.1f s", us / 1_000_000.0);
    }
}
