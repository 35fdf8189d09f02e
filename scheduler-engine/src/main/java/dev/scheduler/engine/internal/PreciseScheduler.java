package dev.scheduler.engine.internal;

import com.typesafe.config.Config;
import java.io.Closeable;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.AbstractScheduler;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.actor.SchedulerException;
import org.apache.pekko.event.LoggingAdapter;
import scala.concurrent.ExecutionContext;
import scala.concurrent.duration.FiniteDuration;

/**
 * The engine's actor system scheduler: each timer waits on a {@link ScheduledThreadPoolExecutor} until its own
 * deadline, instead of Pekko's default wheel, which ticks whatever is due. With the 1 ms tick tasks fired on time
 * but an idle engine woke a thousand times a second (19 ms of CPU a second, docs/performance.md "Idle cost"); a
 * coarser tick would make every task later by up to its length. Timers run on their execution context, as with
 * the default; a repeated one is a chain of one-shots (no overlap; it stops on an exception), and at the close only
 * {@link Scheduler.TaskRunOnClose} tasks run, as Pekko's default does. Set by {@code pekko.scheduler.implementation};
 * Pekko calls the constructor.
 */
public final class PreciseScheduler extends AbstractScheduler implements Closeable {

    private final ScheduledThreadPoolExecutor timer;
    private final LoggingAdapter log;
    /**
     * The {@link Scheduler.TaskRunOnClose} timers not fired or cancelled yet, run at the close; only those are
     * tracked, so that the many other timers cost no set operations.
     */
    private final Set<Timer> runOnClose = ConcurrentHashMap.newKeySet();

    public PreciseScheduler(Config config, LoggingAdapter log, ThreadFactory threadFactory) {
        this.log = log;
        this.timer = new ScheduledThreadPoolExecutor(1, threadFactory);
        timer.setRemoveOnCancelPolicy(true); // cancelled timers (most are) leave the queue at once
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        timer.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    }

    @Override
    public Cancellable scheduleOnce(FiniteDuration delay, Runnable runnable, ExecutionContext executor) {
        Timer t = new Timer(runnable, executor, 0);
        t.arm(System.nanoTime() + Math.max(0, delay.toNanos()));
        return t;
    }

    /** At a fixed rate: each run scheduled after the previous one ran, at the next multiple of the interval. */
    @Override
    public Cancellable schedule(
            FiniteDuration initialDelay, FiniteDuration interval, Runnable runnable, ExecutionContext executor) {
        if (interval.toNanos() <= 0) {
            throw new IllegalArgumentException("a repeated timer needs an interval above zero, not " + interval);
        }
        Timer t = new Timer(runnable, executor, interval.toNanos());
        t.arm(System.nanoTime() + Math.max(0, initialDelay.toNanos()));
        return t;
    }

    /** As fine as the operating system's timed waits (tens of microseconds on Linux): one per microsecond. */
    @Override
    public double maxFrequency() {
        return 1_000_000.0;
    }

    /** Stops the timer thread; runs the pending {@link Scheduler.TaskRunOnClose} tasks, directly, and drops the rest. */
    @Override
    public void close() {
        timer.shutdown(); // the policies drop the delayed tasks; a run in progress is not interrupted
        for (Timer t : List.copyOf(runOnClose)) {
            if (t.state.compareAndSet(Timer.SCHEDULED, Timer.CANCELLED)) {
                t.untrack();
                try {
                    t.task.run();
                } catch (RuntimeException e) {
                    log.debug("a task run at the scheduler's close failed: {}", e.toString());
                }
            }
        }
    }

    /** One timer: dispatched to its execution context when due, unless cancelled; a repeated one re-arms. */
    private final class Timer implements Runnable, Cancellable {
        static final int SCHEDULED = 0;
        static final int FIRED = 1;
        static final int CANCELLED = 2;

        final Runnable task;
        private final ExecutionContext executor;
        private final long intervalNanos; // 0: once
        final AtomicInteger state = new AtomicInteger(SCHEDULED);
        private volatile ScheduledFuture<?> future;
        private volatile long deadlineNanos;

        Timer(Runnable task, ExecutionContext executor, long intervalNanos) {
            this.task = task;
            this.executor = executor;
            this.intervalNanos = intervalNanos;
        }

        /** Schedules the next run at {@code deadline} ({@link System#nanoTime}); refused after the close. */
        void arm(long deadline) {
            deadlineNanos = deadline;
            if (task instanceof Scheduler.TaskRunOnClose) {
                runOnClose.add(this);
            }
            try {
                ScheduledFuture<?> f =
                        timer.schedule(this, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                future = f;
                if (state.get() == CANCELLED) {
                    f.cancel(false); // cancelled before the future was known
                }
            } catch (RejectedExecutionException e) {
                if (state.compareAndSet(SCHEDULED, CANCELLED)) {
                    untrack();
                    // As Pekko's default: its own callers (a dispatcher's shutdown) expect an IllegalStateException.
                    SchedulerException cause = SchedulerException.apply("cannot enqueue after timer shutdown");
                    throw new IllegalStateException(cause.getMessage(), cause);
                } // else the close took it already (and ran it if it runs on close)
            }
        }

        void untrack() {
            if (task instanceof Scheduler.TaskRunOnClose) {
                runOnClose.remove(this);
            }
        }

        /** On the timer thread: hands the run to the execution context. */
        @Override
        public void run() {
            if (state.get() != SCHEDULED) {
                return;
            }
            try {
                executor.execute(intervalNanos == 0 ? this::runOnce : this::runRepeated);
            } catch (RuntimeException e) {
                if (state.compareAndSet(SCHEDULED, CANCELLED)) {
                    untrack();
                }
                executor.reportFailure(e);
            }
        }

        private void runOnce() {
            if (state.compareAndSet(SCHEDULED, FIRED)) {
                untrack();
                task.run();
            }
        }

        private void runRepeated() {
            if (state.get() != SCHEDULED) {
                return;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                if (state.compareAndSet(SCHEDULED, CANCELLED)) {
                    untrack();
                }
                throw e; // to the execution context, as with Pekko's default; the timer stops
            }
            if (state.get() == SCHEDULED) {
                try {
                    arm(deadlineNanos + intervalNanos); // late runs catch up at once, as at a fixed rate
                } catch (IllegalStateException closed) {
                    // the scheduler closed meanwhile: the timer ends
                }
            }
        }

        /** False once it has fired (a one-shot timer) or was cancelled already, as Pekko's contract says. */
        @Override
        public boolean cancel() {
            if (!state.compareAndSet(SCHEDULED, CANCELLED)) {
                return false;
            }
            untrack();
            ScheduledFuture<?> f = future;
            if (f != null) {
                f.cancel(false);
            }
            if (task instanceof org.apache.pekko.actor.SchedulerTask) {
                ((org.apache.pekko.actor.SchedulerTask) task).cancelled();
            }
            return true;
        }

        @Override
        public boolean isCancelled() {
            return state.get() == CANCELLED;
        }
    }
}
