package dev.scheduler.engine.internal.partition;

import java.time.Duration;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports stuck attempts of one partition: an attempt still running {@code shutdownTimeout} after it timed out
 * (it ignores interruption, or its future never completes). Its ordering id waits until it returns; a blocking
 * one holds an execution thread meanwhile. Each is logged at WARN with its key and counted in the
 * {@link PartitionHandle}, where the metrics and the admin health read it. Used on the runner's thread.
 */
final class StuckAttempts {

    private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);

    private final PartitionHandle handle;
    private final Duration after;

    StuckAttempts(PartitionHandle handle, Duration after) {
        this.handle = handle;
        this.after = after;
    }

    /** How long after its timeout an attempt that still runs counts as stuck. */
    Duration after() {
        return after;
    }

    /** The lane's current attempt is still running {@link #after()} after it timed out. */
    void stuck(Lane lane) {
        lane.stuck = true;
        handle.attemptStuck(lane.current);
        log.warn(
                "partition {}: attempt {} of {} is stuck: still running {} after it timed out; nothing else of "
                        + "ordering id {} starts until it returns, and it holds an execution thread",
                handle.partition(),
                lane.currentAttempt,
                lane.current,
                after,
                lane.current.orderingId());
    }

    /** The lane's current attempt returned; if it was stuck, it is no more. */
    void returned(Lane lane) {
        if (lane.stuck) {
            lane.stuck = false;
            handle.attemptReturned(lane.current);
            log.info(
                    "partition {}: stuck attempt {} of {} returned",
                    handle.partition(),
                    lane.currentAttempt,
                    lane.current);
        }
    }

    /** The runner stopped: its stuck attempts are no longer reported by this partition. */
    void runnerStopped(Collection<Lane> lanes) {
        lanes.stream().filter(l -> l.stuck).forEach(l -> handle.attemptReturned(l.current));
    }
}
