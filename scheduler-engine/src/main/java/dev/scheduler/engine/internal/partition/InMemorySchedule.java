package dev.scheduler.engine.internal.partition;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.TaskStatus;
import dev.scheduler.engine.internal.store.LoadBound;
import dev.scheduler.engine.internal.store.LoadResult;
import dev.scheduler.engine.internal.store.StoredTask;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One partition's in-memory schedule: the tasks due within the look-ahead window, those dispatched to the
 * runner, recently finished keys, and how far loading from the store has come. Bookkeeping only, without I/O:
 * its {@link PartitionScheduler} makes the store calls, sends the messages and sets the timers. Not thread-safe;
 * only that actor uses it.
 *
 * <p>Invariant: every stored incomplete task whose key is covered by {@code loaded} is in memory (waiting, or
 * dispatched to the runner); nothing before the durable checkpoint is incomplete. Memory is bounded by
 * {@link EngineSettings#maxTasksInMemoryPerPartition()}: beyond it the latest waiting tasks are dropped from
 * memory and {@code loaded} moves back to them, so the loader reads them again later.
 */
final class InMemorySchedule {

    /** What {@link #accept} leaves to the caller. */
    enum Acceptance {
        /** Nothing: the task is in memory, held for the load in flight, or left to the store. */
        SETTLED,
        /**
         * The key is older than the finished keys remembered, or is one of them: read its stored status and pass
         * it to {@link #statusRead}. Until then the key counts in memory and holds the checkpoint back.
         */
        READ_STATUS
    }

    /** A read of the store's tasks from {@code from} up to (not including) {@code upTo}, at most {@code limit}. */
    record Load(LoadBound from, long upTo, int limit) {}

    /** What a successful load leaves to the caller. */
    record Merged(boolean fullPage, List<Task> statusReads) {}

    /** How long finished keys are remembered: a re-enqueue of one never runs it again, whatever its read says. */
    static final Duration DONE_MEMORY = Duration.ofMinutes(2);

    private final int maxInMemory;
    private final long lookAheadMillis;
    /** A load starts once the loaded window ends less than this ahead of now (see {@link #startLoad}). */
    private final long reloadWithinMillis;

    private final int loadBatchSize;
    private final TreeMap<TaskKey, StoredTask> waiting = new TreeMap<>();
    private final TreeSet<TaskKey> dispatched = new TreeSet<>();
    /** The attempts recorded on each dispatched task's row when it was dispatched. */
    private final Map<TaskKey, Integer> dispatchedAttempts = new HashMap<>();

    private final TreeSet<TaskKey> done = new TreeSet<>();
    private final Map<TaskKey, Task> reading = new HashMap<>();
    /** Dispatched keys scheduled again meanwhile: their status is read once they finished. */
    private final Map<TaskKey, Task> readWhenFinished = new HashMap<>();

    private final List<Task> heldDuringLoad = new ArrayList<>();
    /** Operator retries of keys the load in flight covers: applied again once it returned (it may read them FAILED). */
    private final List<StoredTask> retriesHeldDuringLoad = new ArrayList<>();
    /** Operator retries of keys the runner still holds (it reports the failed attempt): applied once it did. */
    private final Map<TaskKey, StoredTask> retryWhenFinished = new HashMap<>();
    /** Keys that ended while the load in flight ran: its rows of them may be stale (simulation seed 52066). */
    private final java.util.Set<TaskKey> endedDuringLoad = new java.util.HashSet<>();
    /** Keys that ended while their status read was in flight: its answer is stale (review; simulation 186856). */
    private final java.util.Set<TaskKey> endedWhileReading = new java.util.HashSet<>();

    private LoadBound loaded;
    private long doneSince;
    private boolean loading;
    private long loadUpTo;
    private boolean evictedDuringLoad;
    /** The window holds stored tasks not loaded yet (a load stopped at its page limit, or tasks were evicted). */
    private boolean moreToLoad;

    /**
     * Loading starts at {@code fromMillis}, the durable checkpoint: nothing before it is incomplete.
     * {@code loadInterval}: how often loads are tried; a window ending within two of them is always loaded again.
     */
    InMemorySchedule(long fromMillis, int maxInMemory, Duration lookAhead, int loadBatchSize, Duration loadInterval) {
        this.maxInMemory = maxInMemory;
        this.lookAheadMillis = lookAhead.toMillis();
        this.reloadWithinMillis = Math.max(lookAheadMillis / 2, Math.min(lookAheadMillis, 2 * loadInterval.toMillis()));
        this.loadBatchSize = loadBatchSize;
        this.loaded = LoadBound.before(fromMillis);
        this.doneSince = fromMillis;
    }

    /** A durable task from Kafka: keep it in memory if it falls in the loaded window. */
    Acceptance accept(Task task) {
        TaskKey key = task.key();
        if (loading && !loaded.covers(key) && key.scheduledTime().toEpochMilli() < loadUpTo) {
            if (inMemory() >= maxInMemory) {
                // No room to hold it: drop this load's result instead; the next load reads the task (it is durable).
                evictedDuringLoad = true;
                return Acceptance.SETTLED;
            }
            heldDuringLoad.add(task); // the load in flight may or may not have seen it
            return Acceptance.SETTLED;
        }
        if (!loaded.covers(key)) {
            return Acceptance.SETTLED; // beyond the window: the loader reads it when its time approaches
        }
        if (key.scheduledTime().toEpochMilli() < doneSince) {
            // Older than what we remember of finished keys: ask the store whether it already ran.
            if (dispatched.contains(key)) {
                // Running, or cancelled and not yet reported by the runner: read once it has (its row was just
                // stored again without a TTL, and a read makes a finished row expire whole).
                readWhenFinished.put(key, task);
                return Acceptance.SETTLED;
            }
            if (waiting.containsKey(key) || reading.containsKey(key)) {
                return Acceptance.SETTLED;
            }
            if (inMemory() >= maxInMemory) {
                // No room to hold it while its status is read: the loader reads it again, in key order with the
                // later keys of its ordering id (found by the partition simulation: memory went past its bound).
                loadAgainFrom(key);
                return Acceptance.SETTLED;
            }
            reading.put(key, task);
            return Acceptance.READ_STATUS;
        }
        // A re-enqueue of a finished or started key never runs it again. Its data was just stored again without a
        // TTL: a read of its finished row makes the row expire whole again (the store does it); a running key is
        // read once it finished (its outcome may have been written before this data).
        if (done.contains(key)) {
            if (reading.containsKey(key)) {
                return Acceptance.SETTLED;
            }
            if (inMemory() >= maxInMemory) {
                loadAgainFrom(key); // no room for the read: the loader reads the row again, and heals it
                return Acceptance.SETTLED;
            }
            reading.put(key, task);
            return Acceptance.READ_STATUS;
        }
        if (dispatched.contains(key)) {
            readWhenFinished.put(key, task);
            return Acceptance.SETTLED;
        }
        // A re-enqueue (or a record read again) updates the data but keeps the attempts and the next attempt's time.
        waiting.compute(
                key,
                (k, known) -> known == null
                        ? new StoredTask(task, TaskStatus.PENDING, 0, null, null)
                        : new StoredTask(
                                task, known.status(), known.attempts(), known.nextAttemptAt(), known.lastError()));
        return Acceptance.SETTLED;
    }

    /** The answer to {@link Acceptance#READ_STATUS}; true when the task now waits in memory. */
    boolean statusRead(Task task, Optional<StoredTask> read) {
        reading.remove(task.key());
        if (endedWhileReading.remove(task.key())) {
            return false; // the read was sent before the cancel was stored: its answer is stale
        }
        StoredTask stored = read.orElse(new StoredTask(task, TaskStatus.PENDING, 0, null, null));
        TaskKey key = task.key();
        if (!stored.status().isTerminal()
                && !done.contains(key)
                && !waiting.containsKey(key)
                && !dispatched.contains(key)
                && loaded.covers(key)) {
            waiting.put(key, stored);
            return true;
        }
        return false;
    }

    /**
     * A durable cancel; true when the task was waiting or dispatched, so the runner must drop it too. A dispatched
     * task stays dispatched until the runner reports it ({@link #finished}; it reports a cancelled task it dropped
     * too): its attempt may be running, and its outcome may still win over the cancel (an attempt that succeeded or
     * failed for good), so that an operator's retry of it must wait for the attempt (simulation seed 1442690: the
     * retry went to the runner while the attempt ran, which dropped it, and the reset task never ran).
     */
    boolean cancel(TaskKey key) {
        endedWhileLoading(key);
        endedWhileReading(key);
        retryWhenFinished.remove(key);
        readWhenFinished.remove(key); // the cancel makes the row expire whole
        boolean held = waiting.remove(key) != null || dispatched.contains(key);
        rememberDone(key);
        return held;
    }

    /**
     * An operator reset a FAILED task to pending: it runs now when the loaded window covers it (a FAILED task is
     * in the past, so it does unless memory pressure moved the bound back), else when the loader reaches it.
     */
    void retry(StoredTask retried) {
        TaskKey key = retried.task().key();
        done.remove(key);
        endedDuringLoad.remove(key); // pending again: a row the load read pending is right
        if (dispatched.contains(key)) {
            // Dispatched from a row this reset already reset (its answer was lost, a load read the row), the attempt
            // running is the retry itself (simulation seed 25313: it ran twice); else it is the failed one.
            if (dispatchedAttempts.getOrDefault(key, 0) < retried.attempts()) {
                retryWhenFinished.put(key, retried); // run it again once the runner reported it
            }
            return;
        }
        if (loaded.covers(key)) {
            waiting.put(key, new StoredTask(retried.task(), TaskStatus.PENDING, retried.attempts(), null, null));
        } else if (loading && key.scheduledTime().toEpochMilli() < loadUpTo) {
            if (inMemory() >= maxInMemory) {
                evictedDuringLoad = true; // no room: drop the load's answer instead; the next load reads the row
            } else {
                retriesHeldDuringLoad.add(retried);
            }
        }
        // Beyond the window, the row is durably pending again: the loader reads it in key order, after the earlier
        // keys of its ordering id (held in memory, it would run before them).
    }

    /**
     * The runner reports the task terminal, durably, or dropped after a cancel; returns the task to read if it was
     * scheduled again meanwhile.
     */
    Optional<Task> finished(TaskKey key) {
        dispatched.remove(key);
        dispatchedAttempts.remove(key);
        StoredTask retryAgain = retryWhenFinished.remove(key);
        Task readAgain = readWhenFinished.remove(key);
        if (retryAgain == null) {
            endedWhileLoading(key);
            endedWhileReading(key);
        }
        if (retryAgain != null) {
            retry(retryAgain); // pending again: it runs once more, and is read like any pending task
            return Optional.empty();
        }
        rememberDone(key);
        return readAgain != null && reading.putIfAbsent(key, readAgain) == null
                ? Optional.of(readAgain)
                : Optional.empty();
    }

    /** Remembers a key ended here, covered by the load bound or not (simulation seed 237: it ran twice). */
    private void rememberDone(TaskKey key) {
        if (key.scheduledTime().toEpochMilli() >= doneSince) {
            done.add(key);
        }
    }

    /** Forgets finished keys older than {@link #DONE_MEMORY}; a re-enqueue of one of them is checked with a read. */
    void forgetOldDone(Instant now) {
        long forgetBefore = now.minus(DONE_MEMORY).toEpochMilli();
        while (!done.isEmpty() && done.first().scheduledTime().toEpochMilli() < forgetBefore) {
            done.pollFirst();
            doneSince = Math.max(doneSince, forgetBefore);
        }
        if (done.isEmpty()) {
            doneSince = Math.max(doneSince, Math.min(forgetBefore, loaded.timeMillis()));
        }
    }

    /**
     * The next load, now in flight, through the look-ahead; empty when memory is full or the window is loaded
     * through half the look-ahead (and two load intervals): a quiet partition reads and moves its checkpoint every
     * half look-ahead, not every tick (idle, 32 of 50 requests a second). One load at a time.
     */
    Optional<Load> startLoad(long nowMillis) {
        long upTo = nowMillis + lookAheadMillis;
        int room = maxInMemory - inMemory();
        if (loaded.timeMillis() >= nowMillis + reloadWithinMillis || room <= 0) {
            return Optional.empty();
        }
        int limit = Math.min(loadBatchSize, room);
        loading = true;
        loadUpTo = upTo;
        return Optional.of(new Load(loaded, upTo, limit));
    }

    /**
     * The load in flight returned: merges its rows unless the window shrank meanwhile, and accepts the tasks held
     * during it. {@code fullPage}: merged, and more may follow (a full page, or one short of the window's end);
     * {@code statusReads}: held tasks to read, as for {@link Acceptance#READ_STATUS}.
     */
    Merged loadSucceeded(LoadResult result, int limit) {
        loading = false;
        if (evictedDuringLoad) {
            // The window shrank while this load ran: its rows may lie beyond the new bound. Read again later.
            evictedDuringLoad = false;
            endedDuringLoad.clear();
            moreToLoad = true;
            return new Merged(false, acceptHeld());
        }
        for (StoredTask row : result.rows()) {
            TaskKey key = row.task().key();
            if (row.status().isTerminal()) {
                rememberDoneAfterLoad(key);
            } else if (!dispatched.contains(key) && !done.contains(key) && !endedDuringLoad.contains(key)) {
                waiting.putIfAbsent(key, row);
            }
        }
        endedDuringLoad.clear();
        LoadBound from = loaded;
        loaded = result.loadedThrough();
        // More may follow after a full page, and after a short page that stopped before the window's end (the
        // store says so with loadedThrough; a store may return fewer rows than asked with more to come). A load
        // that made no progress waits for the next tick.
        boolean more = result.rows().size() >= limit || (loaded.timeMillis() < loadUpTo && !loaded.equals(from));
        moreToLoad = more;
        return new Merged(more, acceptHeld());
    }

    private void rememberDoneAfterLoad(TaskKey key) {
        if (key.scheduledTime().toEpochMilli() >= doneSince) {
            done.add(key);
        }
    }

    private List<Task> acceptHeld() {
        List<StoredTask> retries = new ArrayList<>(retriesHeldDuringLoad);
        retriesHeldDuringLoad.clear();
        retries.forEach(this::retry);
        List<Task> held = new ArrayList<>(heldDuringLoad);
        heldDuringLoad.clear();
        List<Task> toRead = new ArrayList<>();
        for (Task task : held) {
            if (accept(task) == Acceptance.READ_STATUS) {
                toRead.add(task);
            }
        }
        return toRead;
    }

    /** The load in flight failed; the next one starts from the same bound. */
    void loadFailed() {
        loading = false;
        endedDuringLoad.clear();
        evictedDuringLoad = false;
        // Tasks held for this load are durable; they are loaded by the next attempt.
        heldDuringLoad.clear();
        retriesHeldDuringLoad.clear();
    }

    int inMemory() {
        return waiting.size()
                + dispatched.size()
                + heldDuringLoad.size()
                + retriesHeldDuringLoad.size()
                + reading.size();
    }

    private void endedWhileReading(TaskKey key) {
        if (reading.containsKey(key)) {
            endedWhileReading.add(key);
        }
    }

    private void endedWhileLoading(TaskKey key) {
        if (loading) {
            endedDuringLoad.add(key);
        }
    }

    /** Forgets what is loaded from {@code key} on: the waiting tasks from it, and the bound moves back before it. */
    private void loadAgainFrom(TaskKey key) {
        waiting.tailMap(key, true).clear();
        if (loaded.covers(key)) {
            loaded = LoadBound.before(key);
        }
        moreToLoad = true;
        evictedDuringLoad |= loading;
    }

    void enforceMemoryBound() {
        while (inMemory() > maxInMemory && !waiting.isEmpty()) {
            TaskKey evicted = waiting.lastKey();
            waiting.remove(evicted);
            if (loaded.covers(evicted)) { // only ever back: forward would pass keys never loaded
                loaded = LoadBound.before(evicted);
            }
            moreToLoad = true;
            evictedDuringLoad |= loading;
        }
    }

    /**
     * Moves the waiting tasks scheduled at or before {@code nowMillis} to dispatched, in key order, except those
     * behind an earlier key of their ordering id that is in memory but not waiting yet: its status is being read,
     * or it is held for the load in flight. It goes first once it waits.
     */
    List<StoredTask> takeDue(long nowMillis) {
        List<StoredTask> due = new ArrayList<>();
        HeldBack blocked = notWaitingYet();
        var it = waiting.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<TaskKey, StoredTask> e = it.next();
            if (e.getKey().scheduledTime().toEpochMilli() > nowMillis) {
                break;
            }
            if (!blocked.holdsBack(e.getKey())) {
                // Read the entry before removing it: a TreeMap may reuse a removed entry for its successor.
                dispatched.add(e.getKey());
                dispatchedAttempts.put(e.getKey(), e.getValue().attempts());
                due.add(e.getValue());
                it.remove();
            }
        }
        return due;
    }

    /** The earliest waiting key not held back (see {@link #takeDue}): the next one to dispatch. */
    Optional<TaskKey> firstWaiting() {
        HeldBack blocked = notWaitingYet();
        for (TaskKey key : waiting.keySet()) {
            if (!blocked.holdsBack(key)) {
                return Optional.of(key);
            }
        }
        return Optional.empty();
    }

    private HeldBack notWaitingYet() {
        return HeldBack.of(
                reading.keySet(),
                heldDuringLoad.stream().map(Task::key).toList(),
                retriesHeldDuringLoad.stream().map(t -> t.task().key()).toList());
    }

    /** How far the checkpoint may move: before every incomplete task we know of. */
    Instant checkpointBound() {
        long min = loaded.timeMillis();
        if (!waiting.isEmpty()) {
            min = Math.min(min, waiting.firstKey().scheduledTime().toEpochMilli());
        }
        if (!dispatched.isEmpty()) {
            min = Math.min(min, dispatched.first().scheduledTime().toEpochMilli());
        }
        for (Task t : heldDuringLoad) {
            min = Math.min(min, t.key().scheduledTime().toEpochMilli());
        }
        for (TaskKey k : reading.keySet()) {
            min = Math.min(min, k.scheduledTime().toEpochMilli());
        }
        return Instant.ofEpochMilli(min);
    }

    /** Every stored key on the loaded side of this bound is in memory or finished. */
    LoadBound loaded() {
        return loaded;
    }

    boolean loading() {
        return loading;
    }

    boolean moreToLoad() {
        return moreToLoad;
    }

    /** Keys scheduled from this time on are remembered once finished; older ones are checked with a read. */
    long doneSince() {
        return doneSince;
    }
}
