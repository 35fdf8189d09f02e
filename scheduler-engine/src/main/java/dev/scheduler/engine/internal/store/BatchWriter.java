package dev.scheduler.engine.internal.store;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import com.datastax.oss.driver.api.core.servererrors.SyntaxError;
import dev.scheduler.client.TaskKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Executes a store call's writes in unlogged batches per Cassandra partition (Kafka partition, bucket), at most
 * {@value #MAX_BATCH} statements each: on this kind of machine they cost half as much CPU per row as single writes.
 * A batch Cassandra refuses every time ({@link #refusedEveryTime}: a mutation too large, a value the schema does
 * not take) is split in halves, each written again, down to single tasks; the tasks refused alone fail the stage
 * with a {@link RejectedTasksException} once every other write has succeeded. Any other error fails the stage as it
 * is, to be retried as a whole (every write is idempotent).
 */
final class BatchWriter {

    /** One statement, and the task it writes. */
    record Write(TaskKey key, BoundStatement statement) {}

    static final int MAX_BATCH = 100;

    /**
     * The most bytes of statements in one batch. Cassandra refuses a larger request (its limit is half its commit log
     * segment: 16 MiB by default, 4 MiB on the test kit's node), and may close the connection over it, failing every
     * request in flight on it: so a batch is cut at this size before it is sent, not only split once refused.
     */
    static final int MAX_BATCH_BYTES = 1 << 20;

    private final CqlSession session;
    private final ConsistencyLevel consistency;

    BatchWriter(CqlSession session, ConsistencyLevel consistency) {
        this.session = session;
        this.consistency = consistency;
    }

    CompletionStage<Void> execute(Map<Long, List<Write>> byBucket) {
        Map<TaskKey, String> refused = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (List<Write> writes : byBucket.values()) {
            int from = 0;
            long bytes = 0;
            for (int i = 0; i < writes.size(); i++) {
                long size = writes.get(i).statement().computeSizeInBytes(session.getContext());
                boolean full = i - from >= MAX_BATCH || (i > from && bytes + size > MAX_BATCH_BYTES);
                // A task's statements stay together (an outcome and its attempt row).
                if (full && !writes.get(i).key().equals(writes.get(i - 1).key())) {
                    all.add(executeSplitting(writes.subList(from, i), refused));
                    from = i;
                    bytes = 0;
                }
                bytes += size;
            }
            if (from < writes.size()) {
                all.add(executeSplitting(writes.subList(from, writes.size()), refused));
            }
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .thenCompose(v -> refused.isEmpty()
                        ? CompletableFuture.<Void>completedFuture(null)
                        : CompletableFuture.<Void>failedFuture(new RejectedTasksException(refused)));
    }

    private CompletableFuture<Void> executeSplitting(List<Write> writes, Map<TaskKey, String> refused) {
        Statement<?> s;
        if (writes.size() == 1) {
            s = writes.get(0).statement();
        } else {
            BatchStatementBuilder b = BatchStatement.builder(DefaultBatchType.UNLOGGED);
            writes.forEach(w -> b.addStatement(w.statement()));
            s = b.build();
        }
        return session.executeAsync(s.setConsistencyLevel(consistency).setIdempotent(true))
                .toCompletableFuture()
                .thenApply(rs -> (Void) null)
                .exceptionallyCompose(e -> {
                    Throwable cause = unwrap(e);
                    if (!refusedEveryTime(cause)) {
                        return CompletableFuture.failedFuture(cause);
                    }
                    TaskKey first = writes.get(0).key();
                    if (writes.stream().allMatch(w -> w.key().equals(first))) {
                        refused.put(first, cause.getClass().getSimpleName() + ": " + cause.getMessage());
                        return CompletableFuture.completedFuture(null);
                    }
                    int half = writes.size() / 2;
                    // A task's statements stay together (an outcome and its attempt row): split at a key change.
                    while (half > 0
                            && writes.get(half)
                                    .key()
                                    .equals(writes.get(half - 1).key())) {
                        half--;
                    }
                    if (half == 0) {
                        half = writes.size() / 2;
                        while (half < writes.size()
                                && writes.get(half)
                                        .key()
                                        .equals(writes.get(half - 1).key())) {
                            half++;
                        }
                    }
                    return executeSplitting(writes.subList(0, half), refused)
                            .thenCombine(
                                    executeSplitting(writes.subList(half, writes.size()), refused), (a, b) -> null);
                });
    }

    /**
     * Errors that the same write gets every time: a request Cassandra finds invalid (among them a mutation larger
     * than half its commit log segment, and a batch over {@code batch_size_fail_threshold}), or one it cannot parse.
     * Timeouts, unavailable replicas and write failures may pass, and may have applied: they are retried.
     */
    static boolean refusedEveryTime(Throwable e) {
        return e instanceof InvalidQueryException || e instanceof SyntaxError;
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
