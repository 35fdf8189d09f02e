package dev.scheduler.engine.internal.partition;

import dev.scheduler.client.Task;
import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.internal.failure.FailureStreak;
import dev.scheduler.engine.internal.store.LoadResult;
import dev.scheduler.engine.internal.store.StoredTask;
import dev.scheduler.engine.internal.store.TaskStore;
import java.time.Clock;
import java.util.Optional;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;

/**
 * How one {@link PartitionScheduler} brings stored tasks into its {@link InMemorySchedule}: range loads of the
 * next window, and reads of one key's status when a task older than the finished keys remembered comes in again.
 * Part of the scheduler, like {@link PartitionLease}: it runs on the scheduler's thread with its context and
 * timers, its messages are the scheduler's, and it logs through the actor's logger (named after
 * {@link PartitionScheduler} by {@link PartitionStartup}). A failed load is
 * retried by the next tick; a failed status read by a timer of its own, the key held in memory meanwhile so that
 * the checkpoint cannot pass it.
 */
final class PartitionLoader {

    record Loaded(LoadResult result, int limit) implements PartitionScheduler.Command {}

    record LoadFailed(Throwable error) implements PartitionScheduler.Command {}

    record StatusRead(Task task, Optional<StoredTask> stored) implements PartitionScheduler.Command {}

    record StatusNotRead(Task task, Throwable error) implements PartitionScheduler.Command {}

    record RetryRead(Task task) implements PartitionScheduler.Command {}

    private final ActorContext<PartitionScheduler.Command> context;
    private final TimerScheduler<PartitionScheduler.Command> timers;
    private final int partition;
    private final EngineSettings settings;
    private final TaskStore store;
    private final Clock clock;
    private final PartitionHandle handle;
    private final InMemorySchedule schedule;
    private final FailureStreak loadFailures;

    PartitionLoader(
            ActorContext<PartitionScheduler.Command> context,
            TimerScheduler<PartitionScheduler.Command> timers,
            PartitionContext partition,
            InMemorySchedule schedule) {
        this.context = context;
        this.timers = timers;
        this.partition = partition.partition();
        this.settings = partition.settings();
        this.store = partition.store();
        this.clock = partition.clock();
        this.handle = partition.handle();
        this.schedule = schedule;
        this.loadFailures = new FailureStreak(settings.storeRetryMinBackoff(), settings.storeRetryMaxBackoff());
    }

    /** Starts the next window's load unless one is in flight or the window is loaded. */
    void startLoad() {
        if (schedule.loading()) {
            return;
        }
        schedule.startLoad(clock.millis())
                .ifPresent(load -> context.pipeToSelf(
                        store.load(partition, load.from(), load.upTo(), load.limit()),
                        (r, e) -> e == null ? new Loaded(r, load.limit()) : new LoadFailed(e)));
    }

    /**
     * Merges a load into memory and issues the status reads it leaves.
     *
     * @return true when the load stopped at its page limit: there may be more in the window
     */
    boolean loaded(Loaded l) {
        loadFailures.succeeded();
        handle.healthy(true);
        InMemorySchedule.Merged merged = schedule.loadSucceeded(l.result(), l.limit());
        merged.statusReads().forEach(this::readStatus);
        return merged.fullPage();
    }

    void loadFailed(LoadFailed failed) {
        schedule.loadFailed();
        handle.healthy(false);
        loadFailures.failed(); // the next tick retries: the wait is the load interval
        if (loadFailures.worthLogging()) {
            log().warn(
                            "partition {}: loading tasks failed ({} in a row), retrying on the next tick: {}",
                            partition,
                            loadFailures.count(),
                            failed.error().toString());
        }
    }

    void readStatus(Task task) {
        context.pipeToSelf(
                store.read(partition, task.key()),
                (stored, e) -> e == null ? new StatusRead(task, stored) : new StatusNotRead(task, e));
    }

    void statusNotRead(StatusNotRead failed) {
        log().warn(
                        "partition {}: reading the status of {} failed, retrying: {}",
                        partition,
                        failed.task().key(),
                        failed.error().toString());
        // The key stays in `reading` meanwhile, so that the checkpoint cannot move past it.
        timers.startSingleTimer(
                "read-" + failed.task().key(), new RetryRead(failed.task()), settings.storeRetryMinBackoff());
    }

    private Logger log() {
        return context.getLog();
    }
}
