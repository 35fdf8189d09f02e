package dev.scheduler.engine.internal.store;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * At most {@code max} of the engine's batch writes in flight at once, the others sent in their order as earlier ones
 * are answered. Without it an engine of 256 partitions (persists, and outcome writes of up to 4 flushes a
 * partition, each split into batches) sent more requests at once than the driver's connection takes (4,096), and
 * the driver failed the rest at once ("no connection was available"): 1,780 failed writes in one throughput run, all
 * retried, at 5,319 executions/s. Lease reads, heartbeats and claims do not pass through it, so that a queue of
 * writes never holds back a renewal.
 */
final class RequestPermits {

    private final int max;
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private int inFlight;
    /** A thread is sending what waits ({@link #pump}). */
    private boolean pumping;

    RequestPermits(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("at least one request must be allowed in flight, was " + max);
        }
        this.max = max;
    }

    /** Sends {@code request} once a permit is free (now, if one is), and frees it when the request is answered. */
    <T> CompletableFuture<T> send(Supplier<? extends CompletionStage<T>> request) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        Runnable go = () -> {
            CompletionStage<T> sent;
            try {
                sent = request.get();
            } catch (Throwable e) {
                sent = CompletableFuture.failedFuture(e);
            }
            sent.whenComplete((v, e) -> {
                synchronized (this) {
                    inFlight--;
                }
                pump();
                if (e != null) {
                    answer.completeExceptionally(e);
                } else {
                    answer.complete(v);
                }
            });
        };
        synchronized (this) {
            waiting.add(go);
        }
        pump();
        return answer;
    }

    /**
     * Sends what waits while permits are free. One thread at a time, in a loop rather than from each answer: a
     * request answered at once (a closed session) would otherwise send the next from within its own answer, as
     * deep as the queue is long. A thread that finds another sending leaves it to that one, which looks at the
     * queue again, under the same lock, before it stops.
     */
    private void pump() {
        synchronized (this) {
            if (pumping) {
                return;
            }
            pumping = true;
        }
        while (true) {
            Runnable next;
            synchronized (this) {
                if (inFlight >= max || waiting.isEmpty()) {
                    pumping = false;
                    return;
                }
                next = waiting.poll();
                inFlight++;
            }
            next.run();
        }
    }

    /** Requests in flight now (for tests). */
    synchronized int inFlight() {
        return inFlight;
    }

    /** Requests waiting for a permit now (for tests). */
    synchronized int waiting() {
        return waiting.size();
    }
}
