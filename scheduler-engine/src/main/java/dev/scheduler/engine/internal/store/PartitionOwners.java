package dev.scheduler.engine.internal.store;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    /**
     * Of lease renewals: the read consistency when it and the write consistency both reach a quorum, so that a
     * renewal sent after a claim committed sees it; else the serial one. (A serial read is a Paxos round: it cost an
     * idle engine's Cassandra about 0.04 core for 16 partitions.)
     */
    private final ConsistencyLevel leaseRead;

    private final PreparedStatement readOwner;
    private final PreparedStatement readOwners;
    /** Groups the renewals' reads into one query; null when they are serial (a serial read is of one partition). */
    private final LeaseReads leaseReads;

    private final PreparedStatement claimFirst;
    private final PreparedStatement claimNext;
    private final PreparedStatement claimUnset;
    private final PreparedStatement release;

    /** Prepares statements (blocking: call once at start). */
    PartitionOwners(
            CqlSession session,
            Cql cql,
            Clock clock,
            ConsistencyLevel read,
            ConsistencyLevel write,
            ConsistencyLevel serial) {
        this.leaseRead = reachesQuorum(read) && reachesQuorum(write) ? read : serial;
        this.session = session;
        this.clock = clock;
        this.write = write;
        this.serial = serial;
        readOwner = session.prepare(cql.readOwner());
        readOwners = session.prepare(cql.readOwners());
        leaseReads = leaseRead == serial ? null : new LeaseReads(this::readMany);
        claimFirst = session.prepare(cql.claimFirst());
        claimNext = session.prepare(cql.claimNext());
        claimUnset = session.prepare(cql.claimUnset());
        release = session.prepare(cql.release());
    }

    CompletionStage<Optional<OwnerRow>> readForLease(int partition) {
        return leaseReads == null ? read(partition, leaseRead) : leaseReads.read(partition);
    }

    /** The owner rows of {@code partitions} at the lease consistency, in one query. */
    private CompletionStage<Map<Integer, OwnerRow>> readMany(List<Integer> partitions) {
        return session.executeAsync(readOwners
                        .bind(partitions)
                        .setPageSize(partitions.size() + 1)
                        .setConsistencyLevel(leaseRead))
                .thenCompose(rs -> {
                    if (rs.hasMorePages()) {
                        // A partition missing from the answer would read as "no row", which confirms the lease.
                        return CompletableFuture.failedFuture(new IllegalStateException(
                                "the owner rows of " + partitions.size() + " partitions came in more than one page"));
                    }
                    Map<Integer, OwnerRow> rows = new HashMap<>();
                    for (Row row : rs.currentPage()) {
                        rows.put(row.getInt("partition"), Rows.owner(row));
                    }
                    return CompletableFuture.completedFuture(rows);
                });
    }

    /** Whether reads or writes at {@code level} reach a quorum of the replicas (of the local datacenter at least). */
    static boolean reachesQuorum(ConsistencyLevel level) {
        return switch (level.name()) {
            case "QUORUM", "LOCAL_QUORUM", "EACH_QUORUM", "ALL" -> true;
            default -> false;
        };
    }

    CompletionStage<Optional<OwnerRow>> read(int partition) {
        return read(partition, serial);
    }

    private CompletionStage<Optional<OwnerRow>> read(int partition, ConsistencyLevel consistency) {
        return session.executeAsync(readOwner.bind(partition).setConsistencyLevel(consistency))
                .thenApply(rs -> Optional.ofNullable(rs.one()).map(Rows::owner));
    }

    /** Claims the partition, and tells {@code index} the claim's epoch and the run of indexing claims it continues. */
    CompletionStage<Claim> claim(int partition, String owner, long expectedEpoch, BucketIndex index) {
        return session.executeAsync(readOwner.bind(partition).setConsistencyLevel(serial))
                .thenCompose(rs -> {
                    Row row = rs.one();
                    Optional<OwnerRow> current = Optional.ofNullable(row).map(Rows::owner);
                    long read = current.map(OwnerRow::epoch).orElse(TaskStore.NO_OWNER_ROW);
                    if (read != expectedEpoch) {
                        return CompletableFuture.failedFuture(new IllegalStateException("partition " + partition
                                + " was claimed by another instance since its owner row was read (epoch " + read
                                + ", expected " + expectedEpoch + ")"));
                    }
                    long epoch = current.map(OwnerRow::epoch).orElse(0L) + 1;
                    long since = indexedSince(row, epoch);
                    Instant now = clock.instant();
                    BoundStatement s = current.isEmpty()
                            ? claimFirst.bind(partition, owner, now)
                            : epoch == 1
                                    ? claimUnset.bind(epoch, owner, now, epoch, since, partition)
                                    : claimNext.bind(epoch, owner, now, epoch, since, partition, epoch - 1);
                    return session.executeAsync(
                                    s.setSerialConsistencyLevel(serial).setConsistencyLevel(write))
                            .thenCompose(applied -> {
                                if (!applied.wasApplied()) {
                                    // Someone else claimed in between: the caller tries again after a backoff.
                                    return CompletableFuture.failedFuture(new IllegalStateException("partition "
                                            + partition + " was claimed by another instance at the same time"));
                                }
                                index.claimed(partition, epoch, since);
                                OwnerRow previous = current.orElse(OwnerRow.NONE);
                                return CompletableFuture.completedFuture(
                                        new Claim(new OwnerRow(epoch, owner, now, false), previous));
                            });
                });
    }

    /**
     * The first epoch of the run of indexing claims a claim at {@code epoch} continues: 0 (every claim ever) for the
     * first claim of a partition, the previous claim's when that one indexed too, else this very epoch. A claim by an
     * engine before schema version 3 moves the epoch without writing {@code indexed_epoch}, which ends the run.
     */
    static long indexedSince(Row current, long epoch) {
        if (current == null) {
            return 0;
        }
        boolean previousIndexed = !current.isNull("indexed_epoch")
                && !current.isNull("indexed_since")
                && !current.isNull("epoch")
                && current.getLong("indexed_epoch") == current.getLong("epoch");
        return previousIndexed ? current.getLong("indexed_since") : epoch;
    }

    CompletionStage<Void> release(int partition, long epoch) {
        return session.executeAsync(release.bind(partition, epoch)
                        .setSerialConsistencyLevel(serial)
                        .setConsistencyLevel(write))
                .thenApply(rs -> null);
    }
}
