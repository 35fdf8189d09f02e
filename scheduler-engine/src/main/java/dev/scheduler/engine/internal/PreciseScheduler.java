package dev.scheduler.engine.internal;

import com.typesafe.config.Config;
import java.io.Closeable;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.AbstractScheduler;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.SchedulerException;
import org.apache.pekko.event.LoggingAdapter;
import scala.concurrent.ExecutionContext;
import scala.concurrent.duration.FiniteDuration;

/**
 * The engine's actor system scheduler: each timer waits on a {@link ScheduledThreadPoolExecutor} until its own
 * deadline, instead of Pekko's default wheel, which ticks whatever is due. With the 1 ms tick tasks fired on time
 * but an idle engine woke a thousand times a second (19 ms of CPU a second, docs/performance.md "Idle cost"); a
 * coarser tick would make every task later by up to its length. Timers fire on their execution context, as with
 * the default. Set by {@code pekko.scheduler.implementation}; Pekko calls the constructor.
 */
public final class PreciseScheduler extends AbstractScheduler implements Closeable {

    private final ScheduledThreadPoolExecutor timer;
    private final LoggingAdapter log;
    /** One-shot timers not fired or cancelled yet: run at the close. */
    private final Set<Timer> pending = ConcurrentHashMap.newKeySet();

    public PreciseScheduler(Config config, LoggingAdapter log, ThreadFactory threadFactory) {
        this.log = log;
        this.timer = new ScheduledThreadPoolExecutor(1, threadFactory);
        timer.setRemoveOnCancelPolicy(true); // cancelled timers (most are) leave the queue at once
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        timer.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    }

    @Override
    public Cancellable scheduleOnce(FiniteDuration delay, Runnable runnable, ExecutionContext executor) {
        Timer t = new Timer(runnable, executor, false);
        pending.add(t);
        t.future = submit(() -> timer.schedule(t, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS));
        return t;
    }

    @Override
    public Cancellable schedule(
            FiniteDuration initialDelay, FiniteDuration interval, Runnable runnable, ExecutionContext executor) {
        if (interval.toNanos() <= 0) {
            throw new IllegalArgumentException("a repeated timer needs an interval above zero, not " + interval);
        }
        Timer t = new Timer(runnable, executor, true);
        t.future = submit(() -> timer.scheduleAtFixedRate(
                t, Math.max(0, initialDelay.toNanos()), interval.toNanos(), TimeUnit.NANOSECONDS));
        return t;
    }

    /** As fine as the operating system's timed waits (tens of microseconds on Linux): one per microsecond. */
    @Override
    public double maxFrequency() {
        return 1_000_000.0;
    }

    /** Stops the timer thread; as Pekko's default does, runs what was still due to fire, at once. */
    @Override
    public void close() {
        timer.shutdownNow();
        for (Timer t : List.copyOf(pending)) {
            try {
                t.run();
            } catch (RuntimeException e) {
                log.debug("a timer run at the scheduler's close failed: {}", e.toString());
            }
        }
    }

    private ScheduledFuture<?> submit(java.util.function.Supplier<ScheduledFuture<?>> schedule) {
        try {
            return schedule.get();
        } catch (java.util.concurrent.RejectedExecutionException e) {
            pending.removeIf(t -> t.future == null && t.state.get() == Timer.SCHEDULED);
            // As Pekko's default: its own callers (a dispatcher's shutdown, say) expect an IllegalStateException.
            SchedulerException cause = SchedulerException.apply("cannot enqueue after timer shutdown");
            throw new IllegalStateException(cause.getMessage(), cause);
        }
    }

    /** One timer: dispatched to its execution context when due, unless cancelled. */
    private final class Timer implements Runnable, Cancellable {
        private static final int SCHEDULED = 0;
        private static final int FIRED = 1;
        private static final int CANCELLED = 2;

        private final Runnable task;
        private final ExecutionContext executor;
        private final boolean repeated;
        private final AtomicInteger state = new AtomicInteger(SCHEDULED);
        private volatile ScheduledFuture<?> future;

        Timer(Runnable task, ExecutionContext executor, boolean repeated) {
            this.task = task;
            this.executor = executor;
            this.repeated = repeated;
        }

        @Override
        public void run() {
            if (repeated ? state.get() != SCHEDULED : !state.compareAndSet(SCHEDULED, FIRED)) {
                return; // cancelled (a cancel before the future was set cannot stop the future itself)
            }
            if (!repeated) {
                pending.remove(this);
            }
            try {
                executor.execute(task);
            } catch (RuntimeException e) {
                log.warning("a timer could not be dispatched: {}", e.toString());
            }
        }

        /** False once it has fired (a one-shot timer) or was cancelled already, as Pekko's contract says. */
        @Override
        public boolean cancel() {
            if (!state.compareAndSet(SCHEDULED, CANCELLED)) {
                return false;
            }
            pending.remove(this);
            ScheduledFuture<?> f = future;
            if (f != null) {
                f.cancel(false);
            }
            return true;
        }

        @Override
        public boolean isCancelled() {
            return state.get() == CANCELLED;
        }
    }
}
