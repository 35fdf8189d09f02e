package dev.scheduler.engine.internal.store;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.TaskInfo;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link TaskStore} on Cassandra. Writes are grouped in unlogged batches per Cassandra partition
 * (Kafka partition, bucket), by {@link BatchWriter}.
 */
public final class CassandraTaskStore implements TaskStore {

    private static final Logger log = LoggerFactory.getLogger(CassandraTaskStore.class);

    private final SetAsideRows setAside = new SetAsideRows();

    private static final int MAX_ERROR_LENGTH = 2_000;

    private final CqlSession session;
    private final int maxPageRows;
    private final Buckets buckets;
    private final int retentionSeconds;
    private final Clock clock;
    private final ConsistencyLevel read;
    private final ConsistencyLevel write;
    private final ConsistencyLevel serial;

    private final PreparedStatement persist;
    /** A load from a bound whose key is not loaded yet: it reads that key too ({@code >=}). */
    private final PreparedStatement loadAtOrAfter;
    /** A load from a bound whose key is loaded: it reads strictly after it ({@code >}). */
    private final PreparedStatement loadAfter;

    private final PreparedStatement finish;
    private final PreparedStatement retry;
    private final PreparedStatement attempt;
    private final PreparedStatement attemptStart;
    private final PreparedStatement readOne;
    private final PreparedStatement readAttempts;
    private final PreparedStatement readCheckpoint;
    private final PreparedStatement writeCheckpoint;
    private final PreparedStatement deadLetter;
    private final PreparedStatement resetFailed;
    private final PartitionOwners owners;
    private final OwnerHeartbeats heartbeats;
    private final BucketIndex index;
    private final Expiry expiry;
    private final BatchWriter batches;
    private final TaskCancels cancels;

    /** Prepares statements (blocking: call once at start, off any actor thread). */
    public CassandraTaskStore(CqlSession session, String keyspace, EngineSettings settings, Clock clock) {
        this(session, keyspace, settings, clock, Integer.MAX_VALUE);
    }

    /** @param maxPageRows the page size of a load at most (tests make pages short to prove they are all read) */
    CassandraTaskStore(CqlSession session, String keyspace, EngineSettings settings, Clock clock, int maxPageRows) {
        this.session = session;
        this.maxPageRows = maxPageRows;
        this.buckets = Buckets.of(settings.bucketSize());
        this.retentionSeconds =
                (int) Math.min(Integer.MAX_VALUE, settings.retention().toSeconds());
        this.clock = clock;
        this.read = DefaultConsistencyLevel.valueOf(settings.readConsistency());
        this.write = DefaultConsistencyLevel.valueOf(settings.writeConsistency());
        this.serial = DefaultConsistencyLevel.valueOf(settings.serialConsistency());
        Cql cql = new Cql(keyspace);
        persist = session.prepare(cql.persistTask());
        loadAtOrAfter = session.prepare(cql.taskRange(Cql.TASK_COLUMNS, false));
        loadAfter = session.prepare(cql.taskRange(Cql.TASK_COLUMNS, true));
        finish = session.prepare(cql.finishTask());
        retry = session.prepare(cql.retryTask());
        attempt = session.prepare(cql.writeAttempt());
        attemptStart = session.prepare(cql.writeAttemptStart());
        readOne = session.prepare(cql.readTask());
        readAttempts = session.prepare(cql.readAttempts());
        readCheckpoint = session.prepare(cql.readCheckpoint());
        writeCheckpoint = session.prepare(cql.writeCheckpoint());
        resetFailed = session.prepare(cql.resetFailedTask());
        owners = new PartitionOwners(session, cql, clock, read, write, serial);
        heartbeats = new OwnerHeartbeats(session, cql, clock, read, write);
        index = new BucketIndex(session, cql, buckets, read, write);
        expiry = new Expiry(session, cql, read, write);
        batches = new BatchWriter(session, write);
        cancels = new TaskCancels(session, cql, buckets, retentionSeconds, clock, write, serial, expiry);
        deadLetter = session.prepare(cql.writeDeadLetter());
    }

    private long bucketOf(long epochMillis) {
        return buckets.bucketOf(epochMillis);
    }

    @Override
    public CompletionStage<Void> persist(int partition, List<Task> tasks) {
        Map<Long, List<BatchWriter.Write>> byBucket = new LinkedHashMap<>();
        for (Task task : tasks) {
            TaskKey k = task.key();
            long bucket = bucketOf(k.scheduledTime().toEpochMilli());
            // The map is set with its type: inferring the codec from a Map value cost ~10% of the engine's CPU.
            byBucket.computeIfAbsent(bucket, b -> new ArrayList<>())
                    .add(new BatchWriter.Write(
                            k,
                            persist.bind(null, partition, bucket, k.scheduledTime(), k.orderingId(), k.uniquenessKey())
                                    .setMap(0, task.data(), String.class, String.class)));
        }
        // The index rows before the rows: a load that skips buckets by the index never misses a stored row.
        return index.ensure(partition, byBucket.keySet()).thenCompose(v -> batches.execute(byBucket));
    }

    @Override
    public CompletionStage<Set<TaskKey>> cancel(int partition, List<TaskKey> keys) {
        return index.ensureKeys(partition, keys.stream()).thenCompose(v -> cancels.cancel(partition, keys));
    }

    @Override
    public CompletionStage<List<StoredTask>> resetFailed(int partition, List<RetryRequest> requests) {
        List<CompletableFuture<Optional<StoredTask>>> all = new ArrayList<>();
        var indexed = index.ensureKeys(partition, requests.stream().map(RetryRequest::key));
        for (RetryRequest r : requests) {
            TaskKey k = r.key();
            BoundStatement s = resetFailed
                    .bind(
                            r.requestedAt(),
                            partition,
                            bucketOf(k.scheduledTime().toEpochMilli()),
                            k.scheduledTime(),
                            k.orderingId(),
                            k.uniquenessKey(),
                            r.requestedAt())
                    .setConsistencyLevel(write)
                    .setSerialConsistencyLevel(serial);
            all.add(indexed.thenCompose(v -> session.executeAsync(s))
                    .thenCompose(rs -> {
                        if (rs.wasApplied() || Rows.resetByThisRequest(rs.one(), r)) {
                            return expiry.keepWhilePending(
                                            partition,
                                            bucketOf(k.scheduledTime().toEpochMilli()),
                                            k)
                                    .thenCompose(v -> read(partition, k));
                        }
                        // Said once per request: retryTask answered when Kafka took the record, so an operator
                        // whose retry does nothing learns why here (not FAILED, or failed after the request).
                        log.info(
                                "partition {}: retry of {} requested at {} not applied: the task is not FAILED, or "
                                        + "its last attempt ended after the request",
                                partition,
                                k,
                                r.requestedAt());
                        return CompletableFuture.completedFuture(Optional.<StoredTask>empty());
                    })
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .thenApply(v -> all.stream()
                        .map(CompletableFuture::join)
                        .flatMap(Optional::stream)
                        .toList());
    }

    @Override
    public CompletionStage<LoadResult> load(int partition, LoadBound from, long upToMillis, int limit) {
        LoadedRows rows = new LoadedRows();
        return index.load(
                        partition,
                        bucketOf(from.timeMillis()),
                        () -> loadFrom(partition, from, upToMillis, limit, rows))
                .thenCompose(result -> rows.expired().thenApply(v -> result));
    }

    private CompletionStage<LoadResult> loadFrom(
            int partition, LoadBound from, long upToMillis, int limit, LoadedRows rows) {
        if (from.timeMillis() >= upToMillis) {
            LoadBound end = from.timeMillis() > upToMillis ? from : LoadBound.before(upToMillis);
            return CompletableFuture.completedFuture(new LoadResult(rows.rows, end));
        }
        long bucket = bucketOf(from.timeMillis());
        int wanted = limit - rows.seen();
        PreparedStatement ps = from.inclusive() ? loadAfter : loadAtOrAfter;
        BoundStatement s = ps.bind(
                        partition,
                        bucket,
                        Instant.ofEpochMilli(from.timeMillis()),
                        from.orderingId(),
                        from.uniquenessKey(),
                        Instant.ofEpochMilli(upToMillis),
                        wanted)
                .setConsistencyLevel(read)
                .setPageSize(Math.max(1, Math.min(wanted, maxPageRows)));
        return session.executeAsync(s)
                .thenCompose(rs -> index.walked(partition, bucket, rs))
                .thenCompose(rs -> bucketPages(rs, partition, bucket, upToMillis, limit, rows));
    }

    /**
     * Takes the rows of one bucket's read, page after page: the driver's page size is a hint, and a page may
     * hold fewer rows than asked while more follow. Only a read without more pages ends the bucket. A row whose
     * status this engine does not know is set aside: logged, counted, and passed over, so the load moves on.
     */
    private CompletionStage<LoadResult> bucketPages(
            AsyncResultSet rs, int partition, long bucket, long upToMillis, int limit, LoadedRows rows) {
        for (Row row : rs.currentPage()) {
            rows.last = Rows.key(row);
            if (Rows.knownStatus(row)) {
                rows.rows.add(Rows.storedTask(row));
                if (Expiry.outlivesStatus(row)) {
                    rows.expiring.add(expiry.expireWithStatus(partition, bucket, rows.last));
                }
            } else {
                rows.setAside++;
                setAside.add(partition, row);
            }
        }
        if (rows.seen() >= limit) {
            return CompletableFuture.completedFuture(new LoadResult(rows.rows, LoadBound.through(rows.last)));
        }
        if (rs.hasMorePages()) {
            return rs.fetchNextPage()
                    .thenCompose(next -> index.walked(partition, bucket, next))
                    .thenCompose(next -> bucketPages(next, partition, bucket, upToMillis, limit, rows));
        }
        // The next bucket with rows, by the index: empty buckets cost nothing, however many lie between.
        return index.after(partition, bucket, upToMillis)
                .thenCompose(next -> next.isEmpty()
                        ? CompletableFuture.completedFuture(new LoadResult(rows.rows, LoadBound.before(upToMillis)))
                        : loadFrom(partition, LoadBound.before(next.getAsLong()), upToMillis, limit, rows));
    }

    /** Rows set aside since this store was created, their status unknown to this engine (logged at WARN). */
    public long rowsSetAside() {
        return setAside.count();
    }

    @Override
    public CompletionStage<Void> recordOutcomes(int partition, List<AttemptOutcome> outcomes) {
        Map<Long, List<BatchWriter.Write>> byBucket = new LinkedHashMap<>();
        for (AttemptOutcome o : outcomes) {
            TaskKey k = o.task().key();
            long bucket = bucketOf(k.scheduledTime().toEpochMilli());
            List<BatchWriter.Write> writes = byBucket.computeIfAbsent(bucket, b -> new ArrayList<>());
            Consumer<BoundStatement> list = st -> writes.add(new BatchWriter.Write(k, st));
            String error = o.errorClass() == null ? null : truncate(o.errorClass() + ": " + o.errorMessage());
            if (o.statusAfter().isTerminal()) {
                list.accept(finish.bind(
                                retentionSeconds,
                                null,
                                o.statusAfter().name(),
                                o.attempt(),
                                error,
                                o.finishedAt(),
                                o.startedAt(),
                                o.finishedAt(),
                                o.result().name(),
                                partition,
                                bucket,
                                k.scheduledTime(),
                                k.orderingId(),
                                k.uniquenessKey())
                        .setMap(1, o.task().data(), String.class, String.class));
            } else {
                list.accept(retry.bind(
                        o.attempt(),
                        o.nextAttemptAt(),
                        error,
                        o.finishedAt(),
                        partition,
                        bucket,
                        k.scheduledTime(),
                        k.orderingId(),
                        k.uniquenessKey()));
            }
            if (o.result() != AttemptResult.SUCCEEDED) {
                // A success is recorded on the task row alone (one write less per task, the common case);
                // failed attempts keep a history row each.
                list.accept(attempt.bind(
                        retentionSeconds,
                        o.startedAt(),
                        o.finishedAt(),
                        o.result().name(),
                        o.errorClass(),
                        truncate(o.errorMessage()),
                        partition,
                        bucket,
                        k.scheduledTime(),
                        k.orderingId(),
                        k.uniquenessKey(),
                        o.attempt()));
            }
        }
        return batches.execute(byBucket);
    }

    @Override
    public CompletionStage<Void> recordStart(int partition, Task task, int attemptNumber, Instant startedAt) {
        TaskKey k = task.key();
        return session.executeAsync(attemptStart
                        .bind(
                                retentionSeconds,
                                startedAt,
                                partition,
                                bucketOf(k.scheduledTime().toEpochMilli()),
                                k.scheduledTime(),
                                k.orderingId(),
                                k.uniquenessKey(),
                                attemptNumber)
                        .setConsistencyLevel(write)
                        .setIdempotent(true))
                .thenApply(rs -> null);
    }

    @Override
    public CompletionStage<Optional<StoredTask>> read(int partition, TaskKey k) {
        return session.executeAsync(readByKey(readOne, partition, k)).thenCompose(rs -> {
            Row row = rs.one();
            if (row == null) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            Optional<StoredTask> task = Optional.of(Rows.storedTask(row));
            if (!Rows.knownStatus(row)) {
                setAside.add(partition, row); // read as FAILED by Rows: finished for the partition, not run
            } else if (Expiry.outlivesStatus(row)) {
                return expiry.expireWithStatus(
                                partition, bucketOf(k.scheduledTime().toEpochMilli()), k)
                        .thenApply(v -> task);
            }
            return CompletableFuture.completedFuture(task);
        });
    }

    /** The task with its attempt history, for operators and tests. */
    public CompletionStage<Optional<TaskInfo>> readInfo(int partition, TaskKey k) {
        BoundStatement s = readByKey(readAttempts, partition, k);
        BoundStatement row = readByKey(readOne, partition, k);
        return session.executeAsync(row)
                .thenCombine(
                        session.executeAsync(s),
                        (rowRs, rs) -> Optional.ofNullable(rowRs.one())
                                .map(taskRow -> TaskHistory.info(partition, taskRow, rs.currentPage())));
    }

    /** Binds a read whose only bind markers are a task's key ({@link Cql#TASK_KEY}). */
    private BoundStatement readByKey(PreparedStatement ps, int partition, TaskKey k) {
        return ps.bind(
                        partition,
                        bucketOf(k.scheduledTime().toEpochMilli()),
                        k.scheduledTime(),
                        k.orderingId(),
                        k.uniquenessKey())
                .setConsistencyLevel(read);
    }

    @Override
    public CompletionStage<Optional<Instant>> readCheckpoint(int partition) {
        return session.executeAsync(readCheckpoint.bind(partition).setConsistencyLevel(read))
                .thenApply(rs -> Optional.ofNullable(rs.one()).map(r -> r.getInstant("checkpoint")));
    }

    @Override
    public CompletionStage<Void> writeCheckpoint(int partition, Instant checkpoint) {
        return session.executeAsync(writeCheckpoint
                        .bind(checkpoint, clock.instant(), partition)
                        .setConsistencyLevel(write))
                .thenApply(rs -> null);
    }

    @Override
    public CompletionStage<Optional<OwnerRow>> readOwner(int partition) {
        return owners.read(partition);
    }

    @Override
    public CompletionStage<Optional<OwnerRow>> readOwnerForLease(int partition) {
        return owners.readForLease(partition);
    }

    @Override
    public CompletionStage<Claim> claim(int partition, String owner, long expectedEpoch) {
        return owners.claim(partition, owner, expectedEpoch, index);
    }

    @Override
    public CompletionStage<Void> release(int partition, long epoch) {
        return owners.release(partition, epoch);
    }

    @Override
    public CompletionStage<Void> beat(String owner, long beat) {
        return heartbeats.beat(owner, beat);
    }

    @Override
    public CompletionStage<Map<String, Long>> readBeats() {
        return heartbeats.readAll();
    }

    @Override
    public CompletionStage<Void> deadLetter(List<DeadLetter> letters) {
        List<CompletableFuture<?>> all = new ArrayList<>();
        Instant now = clock.instant();
        for (DeadLetter d : letters) {
            ByteBuffer raw = d.value() == null ? null : ByteBuffer.wrap(d.value());
            all.add(session.executeAsync(deadLetter
                            .bind(
                                    d.partition(),
                                    d.offset(),
                                    now,
                                    truncate(d.reason()),
                                    d.recordKey(),
                                    raw,
                                    retentionSeconds)
                            .setConsistencyLevel(write))
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    private static String truncate(String s) {
        return s == null || s.length() <= MAX_ERROR_LENGTH ? s : s.substring(0, MAX_ERROR_LENGTH) + "...";
    }
}
