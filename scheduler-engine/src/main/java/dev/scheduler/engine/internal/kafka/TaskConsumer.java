package dev.scheduler.engine.internal.kafka;

import dev.scheduler.client.TaskLimits;
import dev.scheduler.engine.internal.failure.FailureStreak;
import dev.scheduler.engine.internal.observe.EngineMetrics;
import dev.scheduler.engine.internal.partition.EngineGuardian;
import dev.scheduler.engine.internal.partition.PartitionHandle;
import dev.scheduler.engine.internal.partition.PartitionScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's one Kafka poll thread. It decodes each poll's records, hands them to their partition's actors,
 * commits only offsets whose records are durable in Cassandra, pauses a partition whose records pile up
 * unpersisted, and starts and stops partition actors as the consumer group assigns and revokes partitions
 * (cooperatively: partitions that stay keep running).
 */
public final class TaskConsumer implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(TaskConsumer.class);
    private static final Duration POLL_RETRY_MIN = Duration.ofMillis(200);
    private static final Duration POLL_RETRY_MAX = Duration.ofSeconds(10);
    private static final Duration SPAWN_RETRY_MIN = Duration.ofMillis(200);
    private static final Duration SPAWN_RETRY_MAX = Duration.ofSeconds(10);

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final ActorSystem<EngineGuardian.SpawnPartition> system;
    private final RecordDecoder decoder;
    private final int maxUnpersisted;
    private final Duration pollTimeout;
    private final Duration shutdownTimeout;

    private final Map<Integer, PartitionHandle> handles = new ConcurrentHashMap<>();
    private final Map<Integer, ActorRef<PartitionScheduler.Command>> actors = new ConcurrentHashMap<>();
    private final OffsetCommitter committer;
    private final Set<TopicPartition> paused = new HashSet<>();
    /** Assigned partitions whose actors could not be spawned: paused until a retry succeeds. */
    private final Map<Integer, PendingSpawn> unspawned = new HashMap<>();

    private volatile boolean closing;
    private volatile String instanceId = "local";
    private volatile EngineMetrics metrics = EngineMetrics.NONE;
    private long lastLagNanos;
    private volatile Throwable lastError;
    private Duration spawnTimeout = Duration.ofSeconds(10);

    public TaskConsumer(
            Consumer<byte[], byte[]> consumer,
            String topic,
            int partitionCount,
            ActorSystem<EngineGuardian.SpawnPartition> system,
            TaskLimits limits,
            int maxUnpersisted,
            Duration pollTimeout,
            Duration commitInterval,
            Duration shutdownTimeout) {
        this.consumer = consumer;
        this.topic = topic;
        this.system = system;
        this.decoder = new RecordDecoder(limits, partitionCount);
        this.maxUnpersisted = maxUnpersisted;
        this.pollTimeout = pollTimeout;
        this.committer = new OffsetCommitter(consumer, topic, commitInterval);
        this.shutdownTimeout = shutdownTimeout;
    }

    /** This instance's id, recorded as the owner of the partitions it claims. Set before {@link #run()}. */
    public void instanceId(String id) {
        instanceId = id;
    }

    /** Where the poll loop reports records, rebalances, handoffs and lag. Set before {@link #run()}. */
    public void metrics(EngineMetrics m) {
        metrics = m;
    }

    /** How long spawning a partition's actors may take; tests shorten it. */
    void spawnTimeout(Duration timeout) {
        spawnTimeout = timeout;
    }

    /** Partitions this instance owns now, with their handles. */
    public Map<Integer, PartitionHandle> partitions() {
        return Map.copyOf(handles);
    }

    /** The last error of the poll loop, or null. */
    public Throwable lastError() {
        return lastError;
    }

    /** Asks the loop to stop; it hands off every partition, commits and leaves the group. */
    public void requestClose() {
        closing = true;
        consumer.wakeup();
    }

    @Override
    public void run() {
        consumer.subscribe(List.of(topic), new Rebalance());
        FailureStreak failures = new FailureStreak(POLL_RETRY_MIN, POLL_RETRY_MAX);
        try {
            while (!closing) {
                try {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
                    handOver(records);
                    retrySpawns();
                    applyRewinds();
                    noteCaughtUp();
                    applyBackpressure();
                    committer.commitIfDue(handles);
                    updateLag();
                    failures.succeeded();
                    lastError = null;
                } catch (WakeupException e) {
                    // closing
                } catch (RuntimeException e) {
                    lastError = e;
                    Duration wait = failures.failed();
                    if (failures.worthLogging()) {
                        log.warn(
                                "Kafka poll loop failed ({} in a row), retrying in {} ms",
                                failures.count(),
                                wait.toMillis(),
                                e);
                    }
                    sleepQuietly(wait.toMillis());
                }
            }
        } finally {
            shutDown();
        }
    }

    private void handOver(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            ActorRef<PartitionScheduler.Command> actor = actors.get(tp.partition());
            PartitionHandle handle = handles.get(tp.partition());
            if (actor == null || handle == null) {
                continue;
            }
            List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            if (list.isEmpty()) {
                continue;
            }
            RecordDecoder.Decoded d = decoder.decode(tp.partition(), list);
            long nextOffset = list.get(list.size() - 1).offset() + 1;
            handle.recordsHandedOver(list.size());
            handle.handedOver(list.get(0).offset(), nextOffset);
            metrics.recordsHandedOver(
                    tp.partition(),
                    d.tasks().size(),
                    d.cancels().size(),
                    d.deadLetters().size());
            actor.tell(new PartitionScheduler.Ingest(
                    handle.generation(),
                    d.tasks(),
                    d.taskOffsets(),
                    d.cancels(),
                    d.retries(),
                    d.deadLetters(),
                    list.size(),
                    nextOffset));
        }
    }

    /**
     * A partition starts no task until the records on the topic at its assignment are durable: the end offset
     * then is what it must catch up to. If the end cannot be read, the partition does not wait (and order may
     * break as before); that is logged.
     */
    private void catchUp(Map<TopicPartition, PartitionHandle> rewound) {
        Map<TopicPartition, Long> ends = Map.of();
        try {
            // One request for every partition rewound in this pass: the poll thread waits once, not per partition.
            ends = consumer.endOffsets(rewound.keySet(), Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            log.warn(
                    "partitions {}: could not read their end offsets; tasks start without catching up with the "
                            + "topic first: {}",
                    rewound.keySet(),
                    e.toString());
        }
        for (Map.Entry<TopicPartition, PartitionHandle> r : rewound.entrySet()) {
            long position = r.getValue().durableOffset();
            long target = ends.getOrDefault(r.getKey(), position);
            log.debug(
                    "partition {}: catching up from offset {} to {} before starting tasks",
                    r.getKey().partition(),
                    position,
                    target);
            r.getValue().catchUpTo(target);
        }
    }

    private void noteCaughtUp() {
        for (PartitionHandle h : handles.values()) {
            if (!h.caughtUp()) {
                TopicPartition tp = new TopicPartition(topic, h.partition());
                ActorRef<PartitionScheduler.Command> actor = actors.get(h.partition());
                if (actor != null && h.noteCaughtUp(consumer.position(tp))) {
                    log.debug("partition {}: caught up with the topic", h.partition());
                    actor.tell(new PartitionScheduler.CaughtUp());
                }
            }
        }
    }

    private void applyRewinds() {
        Map<TopicPartition, PartitionHandle> rewound = new HashMap<>();
        for (PartitionHandle h : handles.values()) {
            if (h.takeRewindRequest()) {
                TopicPartition tp = new TopicPartition(topic, h.partition());
                log.debug("partition {}: re-reading from offset {}", h.partition(), h.durableOffset());
                consumer.seek(tp, h.durableOffset());
                rewound.put(tp, h);
            }
        }
        if (!rewound.isEmpty()) {
            catchUp(rewound);
        }
    }

    private void applyBackpressure() {
        for (PartitionHandle h : handles.values()) {
            TopicPartition tp = new TopicPartition(topic, h.partition());
            if (unspawned.containsKey(h.partition())) {
                continue; // paused until its actors start
            }
            int pending = h.unpersisted();
            if (pending >= maxUnpersisted && paused.add(tp)) {
                consumer.pause(List.of(tp));
            } else if (pending < maxUnpersisted / 2 && paused.remove(tp)) {
                consumer.resume(List.of(tp));
            }
        }
    }

    /** Hands partitions off: running attempts finish (up to the shutdown timeout), then the actors stop. */
    private void stopPartitions(Collection<Integer> partitions, boolean commit) {
        List<CompletableFuture<PartitionScheduler.Stopped>> stops = new ArrayList<>();
        for (int p : partitions) {
            ActorRef<PartitionScheduler.Command> actor = actors.remove(p);
            if (actor != null) {
                stops.add(AskPattern.<PartitionScheduler.Command, PartitionScheduler.Stopped>ask(
                                actor, PartitionScheduler.Stop::new, shutdownTimeout.plusSeconds(5), system.scheduler())
                        .toCompletableFuture());
            }
        }
        for (CompletableFuture<PartitionScheduler.Stopped> stop : stops) {
            try {
                PartitionScheduler.Stopped stopped =
                        stop.get(shutdownTimeout.toMillis() + 6_000, TimeUnit.MILLISECONDS);
                if (stopped.abandonedAttempts() > 0) {
                    log.warn(
                            "partition {}: {} attempts did not finish in time and will run again on the next owner",
                            stopped.partition(),
                            stopped.abandonedAttempts());
                }
            } catch (Exception e) {
                log.warn("a partition did not stop in time: {}", e.toString());
            }
        }
        if (commit) {
            committer.commitSync(handles, partitions);
        }
        for (int p : partitions) {
            handles.remove(p);
            metrics.partitionStopped(p);
            committer.forget(p);
            paused.remove(new TopicPartition(topic, p));
            unspawned.remove(p);
        }
    }

    void startPartitions(Collection<TopicPartition> partitions) {
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
            spawn(tp, handle, new FailureStreak(SPAWN_RETRY_MIN, SPAWN_RETRY_MAX));
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
                log.info("partition {}: its actors started after {} failed tries; resuming it", p, streak.count());
                if (paused.remove(tp)) {
                    consumer.resume(List.of(tp));
                }
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            handle.healthy(false);
            if (paused.add(tp)) {
                consumer.pause(List.of(tp));
            }
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

    /** Each poll iteration: spawns again the partitions whose spawn failed and whose backoff is over. */
    void retrySpawns() {
        long now = System.nanoTime();
        for (PendingSpawn pending : List.copyOf(unspawned.values())) {
            PartitionHandle handle = handles.get(pending.tp().partition());
            if (handle != null && now - pending.dueNanos() >= 0) {
                spawn(pending.tp(), handle, pending.streak());
            }
        }
    }

    private record PendingSpawn(TopicPartition tp, FailureStreak streak, long dueNanos) {}

    private void shutDown() {
        try {
            stopPartitions(new ArrayList<>(actors.keySet()), true);
        } finally {
            try {
                consumer.close(Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                log.warn("closing the Kafka consumer failed", e);
            }
        }
    }

    /**
     * Once a second, records each owned partition's log end offset as the consumer last saw it, for the lag:
     * {@code currentLag} answers from the fetcher's cache (no request), and is known only once the position is.
     */
    private void updateLag() {
        if (System.nanoTime() - lastLagNanos < 1_000_000_000L) {
            return;
        }
        lastLagNanos = System.nanoTime();
        for (PartitionHandle h : handles.values()) {
            TopicPartition tp = new TopicPartition(topic, h.partition());
            try {
                java.util.OptionalLong lag = consumer.currentLag(tp);
                if (lag.isPresent()) {
                    h.endOffset(consumer.position(tp) + lag.getAsLong());
                }
            } catch (RuntimeException e) {
                log.debug("partition {}: no lag known yet: {}", h.partition(), e.toString());
            }
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                log.info("partitions revoked: {}", partitions);
                metrics.rebalance(EngineMetrics.Rebalance.REVOKED, partitions.size());
                long started = System.nanoTime();
                stopPartitions(
                        partitions.stream().map(TopicPartition::partition).toList(), true);
                metrics.handoff(partitions.size(), Duration.ofNanos(System.nanoTime() - started));
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                log.info("partitions assigned: {}", partitions);
                metrics.rebalance(EngineMetrics.Rebalance.ASSIGNED, partitions.size());
                startPartitions(partitions);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            log.warn("partitions lost (another instance may own them now): {}", partitions);
            metrics.rebalance(EngineMetrics.Rebalance.LOST, partitions.size());
            long started = System.nanoTime();
            stopPartitions(partitions.stream().map(TopicPartition::partition).toList(), false);
            metrics.handoff(partitions.size(), Duration.ofNanos(System.nanoTime() - started));
        }
    }
}
