package dev.scheduler.engine.internal.store;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Durable task state of one keyspace. Every method is asynchronous and never blocks the caller; a failed
 * call completes its stage exceptionally and may be retried as is (every write is idempotent). A failed stage does
 * not say that nothing applied: a write may have applied and then failed or timed out.
 */
public interface TaskStore {

    /**
     * Stores tasks (key and data only: never changes the status of a key already stored). Tasks the store refuses
     * every time (a row too large, a value the schema does not take) fail the stage with a
     * {@link RejectedTasksException} that names them, once every other task of the call is stored.
     */
    CompletionStage<Void> persist(int partition, List<Task> tasks);

    /**
     * Marks keys cancelled unless they already finished; returns the keys that are cancelled now (including keys
     * not stored yet, which then can never run while the cancel is retained, and keys cancelled already, so that a
     * cancel sent again after it applied answers the same). A cancel is retained for the retention, counted from
     * the task's time when that is later than now; the row then expires whole, and never reads as pending: the
     * stage completes only once every cell of the row expires with the status (a cancel sent again repairs a
     * row left half done by a failure).
     */
    CompletionStage<Set<TaskKey>> cancel(int partition, List<TaskKey> keys);

    /**
     * Resets FAILED tasks to pending so they run once more, each only if its last attempt ended before the
     * request (a compare-and-set on the status and the end of the failure, which then records the request's time):
     * a request read twice runs the task once. Returns the rows that are reset by these requests, including one
     * whose reset applied on an earlier try of the same request. Other keys are left alone.
     */
    CompletionStage<List<StoredTask>> resetFailed(int partition, List<RetryRequest> requests);

    /**
     * Reads stored rows of a partition from {@code from} up to (excluding) {@code upToMillis}, at most {@code limit}.
     * A finished row met whose data would outlive its status (the key was scheduled again after it finished) is
     * made to expire with its status before the stage completes, so that it never reads as pending later.
     */
    CompletionStage<LoadResult> load(int partition, LoadBound from, long upToMillis, int limit);

    /**
     * Records that an attempt started (its history row without an end), so that a running attempt is visible
     * durably. Best effort: the outcome write records the start again.
     */
    CompletionStage<Void> recordStart(int partition, Task task, int attempt, Instant startedAt);

    /**
     * Records attempt outcomes: status, attempts, next attempt and the attempt history rows. Outcomes the store
     * refuses every time fail the stage with a {@link RejectedTasksException}, once every other one is stored.
     */
    CompletionStage<Void> recordOutcomes(int partition, List<AttemptOutcome> outcomes);

    /** Reads one task, or empty if not stored; a finished row is made to expire whole, as by {@link #load}. */
    CompletionStage<Optional<StoredTask>> read(int partition, TaskKey key);

    /** The partition's checkpoint: no incomplete task is stored before it. Empty when never written. */
    CompletionStage<Optional<Instant>> readCheckpoint(int partition);

    /** Writes the partition's checkpoint. */
    CompletionStage<Void> writeCheckpoint(int partition, Instant checkpoint);

    /** The epoch {@link #claim} expects of a partition that has no owner row. */
    long NO_OWNER_ROW = -1;

    /**
     * Claims the partition for {@code owner} with a compare-and-set on the epoch, if its owner row still has
     * {@code expectedEpoch} (the epoch the caller read and decided on; {@link #NO_OWNER_ROW} for no row): otherwise
     * the stage fails and nothing is written. Returns the new row and the row it replaced ({@link OwnerRow#NONE}
     * when there was none).
     */
    CompletionStage<Claim> claim(int partition, String owner, long expectedEpoch);

    /** Reads the partition's owner row (serially consistent). */
    CompletionStage<Optional<OwnerRow>> readOwner(int partition);

    /**
     * Reads the partition's owner row to renew its owner's lease: at the read consistency when it and the write
     * consistency both reach a quorum (else serially), so that a read sent after a claim succeeded sees it. A claim still in progress
     * may be missed, which is safe: the claimer waits a whole lease after its claim succeeded, and the lease a read
     * sent before that confirms runs out before (docs/design.md, "Ownership and fencing"). By default as
     * {@link #readOwner}.
     */
    default CompletionStage<Optional<OwnerRow>> readOwnerForLease(int partition) {
        return readOwner(partition);
    }

    /** Marks the partition released by the owner of {@code epoch}, so that the next owner need not wait. */
    CompletionStage<Void> release(int partition, long epoch);

    /**
     * Writes {@code owner}'s heartbeat: {@code beat}, a value that differs from the owner's previous one. A beat
     * that reported failure may have applied.
     */
    CompletionStage<Void> beat(String owner, long beat);

    /**
     * Every owner's last heartbeat. A read started after a beat was acknowledged returns that beat or a later one
     * of the same owner.
     */
    CompletionStage<Map<String, Long>> readBeats();

    /** Sets records aside. */
    CompletionStage<Void> deadLetter(List<DeadLetter> letters);
}
