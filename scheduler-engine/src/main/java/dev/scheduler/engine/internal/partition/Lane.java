package dev.scheduler.engine.internal.partition;

import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskStatus;
import dev.scheduler.engine.internal.store.AttemptOutcome;
import dev.scheduler.engine.internal.store.StoredTask;
import dev.scheduler.engine.internal.store.TaskStore;
import java.time.Instant;
import java.util.TreeMap;

/**
 * The tasks of one ordering id, in key order; the head is the only one that may run. Owned by the partition's
 * {@link TaskRunner}, used on its thread only.
 */
final class Lane {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TaskRunner.class);

    enum State {
        /** Nothing started and nothing waited for: the head starts when it is due and a slot is free. */
        IDLE,
        /** The head waits for a free slot, a valid lease, or its (retry) time. */
        WAITING,
        /** An attempt runs; its outcome is not known yet. */
        RUNNING,
        /**
         * The attempt waited for a pool thread past the lease and was declined (never called, nothing recorded):
         * released to IDLE, and started again, once its thread's part has returned.
         */
        DECLINED,
        /** The attempt's outcome is known and being written (the attempt may still run: it timed out). */
        RECORDING,
        /**
         * The outcome of a timed-out attempt is durable, but the attempt still runs (it ignores interruption, or its
         * future is incomplete): nothing of this ordering id starts until it really returned.
         */
        TIMED_OUT_STILL_RUNNING
    }

    final TreeMap<TaskKey, StoredTask> tasks = new TreeMap<>();
    State state = State.IDLE;
    /** The task started and not yet released: set in RUNNING, DECLINED, RECORDING and TIMED_OUT_STILL_RUNNING. */
    TaskKey current;

    int currentAttempt;
    Instant currentStartedAt;
    /** The current attempt really returned (its thread came back, its future completed). */
    boolean returned;
    /** The current attempt was still running {@code shutdownTimeout} after it timed out. */
    boolean stuck;

    /** An attempt of this lane started and the lane is not released yet: nothing else of it may start. */
    boolean attemptInFlight() {
        return current != null;
    }

    boolean is(TaskKey key, int attempt) {
        return key.equals(current) && attempt == currentAttempt;
    }

    void started(TaskKey key, int attempt, Instant at) {
        state = State.RUNNING;
        current = key;
        currentAttempt = attempt;
        currentStartedAt = at;
        returned = false;
        stuck = false;
    }

    /**
     * Records the running attempt's start (durably RUNNING), fire and forget: the outcome write records the start
     * again, so a lost start record costs nothing.
     */
    void recordStart(TaskStore store, int partition) {
        StoredTask task = tasks.get(current);
        if (task != null && currentStartedAt != null) {
            TaskKey key = current;
            store.recordStart(partition, task.task(), currentAttempt, currentStartedAt)
                    .whenComplete((v, e) -> {
                        if (e != null) {
                            log.debug("recording the start of {} failed: {}", key, e.toString());
                        }
                    });
        }
    }

    /**
     * The current attempt's outcome is durable: a finished task leaves the lane, a retried one waits for its time.
     * True when the lane is released; false while the (timed-out) attempt still runs.
     */
    boolean outcomeDurable(AttemptOutcome o, boolean finished) {
        TaskKey key = o.task().key();
        StoredTask head = tasks.get(key);
        if (finished) {
            tasks.remove(key);
        } else if (head != null) {
            tasks.put(
                    key,
                    new StoredTask(head.task(), TaskStatus.PENDING, o.attempt(), o.nextAttemptAt(), o.errorClass()));
        }
        if (!returned) {
            state = State.TIMED_OUT_STILL_RUNNING; // released once it really returned
            return false;
        }
        release();
        return true;
    }

    /** The attempt returned and its outcome is durable: the next attempt of this ordering id may start. */
    void release() {
        state = State.IDLE;
        current = null;
        currentStartedAt = null;
    }
}
