package dev.scheduler.examples.bench;

import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskListener;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What happened to one set of benchmark tasks: how often each ran, when the first and last ran, and how late
 * they started. A task's number is encoded in its uniqueness key ({@link #uniquenessKey}), so counting it is
 * an array increment. Thread-safe: the engine's executor threads call {@link #recordStart} concurrently.
 *
 * <p>Lateness is from the task's scheduled time to the executor's start, read from the system clock (microsecond
 * resolution) in the executor itself, so it includes Kafka, Cassandra, the actors' timers and the wait for an
 * executor thread. {@link #recordDispatch} takes the engine's own figure ({@code TaskListener.attemptStarted}),
 * taken just before the attempt is handed to the executor pool.
 */
final class Executions {

    private final String prefix;
    private final int size;
    private final AtomicIntegerArray runs;
    private final LongAdder total = new LongAdder();
    private final LongAdder early = new LongAdder();
    private final AtomicLong firstNanos = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong lastNanos = new AtomicLong(Long.MIN_VALUE);
    private final Recorder lateness = new Recorder(3);
    private final Recorder steadyLateness = new Recorder(3);
    private final Recorder dispatchLateness = new Recorder(3);
    private final Recorder sinceAcknowledged = new Recorder(3);
    private final LongAdder startedBeforeAcknowledged = new LongAdder();
    /** Epoch microseconds of each task's acknowledgement by Kafka, if tracked ({@link #trackAcknowledgements}). */
    private volatile AtomicLongArray acknowledgedMicros;

    private volatile long steadyFromMillis = Long.MIN_VALUE;
    private Histogram latenessAll;
    private Histogram latenessSteady;
    private Histogram latenessDispatch;
    private Histogram latenessSinceAcknowledged;

    /**
     * @param prefix the uniqueness keys of this set start with it, then the task number
     * @param size task numbers run from 0 to {@code size - 1}; 0 counts runs without tracking each task
     */
    Executions(String prefix, int size) {
        this.prefix = prefix;
        this.size = size;
        this.runs = new AtomicIntegerArray(size);
    }

    static String uniquenessKey(String prefix, long number) {
        return prefix + number;
    }

    String uniquenessKey(long number) {
        return uniquenessKey(prefix, number);
    }

    /**
     * Also measure each start from the task's acknowledgement by Kafka ({@link #recordAcknowledged}), for tasks due
     * the moment they are published. Call before publishing.
     */
    void trackAcknowledgements() {
        acknowledgedMicros = new AtomicLongArray(size);
    }

    /** Kafka acknowledged task {@code number}. */
    void recordAcknowledged(long number) {
        acknowledgedMicros.set((int) number, epochMicros(Instant.now()));
    }

    private static long epochMicros(Instant t) {
        return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
    }

    /** Tasks scheduled before {@code millis} are left out of {@link #steadyLateness()} (a warm-up). */
    void steadyFrom(long millis) {
        steadyFromMillis = millis;
    }

    /** Records an executor start; false if the key is not of this set. */
    boolean recordStart(TaskKey key) {
        Instant now = Instant.now();
        long nanos = System.nanoTime();
        String unique = key.uniquenessKey();
        if (!unique.startsWith(prefix)) {
            return false;
        }
        if (size > 0) {
            int number;
            try {
                number = Integer.parseInt(unique, prefix.length(), unique.length(), 10);
            } catch (NumberFormatException e) {
                return false;
            }
            if (number < 0 || number >= size) {
                return false;
            }
            runs.incrementAndGet(number);
            AtomicLongArray acked = acknowledgedMicros;
            if (acked != null && key.scheduledTime().toEpochMilli() >= steadyFromMillis) {
                long at = acked.get(number);
                if (at == 0 || at > epochMicros(now)) { // the producer's callback had not run yet: counted apart
                    startedBeforeAcknowledged.increment();
                } else {
                    sinceAcknowledged.recordValue(epochMicros(now) - at);
                }
            }
        }
        total.increment();
        firstNanos.accumulateAndGet(nanos, Math::min);
        lastNanos.accumulateAndGet(nanos, Math::max);
        long micros = Duration.between(key.scheduledTime(), now).toNanos() / 1_000;
        if (micros < 0) {
            early.increment();
            micros = 0;
        }
        lateness.recordValue(micros);
        if (key.scheduledTime().toEpochMilli() >= steadyFromMillis) {
            steadyLateness.recordValue(micros);
        }
        return true;
    }

    /** A listener that records the engine's lateness figure of each attempt start ({@link #recordDispatch}). */
    TaskListener dispatchListener() {
        return new TaskListener() {
            @Override
            public void attemptStarted(TaskKey key, int attempt, Duration lateness) {
                recordDispatch(key, lateness);
            }
        };
    }

    /** Records the engine's lateness figure of an attempt start; false if the key is not of this set. */
    boolean recordDispatch(TaskKey key, Duration latenessAtDispatch) {
        if (!key.uniquenessKey().startsWith(prefix)) {
            return false;
        }
        dispatchLateness.recordValue(Math.max(0, latenessAtDispatch.toNanos() / 1_000));
        return true;
    }

    /** Starts after the warm-up that came before their task's acknowledgement was seen (left out of the histogram). */
    long startedBeforeAcknowledged() {
        return startedBeforeAcknowledged.sum();
    }

    /** Of the tasks after the warm-up: microseconds from Kafka's acknowledgement to the start. Once the runs are over. */
    synchronized Histogram sinceAcknowledged() {
        if (latenessSinceAcknowledged == null) {
            latenessSinceAcknowledged = sinceAcknowledged.getIntervalHistogram();
        }
        return latenessSinceAcknowledged;
    }

    /** Executor starts so far, repeats included. */
    long executed() {
        return total.sum();
    }

    /** Executor starts that came before the task's scheduled time (never expected). */
    long early() {
        return early.sum();
    }

    /** Tasks that ran more than once; needs a tracked set. */
    int ranTwice() {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (runs.get(i) > 1) {
                n++;
            }
        }
        return n;
    }

    /** Tasks that never ran; needs a tracked set. */
    int neverRan() {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (runs.get(i) == 0) {
                n++;
            }
        }
        return n;
    }

    /** Distinct tasks that ran; needs a tracked set. */
    int distinctRan() {
        return size - neverRan();
    }

    /** {@link System#nanoTime()} of the first executor start, or {@code Long.MAX_VALUE}. */
    long firstNanos() {
        return firstNanos.get();
    }

    /** {@link System#nanoTime()} of the last executor start, or {@code Long.MIN_VALUE}. */
    long lastNanos() {
        return lastNanos.get();
    }

    /** Every start's lateness in microseconds. Call once the runs are over. */
    synchronized Histogram lateness() {
        if (latenessAll == null) {
            latenessAll = lateness.getIntervalHistogram();
        }
        return latenessAll;
    }

    /** Lateness in microseconds of the tasks scheduled after the warm-up. Call once the runs are over. */
    synchronized Histogram steadyLateness() {
        if (latenessSteady == null) {
            latenessSteady = steadyLateness.getIntervalHistogram();
        }
        return latenessSteady;
    }

    /** The engine's lateness figure at dispatch, in microseconds. Call once the runs are over. */
    synchronized Histogram dispatchLateness() {
        if (latenessDispatch == null) {
            latenessDispatch = dispatchLateness.getIntervalHistogram();
        }
        return latenessDispatch;
    }
}
