package dev.scheduler.examples;

import dev.scheduler.client.SchedulerClient;
import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The incident source: opens incidents at a steady rate for a while, schedules each one's escalation with the
 * {@link SchedulerClient}, and acknowledges some of them a little later, which cancels the steps still ahead.
 * All on one thread of its own.
 */
final class IncidentStream implements AutoCloseable {

    /** Share of incidents acknowledged before their escalation ends. */
    static final double ACKNOWLEDGED_SHARE = 0.25;
    /** Share of incidents whose first page fails once. */
    static final double FLAKY_SHARE = 0.10;
    /** A step is cancelled only if it is due at least this long after the acknowledgement. */
    static final Duration CANCEL_LEAD = Duration.ofSeconds(2);

    private static final long TICK_MS = 20;

    private final SchedulerClient client;
    private final OnCallNotifier notifier;
    private final double rate;
    private final Duration delay;
    private final Duration duration;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "incident-stream");
        t.setDaemon(true);
        return t;
    });

    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger acksAhead = new AtomicInteger();
    private final LongAdder scheduled = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder acknowledged = new LongAdder();
    private final LongAdder publishFailures = new LongAdder();
    private final AtomicReference<String> firstPublishFailure = new AtomicReference<>();
    private volatile Instant lastDue = Instant.MIN;
    private volatile boolean openingDone;
    private long startNanos;
    private volatile int opened;

    IncidentStream(SchedulerClient client, OnCallNotifier notifier, double rate, Duration delay, Duration duration) {
        this.client = client;
        this.notifier = notifier;
        this.rate = rate;
        this.delay = delay;
        this.duration = duration;
    }

    void start() {
        startNanos = System.nanoTime();
        thread.scheduleAtFixedRate(this::tick, 0, TICK_MS, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        if (openingDone) {
            return;
        }
        long elapsedNanos = System.nanoTime() - startNanos;
        if (elapsedNanos >= duration.toNanos()) {
            openingDone = true;
            return;
        }
        long due = (long) (rate * elapsedNanos / 1e9) + 1;
        while (opened < due) {
            open();
        }
    }

    private void open() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        opened++;
        Incident incident = new Incident(
                String.format("INC-%06d", opened),
                Instant.now(),
                delay,
                random.nextDouble() < FLAKY_SHARE,
                random.nextInt(100));
        notifier.track(incident);
        for (int step = 0; step < incident.steps().size(); step++) {
            Task task = incident.steps().get(step);
            int s = step;
            lastDue = task.scheduledTime();
            track(client.scheduleTask(task), () -> {
                incident.published(s);
                scheduled.increment();
            });
        }
        if (random.nextDouble() < ACKNOWLEDGED_SHARE) {
            // A person acknowledges it some time between half a second after it opened and its second page.
            long window = delay.plus(Incident.STEP_SPACING).toMillis() - 500;
            acksAhead.incrementAndGet();
            thread.schedule(
                    () -> acknowledge(incident), 500 + random.nextLong(Math.max(1, window)), TimeUnit.MILLISECONDS);
        }
    }

    private void acknowledge(Incident incident) {
        acknowledged.increment();
        for (TaskKey key : incident.acknowledge(Instant.now(), CANCEL_LEAD)) {
            track(client.cancelTask(key), () -> {
                incident.cancelOnTopic(key, Instant.now());
                cancelled.increment();
            });
        }
        acksAhead.decrementAndGet();
    }

    private void track(CompletableFuture<Void> publish, Runnable onSuccess) {
        inFlight.incrementAndGet();
        publish.whenComplete((v, e) -> {
            if (e == null) {
                onSuccess.run();
            } else {
                publishFailures.increment();
                firstPublishFailure.compareAndSet(null, e.getMessage());
            }
            inFlight.decrementAndGet();
        });
    }

    /** True once no incident will be opened or acknowledged any more and every publish was answered. */
    boolean finished() {
        return openingDone && acksAhead.get() == 0 && inFlight.get() == 0;
    }

    int opened() {
        return opened;
    }

    /** Tasks Kafka acknowledged. */
    long scheduled() {
        return scheduled.sum();
    }

    /** Cancels Kafka acknowledged. */
    long cancelled() {
        return cancelled.sum();
    }

    long acknowledged() {
        return acknowledged.sum();
    }

    long publishFailures() {
        return publishFailures.sum();
    }

    /** The message of the first failed publish, or null. */
    String firstPublishFailure() {
        return firstPublishFailure.get();
    }

    /** The scheduled time of the latest task published. */
    Instant lastDue() {
        return lastDue;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
