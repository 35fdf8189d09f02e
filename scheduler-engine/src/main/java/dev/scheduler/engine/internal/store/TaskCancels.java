package dev.scheduler.engine.internal.store;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import dev.scheduler.client.TaskKey;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@link TaskStore#cancel} on Cassandra: a compare-and-set of the status per key, then the rest of the row made to
 * expire with it ({@link Expiry}), so that a cancelled task never reads as pending once its status expired.
 */
final class TaskCancels {

    private final CqlSession session;
    private final Buckets buckets;
    private final long retentionSeconds;
    private final Clock clock;
    private final ConsistencyLevel write;
    private final ConsistencyLevel serial;
    private final Expiry expiry;
    private final PreparedStatement cancel;

    /** Prepares statements: blocking, call at start. */
    TaskCancels(
            CqlSession session,
            Cql cql,
            Buckets buckets,
            long retentionSeconds,
            Clock clock,
            ConsistencyLevel write,
            ConsistencyLevel serial,
            Expiry expiry) {
        this.session = session;
        this.buckets = buckets;
        this.retentionSeconds = retentionSeconds;
        this.clock = clock;
        this.write = write;
        this.serial = serial;
        this.expiry = expiry;
        this.cancel = session.prepare(cql.cancelTask());
    }

    /**
     * Completes once every key's cancel and rewrite are durable, so that the caller commits the cancel record's
     * offset only then: a failure between the two is repaired by the replay, which finds the key cancelled.
     */
    CompletionStage<Set<TaskKey>> cancel(int partition, List<TaskKey> keys) {
        Set<TaskKey> applied = Collections.synchronizedSet(new HashSet<>());
        List<CompletableFuture<?>> all = new ArrayList<>();
        Instant now = clock.instant();
        for (TaskKey k : keys) {
            long bucket = buckets.bucketOf(k.scheduledTime().toEpochMilli());
            BoundStatement s = cancel.bind(
                            Expiry.cancelTtl(retentionSeconds, now, k.scheduledTime()),
                            now,
                            partition,
                            bucket,
                            k.scheduledTime(),
                            k.orderingId(),
                            k.uniquenessKey())
                    .setConsistencyLevel(write)
                    .setSerialConsistencyLevel(serial);
            all.add(session.executeAsync(s)
                    .thenCompose(rs -> {
                        // Not applied because the key is CANCELLED already: this very cancel, sent again after it
                        // applied and then reported a failure, or an earlier cancel of the key. Either way it holds,
                        // and the rest of the row is made to expire with it (again: the first try may have failed
                        // between the two writes).
                        if (rs.wasApplied() || Rows.cancelledAlready(rs.one())) {
                            return expiry.expireWithStatus(partition, bucket, k).thenRun(() -> applied.add(k));
                        }
                        return CompletableFuture.<Void>completedFuture(null);
                    })
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(v -> Set.copyOf(applied));
    }
}
