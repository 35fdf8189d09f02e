package dev.scheduler.engine.internal.partition;

import com.typesafe.config.Config;
import java.util.PriorityQueue;
import java.util.concurrent.ThreadFactory;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.event.LoggingAdapter;
import scala.concurrent.ExecutionContext;
import scala.concurrent.duration.FiniteDuration;

/**
 * The partition simulation's Pekko scheduler ({@code pekko.scheduler.implementation}): virtual time that moves
 * only when the simulation runs the next scheduled item. Items run in order of time, then of scheduling, on the
 * simulation's thread, whatever execution context they name: so the actors' timers, the store's answers and the
 * executors' ends happen in one order for one seed. Unlike Pekko's {@code ExplicitlyTriggeredScheduler}, items
 * due at the same time keep the order they were scheduled in (that one orders them by hash).
 */
public final class SimScheduler implements Scheduler {

    private final PriorityQueue<Item> queue =
            new PriorityQueue<>((a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    private long now;
    private long seq;

    public SimScheduler(Config config, LoggingAdapter log, ThreadFactory threads) {}

    /** Virtual now, in nanoseconds. */
    public synchronized long nanoTime() {
        return now;
    }

    /** Schedules {@code task} {@code delayNanos} from now (the simulation's own items: store answers, attempts). */
    public Cancellable after(long delayNanos, Runnable task) {
        return add(delayNanos, 0, task);
    }

    /**
     * Runs the next item not cancelled if it is due by {@code limitNanos}, moving virtual time to its time.
     *
     * @return false when no item is due by then (time is left as it is)
     */
    public boolean runNext(long limitNanos) {
        Item next;
        synchronized (this) {
            while (!queue.isEmpty() && queue.peek().cancelled) {
                queue.poll();
            }
            if (queue.isEmpty() || queue.peek().time > limitNanos) {
                return false;
            }
            next = queue.poll();
            now = Math.max(now, next.time);
            if (next.interval > 0) {
                next.time = now + next.interval;
                next.seq = seq++;
                queue.add(next);
            } else {
                next.done = true;
            }
        }
        next.task.run();
        return true;
    }

    /** Moves virtual time on to {@code nanos} (never back). */
    public synchronized void advanceTo(long nanos) {
        now = Math.max(now, nanos);
    }

    /** Drops every item not run yet: what an earlier seed left behind must not reach the next. */
    public synchronized void clear() {
        queue.forEach(i -> i.cancelled = true);
        queue.clear();
    }

    @Override
    public Cancellable scheduleOnce(FiniteDuration delay, Runnable runnable, ExecutionContext executor) {
        return add(delay.toNanos(), 0, runnable);
    }

    @Override
    public Cancellable schedule(
            FiniteDuration initialDelay, FiniteDuration interval, Runnable runnable, ExecutionContext executor) {
        return add(initialDelay.toNanos(), Math.max(1, interval.toNanos()), runnable);
    }

    @Override
    public double maxFrequency() {
        return 1_000_000.0;
    }

    private synchronized Item add(long delayNanos, long interval, Runnable task) {
        Item item = new Item(now + Math.max(0, delayNanos), seq++, interval, task);
        queue.add(item);
        return item;
    }

    private final class Item implements Cancellable {
        long time;
        long seq;
        final long interval;
        final Runnable task;
        volatile boolean cancelled;
        volatile boolean done;

        Item(long time, long seq, long interval, Runnable task) {
            this.time = time;
            this.seq = seq;
            this.interval = interval;
            this.task = task;
        }

        @Override
        public boolean cancel() {
            synchronized (SimScheduler.this) {
                boolean was = !cancelled && !done;
                cancelled = true;
                queue.remove(this);
                return was;
            }
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }
    }
}
