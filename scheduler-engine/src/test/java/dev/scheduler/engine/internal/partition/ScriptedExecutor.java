package dev.scheduler.engine.internal.partition;

import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskContext;
import dev.scheduler.engine.TaskExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link TaskExecutor} for tests: records every attempt, measures how many run at once (in all and per
 * ordering id), can hold chosen tasks until released, and runs a script to succeed or throw.
 */
final class ScriptedExecutor implements TaskExecutor {

    /** What an attempt does once it is let go: return to succeed, throw to fail. */
    interface Script {
        void run(TaskContext context) throws Exception;
    }

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private volatile Script script = context -> {};
    private final Map<TaskKey, CountDownLatch> holds = new ConcurrentHashMap<>();
    private final java.util.Set<TaskKey> deaf = ConcurrentHashMap.newKeySet();
    private final LinkedBlockingQueue<TaskContext> entered = new LinkedBlockingQueue<>();
    private final List<TaskContext> attempts = new ArrayList<>();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger maxRunning = new AtomicInteger();
    private final Map<String, AtomicInteger> runningPerOrderingId = new ConcurrentHashMap<>();
    private final AtomicInteger maxRunningOfOneOrderingId = new AtomicInteger();

    void script(Script s) {
        script = s;
    }

    /** The next attempt of this task blocks until {@link #release}. */
    void hold(TaskKey key) {
        holds.put(key, new CountDownLatch(1));
    }

    /** Like {@link #hold}, but the held attempt ignores interruption: it returns only once released. */
    void holdIgnoringInterrupts(TaskKey key) {
        hold(key);
        deaf.add(key);
    }

    void release(TaskKey key) {
        CountDownLatch latch = holds.get(key);
        if (latch != null) {
            latch.countDown();
        }
    }

    void releaseAll() {
        holds.values().forEach(CountDownLatch::countDown);
    }

    /** Waits for the next attempt to begin, held or not. */
    TaskContext awaitEntered() {
        try {
            TaskContext c = entered.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            if (c == null) {
                throw new AssertionError("no attempt began within " + DEADLINE);
            }
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    synchronized List<TaskContext> attempts() {
        return List.copyOf(attempts);
    }

    synchronized List<TaskKey> attemptedKeys() {
        return attempts.stream().map(TaskContext::key).toList();
    }

    int maxRunning() {
        return maxRunning.get();
    }

    int maxRunningOfOneOrderingId() {
        return maxRunningOfOneOrderingId.get();
    }

    @Override
    public void execute(TaskContext context) throws Exception {
        synchronized (this) {
            attempts.add(context);
        }
        AtomicInteger ofId =
                runningPerOrderingId.computeIfAbsent(context.key().orderingId(), id -> new AtomicInteger());
        maxRunningOfOneOrderingId.accumulateAndGet(ofId.incrementAndGet(), Math::max);
        maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
            entered.add(context);
            CountDownLatch hold = holds.get(context.key());
            if (hold != null && !awaitHold(hold, deaf.contains(context.key()))) {
                throw new IllegalStateException("held longer than " + DEADLINE + ": " + context.key());
            }
            script.run(context);
        } finally {
            running.decrementAndGet();
            ofId.decrementAndGet();
        }
    }

    private static boolean awaitHold(CountDownLatch hold, boolean ignoreInterrupts) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            try {
                return hold.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                if (!ignoreInterrupts) {
                    throw e;
                }
            }
        }
    }
}
