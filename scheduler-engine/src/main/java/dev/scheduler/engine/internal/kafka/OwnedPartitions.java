package dev.scheduler.engine.internal.kafka;

import dev.scheduler.engine.internal.failure.FailureStreak;
import dev.scheduler.engine.internal.observe.EngineMetrics;
import dev.scheduler.engine.internal.partition.EngineGuardian;
import dev.scheduler.engine.internal.partition.PartitionHandle;
import dev.scheduler.engine.internal.partition.PartitionScheduler;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions the poll loop owns, with their handles and actors, and those it let go of whose actors still
 * drain. Starting one pauses it until its actors' first rewind and spawns them (retried with backoff); stopping one asks
 * its actors to hand off and returns at once: the poll loop goes on serving the partitions it keeps while the
 * stopped ones' attempts finish (up to the shutdown timeout), and collects their ends on later iterations. A
 * partition assigned again while its earlier actors still drain here waits, paused, until they are done. Poll
 * thread only, except {@link #handles()}, which any thread may read.
 */
final class OwnedPartitions {

    private static final Logger log = LoggerFactory.getLogger(TaskConsumer.class);
    private static final Duration SPAWN_RETRY_MIN = Duration.ofMillis(200);
    private static final Duration SPAWN_RETRY_MAX = Duration.ofSeconds(10);

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final ActorSystem<EngineGuardian.SpawnPartition> system;
    private final Duration shutdownTimeout;
    private final OffsetCommitter committer;
    private final Map<Integer, PartitionHandle> handles = new ConcurrentHashMap<>();
    private final Map<Integer, ActorRef<PartitionScheduler.Command>> actors = new ConcurrentHashMap<>();
    private final Set<TopicPartition> paused = new HashSet<>();
    /** Assigned partitions whose actors are not spawned yet (paused until their first rewind). */
    private final Map<Integer, PendingSpawn> unspawned = new HashMap<>();
    /** Partitions let go of whose actors have not answered the stop yet. */
    private final Map<Integer, Draining> draining = new HashMap<>();

    private String instanceId = "local";
    private EngineMetrics metrics = EngineMetrics.NONE;
    private Duration spawnTimeout = Duration.ofSeconds(10);

    OwnedPartitions(
            Consumer<byte[], byte[]> consumer,
            String topic,
            ActorSystem<EngineGuardian.SpawnPartition> system,
            OffsetCommitter committer,
            Duration shutdownTimeout) {
        this.consumer = consumer;
        this.topic = topic;
        this.system = system;
        this.committer = committer;
        this.shutdownTimeout = shutdownTimeout;
    }

    void instanceId(String id) {
        instanceId = id;
    }

    void metrics(EngineMetrics m) {
        metrics = m;
    }

    void spawnTimeout(Duration timeout) {
        spawnTimeout = timeout;
    }

    /** The owned partitions' handles (a live view: any thread). */
    Map<Integer, PartitionHandle> handles() {
        return handles;
    }

    ActorRef<PartitionScheduler.Command> actor(int partition) {
        return actors.get(partition);
    }

    /** Whether the partition is owned but its actors do not run yet (a spawn to retry, or a drain to wait for). */
    boolean unspawned(int partition) {
        return unspawned.containsKey(partition);
    }

    /** Whether the poll loop paused the partition (its spawn pending, or back pressure). */
    boolean pause(TopicPartition tp) {
        if (paused.add(tp)) {
            consumer.pause(List.of(tp));
            return true;
        }
        return false;
    }

    boolean resume(TopicPartition tp) {
        if (paused.remove(tp)) {
            consumer.resume(List.of(tp));
            return true;
        }
        return false;
    }

    /** Partitions whose stop has not been answered yet. */
    int drainingCount() {
        return draining.size();
    }

    void start(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            int p = tp.partition();
            if (actors.containsKey(p) || unspawned.containsKey(p)) {
                continue;
            }
            long position = consumer.position(tp);
            log.debug("partition {}: assigned at offset {}", p, position);
            // Its actors' first start asks for a rewind, and the rewind sets what to catch up to.
            PartitionHandle handle = new PartitionHandle(p, position, instanceId);
            handle.metrics(metrics);
            handles.put(p, handle);
            metrics.partitionStarted(handle);
            FailureStreak streak = new FailureStreak(SPAWN_RETRY_MIN, SPAWN_RETRY_MAX);
            // Paused until its actors' first rewind: they would drop what is fetched while they claim, and a fetch
            // in flight for it would hold back the rewind's fetch (up to fetch.max.wait.ms, 500 ms by default).
            pause(tp);
            if (draining.containsKey(p)) {
                // Its earlier actors here still hand off: a claim now would fence them in their attempts.
                log.info("partition {}: assigned again while its earlier actors still stop; starting it after", p);
                handle.healthy(false);
                unspawned.put(p, new PendingSpawn(tp, streak, System.nanoTime()));
            } else {
                spawn(tp, handle, streak);
            }
        }
    }

    /**
     * Spawns a partition's actors; if that fails, pauses the partition, marks it unhealthy and tries again on a
     * later poll iteration, with backoff. The actors' first start rewinds to the handle's durable offset.
     */
    private void spawn(TopicPartition tp, PartitionHandle handle, FailureStreak streak) {
        int p = tp.partition();
        try {
            ActorRef<PartitionScheduler.Command> ref =
                    AskPattern.<EngineGuardian.SpawnPartition, ActorRef<PartitionScheduler.Command>>ask(
                                    system,
                                    replyTo -> new EngineGuardian.SpawnPartition(p, handle, replyTo),
                                    spawnTimeout,
                                    system.scheduler())
                            .toCompletableFuture()
                            .get(spawnTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            actors.put(p, ref);
            if (unspawned.remove(p) != null) {
                if (streak.count() > 0) {
                    log.info("partition {}: its actors started after {} failed tries", p, streak.count());
                }
                if (!handle.awaitingFirstRewind()) {
                    resume(tp); // actors of an ask that timed out ran and rewound meanwhile
                }
            } // else paused until their first rewind
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            handle.healthy(false);
            pause(tp);
            Duration wait = streak.failed();
            unspawned.put(p, new PendingSpawn(tp, streak, System.nanoTime() + wait.toNanos()));
            if (streak.worthLogging()) {
                log.warn(
                        "partition {}: could not start its actors ({} in a row); it is paused, retrying in {} ms",
                        p,
                        streak.count(),
                        wait.toMillis(),
                        e);
            }
        }
    }

    /** Each poll iteration: spawns the partitions whose backoff is over and whose earlier actors are done. */
    void retrySpawns() {
        long now = System.nanoTime();
        for (PendingSpawn pending : List.copyOf(unspawned.values())) {
            int p = pending.tp().partition();
            PartitionHandle handle = handles.get(p);
            if (handle != null && now - pending.dueNanos() >= 0 && !draining.containsKey(p)) {
                spawn(pending.tp(), handle, pending.streak());
            }
        }
    }

    /**
     * Lets partitions go: commits their durable offsets if {@code commit} (a revoke; not when they were lost to
     * another instance), and asks their actors to hand off, without waiting: {@link #collectDrained} notes the ends.
     */
    void stop(Collection<Integer> partitions, boolean commit) {
        if (commit) {
            committer.commitSync(handles, partitions);
        }
        long now = System.nanoTime();
        for (int p : partitions) {
            ActorRef<PartitionScheduler.Command> actor = actors.remove(p);
            if (actor != null) {
                CompletableFuture<PartitionScheduler.Stopped> stop =
                        AskPattern.<PartitionScheduler.Command, PartitionScheduler.Stopped>ask(
                                        actor,
                                        PartitionScheduler.Stop::new,
                                        shutdownTimeout.plusSeconds(5),
                                        system.scheduler())
                                .toCompletableFuture();
                draining.put(p, new Draining(p, stop, now));
            }
            handles.remove(p);
            metrics.partitionStopped(p);
            committer.forget(p);
            paused.remove(new TopicPartition(topic, p));
            unspawned.remove(p);
        }
    }

    /** Each poll iteration: notes the partitions whose actors answered the stop, or did not in time. */
    void collectDrained() {
        long now = System.nanoTime();
        long limit = shutdownTimeout.toNanos() + 6_000_000_000L;
        for (Iterator<Draining> it = draining.values().iterator(); it.hasNext(); ) {
            Draining d = it.next();
            if (d.stop().isDone()) {
                it.remove();
                try {
                    PartitionScheduler.Stopped stopped = d.stop().join();
                    if (stopped.abandonedAttempts() > 0) {
                        log.warn(
                                "partition {}: {} attempts did not finish in time and will run again on the next "
                                        + "owner",
                                stopped.partition(),
                                stopped.abandonedAttempts());
                    }
                } catch (RuntimeException e) {
                    log.warn("partition {}: its actors did not answer the stop: {}", d.partition(), e.toString());
                }
                metrics.handoff(1, Duration.ofNanos(now - d.sinceNanos()));
            } else if (now - d.sinceNanos() > limit) {
                it.remove();
                log.warn("partition {}: its actors did not stop in time", d.partition());
            }
        }
    }

    /** Stops every partition and waits for their actors' answers (up to the shutdown timeout and 6 s). */
    void stopAllAndWait() {
        stop(List.copyOf(actors.keySet()), true);
        long deadline = System.nanoTime() + shutdownTimeout.toNanos() + 6_000_000_000L;
        for (Draining d : List.copyOf(draining.values())) {
            try {
                d.stop().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        collectDrained();
        if (!draining.isEmpty()) {
            log.warn("partitions {}: their actors did not stop in time", draining.keySet());
        }
    }

    private record PendingSpawn(TopicPartition tp, FailureStreak streak, long dueNanos) {}

    private record Draining(int partition, CompletableFuture<PartitionScheduler.Stopped> stop, long sinceNanos) {}
}
