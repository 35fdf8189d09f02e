package dev.scheduler.engine.internal.liveness;

import dev.scheduler.engine.internal.store.TaskStore;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * This instance's heartbeat, and its watch of every instance's. Every quarter lease an actor writes the next beat
 * value of this instance and reads every instance's row (one Cassandra partition). It remembers, by this
 * instance's monotonic clock, when it first saw each other instance's current value: a value unchanged for a whole
 * lease means that instance renews no lease ({@link Liveness#leaseFrom}), so its partitions can be taken over at
 * once. The same answers tell whether Cassandra answers this instance at all ({@link #outage}): the poll loop
 * leaves the consumer group when it does not.
 *
 * <p>State read by partitions and the poll loop is in volatile fields and a concurrent map; only the actor writes
 * it.
 */
public final class Heartbeats implements Liveness {

    /** The heartbeat actor's messages. */
    public interface Command {}

    private enum Tick implements Command {
        INSTANCE
    }

    private record Beaten(long issuedNanos, Throwable error) implements Command {}

    private record BeatsRead(Map<String, Long> beats, Throwable error) implements Command {}

    private record Seen(long beat, long firstSeenNanos) {}

    private final TaskStore store;
    private final String owner;
    private final Duration interval;
    private final LongSupplier nanoTime;
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();
    private final long startedNanos;
    private long nextBeat;
    private boolean beatInFlight;
    private boolean readInFlight;
    private volatile long lastAckedIssueNanos;
    private volatile boolean acked;
    private volatile long lastWriteOkNanos;
    private volatile long lastReadOkNanos;
    private volatile long lastFailureNanos;
    private volatile String lastError;

    /**
     * @param owner this instance's id, as partitions record it
     * @param ownerLease the lease: the actor beats and reads four times per lease
     * @param nanoTime the monotonic clock of the instance's partitions
     * @param firstBeat the first beat value (random in an engine, so that a restart under the same id changes it)
     */
    public Heartbeats(TaskStore store, String owner, Duration ownerLease, LongSupplier nanoTime, long firstBeat) {
        this.store = store;
        this.owner = owner;
        this.interval = ownerLease.dividedBy(4);
        this.nanoTime = nanoTime;
        this.nextBeat = firstBeat;
        this.startedNanos = nanoTime.getAsLong();
        this.lastWriteOkNanos = startedNanos;
        this.lastReadOkNanos = startedNanos;
        this.lastFailureNanos = startedNanos;
    }

    /** The actor that beats and watches, from its first message on. */
    public Behavior<Command> behavior() {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ZERO, interval);
            return Behaviors.receive(Command.class)
                    .onMessageEquals(Tick.INSTANCE, () -> tick(ctx))
                    .onMessage(Beaten.class, this::beaten)
                    .onMessage(BeatsRead.class, this::read)
                    .build();
        }));
    }

    private Behavior<Command> tick(ActorContext<Command> ctx) {
        if (!beatInFlight) {
            beatInFlight = true;
            long issued = nanoTime.getAsLong();
            ctx.pipeToSelf(store.beat(owner, nextBeat++), (v, e) -> new Beaten(issued, e));
        }
        if (!readInFlight) {
            readInFlight = true;
            ctx.pipeToSelf(store.readBeats(), BeatsRead::new);
        }
        return Behaviors.same();
    }

    private Behavior<Command> beaten(Beaten beaten) {
        beatInFlight = false;
        long now = nanoTime.getAsLong();
        if (beaten.error() == null) {
            lastAckedIssueNanos = beaten.issuedNanos();
            acked = true;
            lastWriteOkNanos = now;
        } else {
            failed(now, "writing this instance's heartbeat failed: " + beaten.error());
        }
        return Behaviors.same();
    }

    private Behavior<Command> read(BeatsRead read) {
        readInFlight = false;
        long now = nanoTime.getAsLong();
        if (read.error() != null) {
            failed(now, "reading the heartbeats failed: " + read.error());
            return Behaviors.same();
        }
        lastReadOkNanos = now;
        seen.keySet().retainAll(read.beats().keySet());
        read.beats().forEach((who, beat) -> {
            Seen before = seen.get(who);
            if (before == null || before.beat() != beat) {
                seen.put(who, new Seen(beat, now));
            }
        });
        return Behaviors.same();
    }

    private void failed(long now, String error) {
        lastFailureNanos = now;
        lastError = error;
    }

    @Override
    public OptionalLong leaseFrom(long readIssuedNanos) {
        if (!acked) {
            return OptionalLong.empty();
        }
        long beat = lastAckedIssueNanos;
        return OptionalLong.of(readIssuedNanos - beat < 0 ? readIssuedNanos : beat);
    }

    @Override
    public boolean beatsWithin(String who, long nanos) {
        Seen s = who == null || who.equals(owner) ? null : seen.get(who);
        return s != null && nanoTime.getAsLong() - s.firstSeenNanos() < nanos;
    }

    @Override
    public boolean knows(String who) {
        return who != null && (who.equals(owner) || seen.containsKey(who));
    }

    @Override
    public Optional<Silence> silentFor(String who, long nanos) {
        Seen s = who == null || who.equals(owner) ? null : seen.get(who);
        if (s == null || nanoTime.getAsLong() - s.firstSeenNanos() < nanos) {
            return Optional.empty();
        }
        return Optional.of(new Silence(who, s.beat()));
    }

    @Override
    public CompletionStage<Boolean> stillSilent(Silence silence) {
        return store.readBeats().thenApply(beats -> {
            Long now = beats.get(silence.owner());
            return now != null && now == silence.beat();
        });
    }

    /**
     * How long Cassandra has not answered this instance's heartbeat writes or reads, if it is at least {@code
     * bound}: then its leases cannot be renewed.
     */
    public Optional<Duration> outage(Duration bound) {
        long lastOk = Math.min(lastWriteOkNanos, lastReadOkNanos);
        long outage = nanoTime.getAsLong() - lastOk;
        return outage >= bound.toNanos() ? Optional.of(Duration.ofNanos(outage)) : Optional.empty();
    }

    /** How long every heartbeat write and read has succeeded, or zero while any recent one failed or is missing. */
    public Duration healthyFor() {
        long now = nanoTime.getAsLong();
        if (now - Math.min(lastWriteOkNanos, lastReadOkNanos) > interval.toNanos() * 3) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(Math.max(0, now - lastFailureNanos));
    }

    /** The last failure, for logs and the readiness probe; null when none happened. */
    public String lastError() {
        return lastError;
    }

    /** This instance's id. */
    public String owner() {
        return owner;
    }
}
