package dev.scheduler.engine.internal.store;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The partition_owners rows behind {@link TaskStore#claim}, {@link TaskStore#readOwner} and
 * {@link TaskStore#release}: claims and releases are compare-and-sets on the epoch (lightweight transactions),
 * and the row is read at the serial consistency, so that a claim sees the last one that succeeded.
 */
final class PartitionOwners {

    private final CqlSession session;
    private final Clock clock;
    private final ConsistencyLevel write;
    private final ConsistencyLevel serial;

    private final PreparedStatement readOwner;
    private final PreparedStatement claimFirst;
    private final PreparedStatement claimNext;
    private final PreparedStatement claimUnset;
    private final PreparedStatement release;

    /** Prepares statements (blocking: call once at start). */
    PartitionOwners(CqlSession session, Cql cql, Clock clock, ConsistencyLevel write, ConsistencyLevel serial) {
        this.session = session;
        this.clock = clock;
        this.write = write;
        this.serial = serial;
        readOwner = session.prepare(cql.readOwner());
        claimFirst = session.prepare(cql.claimFirst());
        claimNext = session.prepare(cql.claimNext());
        claimUnset = session.prepare(cql.claimUnset());
        release = session.prepare(cql.release());
    }

    CompletionStage<Optional<OwnerRow>> read(int partition) {
        return session.executeAsync(readOwner.bind(partition).setConsistencyLevel(serial))
                .thenApply(rs -> Optional.ofNullable(rs.one()).map(Rows::owner));
    }

    CompletionStage<Claim> claim(int partition, String owner) {
        return read(partition).thenCompose(current -> {
            Instant now = clock.instant();
            BoundStatement s = current.isEmpty()
                    ? claimFirst.bind(partition, owner, now)
                    : current.get().epoch() == 0
                            ? claimUnset.bind(1L, owner, now, partition)
                            : claimNext.bind(
                                    current.get().epoch() + 1,
                                    owner,
                                    now,
                                    partition,
                                    current.get().epoch());
            return session.executeAsync(s.setSerialConsistencyLevel(serial).setConsistencyLevel(write))
                    .thenCompose(rs -> {
                        if (!rs.wasApplied()) {
                            // Someone else claimed in between: the caller tries again after a backoff.
                            return CompletableFuture.failedFuture(new IllegalStateException(
                                    "partition " + partition + " was claimed by another instance at the same time"));
                        }
                        OwnerRow previous = current.orElse(OwnerRow.NONE);
                        return CompletableFuture.completedFuture(
                                new Claim(new OwnerRow(previous.epoch() + 1, owner, now, false), previous));
                    });
        });
    }

    CompletionStage<Void> release(int partition, long epoch) {
        return session.executeAsync(release.bind(partition, epoch)
                        .setSerialConsistencyLevel(serial)
                        .setConsistencyLevel(write))
                .thenApply(rs -> null);
    }
}
