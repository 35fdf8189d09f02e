package dev.scheduler.engine.internal.partition;

import dev.scheduler.engine.internal.observe.EngineMetrics;
import dev.scheduler.engine.internal.observe.PartitionGauges;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * What the Kafka poll thread and a partition's actors share: how far the partition's records are durable,
 * how many are still in flight, and a request to re-read from the last durable offset after the partition's
 * actors restarted and lost what they held. Thread-safe.
 */
public final class PartitionHandle implements PartitionGauges {

    private final int partition;
    private final AtomicLong durableOffset;
    private final AtomicInteger unpersisted = new AtomicInteger();
    private final AtomicInteger generation = new AtomicInteger();
    private final AtomicBoolean rewindRequested = new AtomicBoolean();
    private volatile int droppedGeneration = -1;
    private volatile int tasksInMemory;
    private volatile boolean healthy = true;
    private volatile boolean writesFailing;
    private volatile long ownerEpoch = -1;
    private final LongSupplier nanoTime;
    private volatile long leaseValidUntilNanos; // no lease until ownership is claimed
    private volatile boolean fenced;
    private volatile long endOffset = -1;
    /**
     * Records up to here were on the topic when the partition was rewound (after its claim); -1 when nothing is to
     * catch up, the largest long from a rewind until the poll thread knows the offset.
     */
    private volatile long catchUpOffset = -1;

    private volatile boolean caughtUp = true;
    /** Whether it has caught up once: until then its actors are starting (claiming, loading, catching up). */
    private volatile boolean startedOnce;
    /** Whether the poll thread has applied a rewind its actors asked for (their first start asks for one). */
    private volatile boolean rewoundOnce;
    /** The end of the last batch handed over that began before {@link #catchUpOffset}: it must become durable. */
    private long catchUpNeeded = -1;

    private volatile EngineMetrics metrics = EngineMetrics.NONE;
    private final java.util.Set<dev.scheduler.client.TaskKey> stuck =
            java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static final AtomicLong IDS = new AtomicLong();

    private final String owner;
    private final long id = IDS.incrementAndGet();

    /** @param owner this instance's id, recorded as the partition's owner */
    public PartitionHandle(int partition, long startOffset, String owner) {
        this(partition, startOffset, owner, System::nanoTime);
    }

    /**
     * @param nanoTime the monotonic time the lease is measured by: {@link System#nanoTime} in an engine, which
     *     keeps running while the process is paused; virtual time in the partition simulation
     */
    public PartitionHandle(int partition, long startOffset, String owner, LongSupplier nanoTime) {
        this.owner = owner;
        this.partition = partition;
        this.durableOffset = new AtomicLong(startOffset);
        this.nanoTime = nanoTime;
        this.leaseValidUntilNanos = nanoTime.getAsLong();
    }

    /** Now, by the monotonic time the lease is measured by. */
    public long nanoTime() {
        return nanoTime.getAsLong();
    }

    @Override
    public int partition() {
        return partition;
    }

    /** Unique among the handles of this JVM: names the partition's actors (one set per handle). */
    public long id() {
        return id;
    }

    /** This instance's id. */
    public String owner() {
        return owner;
    }

    /** The next offset to consume after everything durable: the offset to commit. */
    public long durableOffset() {
        return durableOffset.get();
    }

    /** Records handed to the actors and not yet durable. */
    public int unpersisted() {
        return unpersisted.get();
    }

    /** Bumped when the poll thread rewinds; ingests of an older generation are ignored by the actors. */
    public int generation() {
        return generation.get();
    }

    public void recordsHandedOver(int count) {
        unpersisted.addAndGet(count);
    }

    /**
     * Poll thread: records from {@code firstOffset} up to {@code nextOffset} were handed to the actors. While
     * catching up, the durable offset must reach the end of every batch that began before the offset to catch up
     * to.
     */
    public synchronized void handedOver(long firstOffset, long nextOffset) {
        if (!caughtUp && firstOffset < catchUpOffset) {
            catchUpNeeded = Math.max(catchUpNeeded, nextOffset);
        }
    }

    /** Called by the actors, in offset order, when records up to {@code nextOffset} are durable. */
    public void markDurable(int generationOfBatch, long nextOffset, int recordCount) {
        if (generationOfBatch != generation.get() || generationOfBatch == droppedGeneration) {
            return;
        }
        durableOffset.accumulateAndGet(nextOffset, Math::max);
        unpersisted.addAndGet(-recordCount);
        metrics.recordsPersisted(partition, recordCount);
    }

    /** Where durable records are counted for metrics; set by the poll thread before the actors start. */
    public void metrics(EngineMetrics m) {
        metrics = m;
    }

    /** Poll thread: the partition's log end offset as last seen by the consumer. */
    public void endOffset(long offset) {
        endOffset = offset;
    }

    /**
     * Poll thread, after a rewind: the partition's log end offset read at the rewind. Until every record
     * before it is durable, the partition starts no task: an overdue task in Cassandra may have an earlier-keyed
     * task of its ordering id still on the topic, published while no instance owned the partition. The batches
     * handed over since the rewind, while the offset was not known, must all become durable.
     */
    public synchronized void catchUpTo(long endOffset) {
        catchUpOffset = endOffset;
        caughtUp = false;
    }

    /**
     * Poll thread, after each poll: true the first time the consumer's position has passed the offset to catch up
     * to and every batch handed over that began before it is durable (the position, not the durable offset,
     * decides the first part, so that offsets that hold no record, such as transaction markers, cannot keep the
     * partition waiting; a steady stream of newer records does not either).
     */
    public synchronized boolean noteCaughtUp(long position) {
        // A rewind asked for and not yet applied: the offset to catch up to is about to be set anew.
        if (caughtUp || rewindRequested.get() || position < catchUpOffset || durableOffset.get() < catchUpNeeded) {
            return false;
        }
        caughtUp = true;
        startedOnce = true;
        return true;
    }

    /**
     * Whether its actors have not yet caught up with the topic since they were created or rewound: the poll
     * thread polls briefly meanwhile, so that their rewind and catch-up are not held back by a poll that waits.
     */
    public boolean starting() {
        return !startedOnce || !caughtUp;
    }

    /**
     * Whether the poll thread has yet to apply its actors' first rewind: until then they claim the partition and
     * drop what they are handed, so the poll thread keeps it paused.
     */
    public boolean awaitingFirstRewind() {
        return !rewoundOnce;
    }

    /** True once the records that were on the topic at assignment are durable (see {@link #catchUpTo}). */
    public boolean caughtUp() {
        return caughtUp;
    }

    /** Records on the topic that are not durable yet (log end minus durable offset), or -1 when not known yet. */
    @Override
    public long consumerLag() {
        long end = endOffset;
        return end < 0 ? -1 : Math.max(0, end - durableOffset.get());
    }

    /**
     * Called by the actors when they drop records of {@code generationOfBatch} (not started yet): from then on,
     * no batch of that generation may advance the durable offset, or a later batch would skip the dropped
     * records. The rewind that follows starts a new generation from the last durable offset.
     */
    public void dropped(int generationOfBatch) {
        droppedGeneration = generationOfBatch;
    }

    /**
     * Called by a new incarnation of the partition's actors: records it had not persisted must be read again,
     * and it starts no task until it caught up with the topic again (the poll thread sets the offset).
     */
    public synchronized void requestRewind() {
        caughtUp = false;
        rewindRequested.set(true);
    }

    /** Poll thread: true once per rewind request; the caller seeks to {@link #durableOffset()}. */
    public synchronized boolean takeRewindRequest() {
        if (rewindRequested.getAndSet(false)) {
            generation.incrementAndGet();
            unpersisted.set(0);
            catchUpOffset = Long.MAX_VALUE; // not known until catchUpTo
            catchUpNeeded = -1;
            rewoundOnce = true;
            return true;
        }
        return false;
    }

    @Override
    public int tasksInMemory() {
        return tasksInMemory;
    }

    public void tasksInMemory(int count) {
        tasksInMemory = count;
    }

    /**
     * True while this instance may start tasks of the partition and record their outcomes: ownership was
     * confirmed in Cassandra less than five sixths of a lease ago ({@code PartitionLease}; by monotonic time,
     * which keeps running while a process is paused) and no other instance has claimed it since.
     */
    public boolean leaseValid() {
        return !fenced && nanoTime.getAsLong() - leaseValidUntilNanos < 0;
    }

    /** The owner epoch this instance claimed, or -1 before the claim. */
    public long ownerEpoch() {
        return ownerEpoch;
    }

    /** True once another instance claimed the partition: nothing more is started or written here. */
    public boolean fenced() {
        return fenced;
    }

    /**
     * A new incarnation of the partition's actors starts (first start, or a supervisor restart): it owns nothing
     * until its own claim applies, whatever epoch an earlier incarnation held (found in review: a stop released the
     * failed incarnation's epoch, and the next owner started beside its attempts).
     */
    public void unclaimed() {
        ownerEpoch = -1;
    }

    /** A claim of this handle's actors applied with {@code epoch}: a fence of an earlier claim is over. */
    public void claimed(long epoch) {
        ownerEpoch = epoch;
        fenced = false;
    }

    /** Ownership was confirmed by a read issued at {@code issuedAtNanos}: the lease runs from then. */
    public void leaseConfirmed(long issuedAtNanos, long leaseNanos) {
        long until = issuedAtNanos + leaseNanos;
        if (until - leaseValidUntilNanos > 0) {
            leaseValidUntilNanos = until;
        }
    }

    public void fence() {
        fenced = true;
    }

    /** False while the partition's Cassandra writes fail (see {@link #writesFailing}) or after {@link #healthy(boolean)}. */
    public boolean healthy() {
        return healthy && !writesFailing;
    }

    /** The persister: its writes fail and are retried (true), or the last one succeeded (false). */
    void writesFailing(boolean value) {
        writesFailing = value;
    }

    public void healthy(boolean value) {
        healthy = value;
    }

    /**
     * The runner: an attempt of {@code key} is still running {@code shutdownTimeout} after it timed out. It holds
     * an execution thread (or whatever its future waits for), and its ordering id waits until it returns.
     */
    public void attemptStuck(dev.scheduler.client.TaskKey key) {
        stuck.add(key);
    }

    /** The runner: a stuck attempt of {@code key} returned at last, or its runner stopped. */
    public void attemptReturned(dev.scheduler.client.TaskKey key) {
        stuck.remove(key);
    }

    /** The tasks whose attempt is stuck, in key order. */
    public java.util.List<dev.scheduler.client.TaskKey> stuckAttempts() {
        return stuck.stream().sorted().toList();
    }

    @Override
    public int stuckAttemptCount() {
        return stuck.size();
    }
}
