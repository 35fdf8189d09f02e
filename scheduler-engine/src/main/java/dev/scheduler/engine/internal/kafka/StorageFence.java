package dev.scheduler.engine.internal.kafka;

import dev.scheduler.engine.internal.liveness.Heartbeats;
import java.time.Duration;
import java.util.Optional;

/**
 * When the poll loop leaves the consumer group because Cassandra does not answer this instance, and when it joins
 * again. Stopping consumption alone would hand nothing over: the group would keep giving this instance partitions
 * it cannot run. Leaving lets healthy instances take them over at once (this instance's heartbeat has stopped, so
 * they need not wait out its leases). It rejoins once its heartbeats have succeeded for a while; the while doubles
 * each time it had to leave again soon after rejoining (up to 5 minutes), so that an instance whose link comes
 * and goes does not pull partitions to and fro. When Cassandra is down for every instance they all leave, and
 * each rejoins when Cassandra answers it again: records wait in Kafka meanwhile. Poll thread only, except
 * {@link #status()}.
 */
final class StorageFence {

    private static final Duration MAX_REJOIN_DELAY = Duration.ofMinutes(5);

    private final Heartbeats heartbeats;
    private final Duration bound;
    private final Duration firstRejoinDelay;
    private Duration rejoinDelay;
    private long rejoinedNanos = Long.MIN_VALUE;
    private volatile String status;

    /**
     * @param bound how long Cassandra may not answer before the instance leaves
     * @param rejoinDelay how long its heartbeats must succeed before it rejoins the first time
     */
    StorageFence(Heartbeats heartbeats, Duration bound, Duration rejoinDelay) {
        this.heartbeats = heartbeats;
        this.bound = bound;
        this.firstRejoinDelay = rejoinDelay;
        this.rejoinDelay = rejoinDelay;
    }

    /** Whether the instance, in the group, must leave it now; if so, the reason is the status. */
    boolean mustLeave() {
        Optional<Duration> outage = heartbeats.outage(bound);
        if (outage.isEmpty()) {
            return false;
        }
        long now = System.nanoTime();
        if (rejoinedNanos != Long.MIN_VALUE
                && now - rejoinedNanos < rejoinDelay.multipliedBy(4).toNanos()) {
            Duration doubled = rejoinDelay.multipliedBy(2);
            rejoinDelay = doubled.compareTo(MAX_REJOIN_DELAY) > 0 ? MAX_REJOIN_DELAY : doubled;
        } else {
            rejoinDelay = firstRejoinDelay;
        }
        status = "left the consumer group: Cassandra has not answered this instance's heartbeat for "
                + outage.get().toMillis() + " ms (" + heartbeats.lastError() + "); other instances take its "
                + "partitions over; it rejoins once Cassandra has answered it for " + rejoinDelay.toMillis() + " ms";
        return true;
    }

    /** Whether the instance, out of the group, may join it again. */
    boolean mayRejoin() {
        if (heartbeats.healthyFor().compareTo(rejoinDelay) < 0) {
            return false;
        }
        rejoinedNanos = System.nanoTime();
        status = null;
        return true;
    }

    /** Why the instance is out of the group, or empty while it is in. */
    Optional<String> status() {
        return Optional.ofNullable(status);
    }
}
