package dev.scheduler.engine.internal.store;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The owner_heartbeats rows behind {@link TaskStore#beat} and {@link TaskStore#readBeats}: one row per instance,
 * all in one Cassandra partition, written and read at the store's write and read consistency (which must overlap,
 * as the default LOCAL_QUORUM for both does: a read started after a beat was acknowledged sees it or a later one).
 */
final class OwnerHeartbeats {

    private final CqlSession session;
    private final Clock clock;
    private final ConsistencyLevel read;
    private final ConsistencyLevel write;
    private final PreparedStatement writeBeat;
    private final PreparedStatement readBeats;

    /** Prepares statements (blocking: call once at start). */
    OwnerHeartbeats(CqlSession session, Cql cql, Clock clock, ConsistencyLevel read, ConsistencyLevel write) {
        this.session = session;
        this.clock = clock;
        this.read = read;
        this.write = write;
        writeBeat = session.prepare(cql.writeBeat());
        readBeats = session.prepare(cql.readBeats());
    }

    CompletionStage<Void> beat(String owner, long beat) {
        return session.executeAsync(writeBeat.bind(owner, beat, clock.instant()).setConsistencyLevel(write))
                .thenApply(rs -> null);
    }

    CompletionStage<Map<String, Long>> readAll() {
        Map<String, Long> beats = new HashMap<>();
        return session.executeAsync(readBeats.bind().setConsistencyLevel(read)).thenCompose(rs -> collect(rs, beats));
    }

    private static CompletionStage<Map<String, Long>> collect(AsyncResultSet rs, Map<String, Long> beats) {
        for (Row row : rs.currentPage()) {
            if (!row.isNull("beat")) {
                beats.put(row.getString("owner"), row.getLong("beat"));
            }
        }
        if (rs.hasMorePages()) {
            return rs.fetchNextPage().thenCompose(next -> collect(next, beats));
        }
        return CompletableFuture.completedFuture(Map.copyOf(beats));
    }
}
