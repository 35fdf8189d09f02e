package dev.scheduler.examples.bench;

import dev.scheduler.client.SchedulerClient;
import dev.scheduler.client.Task;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Publishes benchmark tasks through one {@link SchedulerClient} from the calling thread, with at most a given
 * number of {@code scheduleTask} calls unacknowledged: as fast as Kafka acknowledges ({@link #asFastAsPossible}),
 * or at a steady rate ({@link #atRate}).
 */
final class Publisher {

    private final SchedulerClient client;
    private final Semaphore inFlight;
    private final LongAdder acknowledged = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicLong lastAckNanos = new AtomicLong();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private final int maxInFlight;
    private final LongConsumer onAcknowledged;
    /** Microseconds from each scheduleTask call to its acknowledgement. */
    private final Recorder acknowledgementLatency = new Recorder(3);

    Publisher(SchedulerClient client, int maxInFlight) {
        this(client, maxInFlight, i -> {});
    }

    /** @param onAcknowledged told the number of each task Kafka acknowledged, on the producer's thread */
    Publisher(SchedulerClient client, int maxInFlight, LongConsumer onAcknowledged) {
        this.client = client;
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
        this.onAcknowledged = onAcknowledged;
    }

    /**
     * What a publication achieved.
     *
     * @param sent tasks handed to the client
     * @param acknowledged tasks Kafka acknowledged
     * @param failed tasks whose future failed
     * @param firstSendNanos {@link System#nanoTime()} of the first call
     * @param lastSendNanos {@link System#nanoTime()} of the last call
     * @param lastAckNanos {@link System#nanoTime()} of the last acknowledgement
     * @param firstFailure the first failure, or null
     * @param acknowledgementMicros microseconds from each call to its acknowledgement
     */
    record Outcome(
            long sent,
            long acknowledged,
            long failed,
            long firstSendNanos,
            long lastSendNanos,
            long lastAckNanos,
            Throwable firstFailure,
            Histogram acknowledgementMicros) {

        /** Acknowledged calls per second, from the first call to the last acknowledgement. */
        double acknowledgedPerSecond() {
            double seconds = (lastAckNanos - firstSendNanos) / 1e9;
            return seconds <= 0 ? 0 : acknowledged / seconds;
        }

        /** Calls per second, from the first to the last. */
        double sentPerSecond() {
            double seconds = (lastSendNanos - firstSendNanos) / 1e9;
            return seconds <= 0 ? sent : (sent - 1) / seconds;
        }
    }

    /** Publishes tasks {@code 0} to {@code count - 1} as fast as acknowledgements allow, and waits for them. */
    Outcome asFastAsPossible(long count, LongFunction<Task> task) {
        long first = System.nanoTime();
        long last = first;
        for (long i = 0; i < count; i++) {
            send(i, task.apply(i));
            last = System.nanoTime();
        }
        return finish(count, first, last);
    }

    /**
     * Publishes {@code rate} tasks per second for {@code duration}, each made when its turn comes (so that its
     * scheduled time can be relative to that moment), and waits for their acknowledgements.
     */
    Outcome atRate(double rate, Duration duration, LongFunction<Task> task) {
        long count = Math.round(rate * duration.toNanos() / 1e9);
        double intervalNanos = 1e9 / rate;
        long first = System.nanoTime();
        long last = first;
        for (long i = 0; i < count; i++) {
            long due = first + (long) (i * intervalNanos);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            send(i, task.apply(i));
            last = System.nanoTime();
        }
        return finish(count, first, last);
    }

    private void send(long number, Task task) {
        inFlight.acquireUninterruptibly();
        long called = System.nanoTime();
        client.scheduleTask(task).whenComplete((v, e) -> {
            if (e == null) {
                acknowledgementLatency.recordValue(Math.max(0, (System.nanoTime() - called) / 1_000));
                onAcknowledged.accept(number);
                acknowledged.increment();
                lastAckNanos.accumulateAndGet(System.nanoTime(), Math::max);
            } else {
                failed.increment();
                firstFailure.compareAndSet(null, e);
            }
            inFlight.release();
        });
    }

    private Outcome finish(long sent, long first, long last) {
        inFlight.acquireUninterruptibly(maxInFlight); // every call answered
        inFlight.release(maxInFlight);
        return new Outcome(
                sent,
                acknowledged.sum(),
                failed.sum(),
                first,
                last,
                lastAckNanos.get(),
                firstFailure.get(),
                acknowledgementLatency.getIntervalHistogram());
    }
}
