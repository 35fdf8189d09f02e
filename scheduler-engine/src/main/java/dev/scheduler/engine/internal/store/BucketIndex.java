package dev.scheduler.engine.internal.store;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.scheduler.client.TaskKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The index of a partition's non-empty buckets ({@code task_buckets}, schema version 3), so that a load steps from
 * one non-empty bucket to the next with one query, however far apart they are: a record dated in year 1 costs a
 * load a few queries, not one per empty minute since then.
 *
 * <p>Engines of this version write a bucket's index row before the first row of the bucket (a task, a cancel, an
 * operator's retry), so an index row missing for a non-empty bucket can only be the work of engines before version
 * 3: a keyspace upgraded from version 2, or a version 2 engine still running during a rolling upgrade. For those
 * the load walks bucket by bucket as before, above the partition's <em>frontier</em>: every bucket below it that
 * holds a row written before the index has an index row. A walk moves the frontier as it passes buckets, indexing
 * those it finds rows in, and records it (static columns {@code complete_below}, {@code complete_epoch}) so that
 * the walk happens once. The owner claims in {@code partition_owners} tell whether that record still holds: a claim
 * by an engine of this version writes {@code indexed_epoch} (its epoch) and {@code indexed_since} (the first epoch
 * of the run of indexing claims it continues, 0 when every claim ever was one), which an older engine's claim
 * leaves untouched. A frontier recorded at an epoch before {@code indexed_since} is void: an engine that does not
 * index owned the partition in between, and the next owner walks again from the checkpoint. When
 * {@code indexed_since} is 0, every row of the partition was written with its index row and nothing is walked.
 *
 * <p>Index rows have no TTL and are not deleted: one small row per non-empty (partition, bucket) ever, which a
 * load never reads past (the query starts at the load's bound). Thread-safe.
 */
final class BucketIndex {

    /** The frontier when every claim ever indexed: no bucket needs walking. */
    static final long EVERYTHING = Long.MAX_VALUE;

    /** No frontier: buckets are negative before 1970, so no small number will do. */
    private static final long UNKNOWN = Long.MIN_VALUE;

    /** How many recently indexed buckets are remembered per partition, to skip writing them again. */
    private static final int REMEMBERED = 1_024;

    private final CqlSession session;
    private final Buckets buckets;
    private final ConsistencyLevel read;
    private final ConsistencyLevel write;
    private final PreparedStatement add;
    private final PreparedStatement next;
    private final PreparedStatement readFrontier;
    private final PreparedStatement writeFrontier;

    private final Map<Integer, Map<Long, Boolean>> indexed = new ConcurrentHashMap<>();
    private final Map<Integer, Tenure> tenures = new ConcurrentHashMap<>();

    /** One claim of a partition by this store: the frontier of its loads. */
    private static final class Tenure {
        final long epoch;
        final long indexedSince;
        /** Unknown until the first load reads the recorded one. */
        volatile long frontier = UNKNOWN;

        volatile long recorded = UNKNOWN;

        Tenure(long epoch, long indexedSince) {
            this.epoch = epoch;
            this.indexedSince = indexedSince;
            if (indexedSince == 0) {
                frontier = EVERYTHING;
                recorded = EVERYTHING;
            }
        }
    }

    /** Prepares statements (blocking: call once at start). */
    BucketIndex(CqlSession session, Cql cql, Buckets buckets, ConsistencyLevel read, ConsistencyLevel write) {
        this.session = session;
        this.buckets = buckets;
        this.read = read;
        this.write = write;
        add = session.prepare(cql.indexBucket());
        next = session.prepare(cql.nextIndexedBucket());
        readFrontier = session.prepare(cql.readIndexFrontier());
        writeFrontier = session.prepare(cql.writeIndexFrontier());
    }

    /** A claim of this store succeeded: its loads start from what is recorded for the partition. */
    void claimed(int partition, long epoch, long indexedSince) {
        tenures.put(partition, new Tenure(epoch, indexedSince));
    }

    /**
     * Writes the index rows of buckets not indexed recently; complete it before writing rows in them. At most one
     * write per distinct bucket, none for buckets written moments ago.
     */
    CompletionStage<Void> ensure(int partition, Collection<Long> buckets) {
        Map<Long, Boolean> known = remembered(partition);
        List<CompletableFuture<?>> writes = new ArrayList<>();
        for (long bucket : buckets.stream().distinct().toList()) {
            boolean seen;
            synchronized (known) {
                seen = known.get(bucket) != null; // a get, so that it counts as a use
            }
            if (!seen) {
                writes.add(session.executeAsync(add.bind(partition, bucket)
                                .setConsistencyLevel(write)
                                .setIdempotent(true))
                        .thenRun(() -> {
                            synchronized (known) {
                                known.put(bucket, Boolean.TRUE);
                            }
                        })
                        .toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    /**
     * {@link #ensure} for the buckets of some keys: before a write that may make the first row of one (a cancel of a
     * key not stored yet), or that makes a finished row pending again (an operator's retry of a row written before
     * the index, in a bucket nobody indexed).
     */
    CompletionStage<Void> ensureKeys(int partition, Stream<TaskKey> keys) {
        return ensure(
                partition,
                keys.map(k -> buckets.bucketOf(k.scheduledTime().toEpochMilli()))
                        .toList());
    }

    /**
     * A page of a bucket's rows was read: if the bucket is one a load walks (it may hold rows without an index row),
     * indexes it when the page has rows, before the walk passes it.
     */
    CompletionStage<AsyncResultSet> walked(int partition, long bucket, AsyncResultSet page) {
        if (page.remaining() == 0 || !walks(partition, bucket)) {
            return CompletableFuture.completedFuture(page);
        }
        return ensure(partition, List.of(bucket)).thenApply(v -> page);
    }

    /**
     * Runs one load of the partition: reads the recorded frontier first when it is the claim's first load, records the
     * frontier after when the load's walk moved it.
     *
     * @param fromBucket the bucket of the load's bound: at the claim's first load, the checkpoint's
     */
    <T> CompletionStage<T> load(int partition, long fromBucket, Supplier<CompletionStage<T>> load) {
        return loadStarting(partition, fromBucket)
                .thenCompose(v -> load.get())
                .thenCompose(result -> loadEnded(partition).thenApply(v -> result));
    }

    private CompletionStage<Void> loadStarting(int partition, long fromBucket) {
        Tenure t = tenures.get(partition);
        if (t == null || t.frontier != UNKNOWN) {
            return CompletableFuture.completedFuture(null);
        }
        return session.executeAsync(readFrontier.bind(partition).setConsistencyLevel(read))
                .thenAccept(rs -> {
                    Row row = rs.one();
                    boolean valid = row != null
                            && !row.isNull("complete_below")
                            && !row.isNull("complete_epoch")
                            && row.getLong("complete_epoch") >= t.indexedSince;
                    long recorded = valid ? row.getLong("complete_below") : UNKNOWN;
                    // Below the checkpoint nothing is pending; what is stored there later comes with its index row.
                    t.frontier = Math.max(recorded, fromBucket);
                    t.recorded = recorded;
                });
    }

    /** True when a bucket may hold rows without an index row: a load walks it, and indexes it if it has rows. */
    boolean walks(int partition, long bucket) {
        Tenure t = tenures.get(partition);
        return t == null || bucket >= t.frontier;
    }

    /**
     * A load has read every row of {@code bucket} from its bound up to {@code upToMillis} (excluded): where the
     * next bucket to read starts, or empty when none before {@code upToMillis} holds rows. One query on the index
     * below the frontier; none above it, where the next bucket is simply the next one.
     */
    CompletionStage<OptionalLong> after(int partition, long bucket, long upToMillis) {
        return nextBucket(partition, bucket, upToMillis)
                .thenApply(next -> next.isEmpty() ? next : OptionalLong.of(buckets.startOf(next.getAsLong())));
    }

    private CompletionStage<OptionalLong> nextBucket(int partition, long bucket, long upToMillis) {
        Tenure t = tenures.get(partition);
        long lastBucket = buckets.bucketOf(upToMillis - 1);
        if (t != null && bucket == t.frontier && buckets.startOf(bucket + 1) <= upToMillis) {
            t.frontier = bucket + 1; // read to its end, and indexed if it had rows (walked)
        }
        if (bucket >= lastBucket) {
            return CompletableFuture.completedFuture(OptionalLong.empty());
        }
        if (walks(partition, bucket + 1)) {
            return CompletableFuture.completedFuture(OptionalLong.of(bucket + 1));
        }
        long below = Math.min(t.frontier, lastBucket + 1); // t is not null: walks is true without a claim
        return session.executeAsync(next.bind(partition, bucket, below).setConsistencyLevel(read))
                .thenApply(rs -> {
                    Row row = rs.one();
                    if (row != null && !row.isNull("bucket")) {
                        return OptionalLong.of(row.getLong("bucket"));
                    }
                    return below <= lastBucket ? OptionalLong.of(below) : OptionalLong.empty();
                });
    }

    /** Records how far the walks of this claim came, when they moved: later claims start from there. */
    private CompletionStage<Void> loadEnded(int partition) {
        Tenure t = tenures.get(partition);
        if (t == null || t.frontier <= t.recorded) {
            return CompletableFuture.completedFuture(null);
        }
        long frontier = t.frontier;
        return session.executeAsync(writeFrontier
                        .bind(frontier, t.epoch, partition)
                        .setConsistencyLevel(write)
                        .setIdempotent(true))
                .thenRun(() -> t.recorded = Math.max(t.recorded, frontier));
    }

    private Map<Long, Boolean> remembered(int partition) {
        return indexed.computeIfAbsent(partition, p -> new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                return size() > REMEMBERED;
            }
        });
    }
}
