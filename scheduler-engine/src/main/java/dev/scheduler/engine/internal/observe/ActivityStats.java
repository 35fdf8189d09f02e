package dev.scheduler.engine.internal.observe;

import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskStatus;
import dev.scheduler.engine.admin.Activity;
import dev.scheduler.engine.internal.store.AttemptResult;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * The recent attempts of this instance for the admin API and dashboard, without Micrometer: per-second counts of
 * the last minute, and the latest lateness and duration samples with their time, from which percentiles over
 * the same minute are computed on demand. Thread-safe; a record is a few array writes under a lock.
 */
public final class ActivityStats implements AttemptEvents {

    static final int WINDOW_SECONDS = 60;
    static final int MAX_SAMPLES = 8192;
    private static final long SECOND = 1_000_000_000L;

    private final LongSupplier nanoTime;
    private final long startedAt;
    private final long[] slotSecond = new long[WINDOW_SECONDS];
    private final long[] started = new long[WINDOW_SECONDS];
    private final long[] succeeded = new long[WINDOW_SECONDS];
    private final long[] failed = new long[WINDOW_SECONDS];
    private final long[] timedOut = new long[WINDOW_SECONDS];
    private final Samples lateness = new Samples();
    private final Samples duration = new Samples();

    public ActivityStats() {
        this(System::nanoTime);
    }

    ActivityStats(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.startedAt = nanoTime.getAsLong();
        Arrays.fill(slotSecond, Long.MIN_VALUE);
    }

    @Override
    public synchronized void attemptStarted(TaskKey key, int attempt, Duration lateness) {
        long now = nanoTime.getAsLong();
        started[slot(now)]++;
        this.lateness.add(now, Math.max(0, lateness.toNanos()));
    }

    @Override
    public synchronized void attemptFinished(
            TaskKey key, int attempt, AttemptResult result, TaskStatus statusAfter, Duration duration) {
        long now = nanoTime.getAsLong();
        int slot = slot(now);
        switch (result) {
            case SUCCEEDED -> succeeded[slot]++;
            case TIMED_OUT -> {
                timedOut[slot]++;
                failed[slot]++;
            }
            case FAILED -> failed[slot]++;
        }
        this.duration.add(now, Math.max(0, duration.toNanos()));
    }

    /** The figures of the last minute. */
    public synchronized Activity snapshot() {
        long now = nanoTime.getAsLong();
        long second = Math.floorDiv(now, SECOND);
        long s = 0;
        long ok = 0;
        long ko = 0;
        long late = 0;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            if (slotSecond[i] > second - WINDOW_SECONDS) {
                s += started[i];
                ok += succeeded[i];
                ko += failed[i];
                late += timedOut[i];
            }
        }
        long windowNanos = Math.min(WINDOW_SECONDS * SECOND, Math.max(SECOND, now - startedAt));
        double perSecond = (ok + ko) / (windowNanos / (double) SECOND);
        long since = now - WINDOW_SECONDS * SECOND;
        return new Activity(
                Duration.ofNanos(windowNanos),
                s,
                ok,
                ko,
                late,
                perSecond,
                lateness.percentiles(since),
                duration.percentiles(since));
    }

    private int slot(long now) {
        long second = Math.floorDiv(now, SECOND);
        int slot = (int) Math.floorMod(second, (long) WINDOW_SECONDS);
        if (slotSecond[slot] != second) {
            slotSecond[slot] = second;
            started[slot] = 0;
            succeeded[slot] = 0;
            failed[slot] = 0;
            timedOut[slot] = 0;
        }
        return slot;
    }

    /** A ring of the latest values with the time each was taken. */
    private static final class Samples {
        private final long[] values = new long[MAX_SAMPLES];
        private final long[] times = new long[MAX_SAMPLES];
        private int next;
        private int size;

        void add(long time, long value) {
            values[next] = value;
            times[next] = time;
            next = (next + 1) % MAX_SAMPLES;
            size = Math.min(MAX_SAMPLES, size + 1);
        }

        Activity.Percentiles percentiles(long since) {
            long[] recent = new long[size];
            int n = 0;
            for (int i = 0; i < size; i++) {
                if (times[i] - since >= 0) {
                    recent[n++] = values[i];
                }
            }
            if (n == 0) {
                return new Activity.Percentiles(
                        0, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);
            }
            Arrays.sort(recent, 0, n);
            return new Activity.Percentiles(
                    n,
                    at(recent, n, 0.5),
                    at(recent, n, 0.9),
                    at(recent, n, 0.99),
                    at(recent, n, 0.999),
                    Duration.ofNanos(recent[n - 1]));
        }

        /** Nearest-rank percentile. */
        private static Duration at(long[] sorted, int n, double q) {
            int rank = (int) Math.ceil(q * n);
            return Duration.ofNanos(sorted[Math.max(0, Math.min(n - 1, rank - 1))]);
        }
    }
}
