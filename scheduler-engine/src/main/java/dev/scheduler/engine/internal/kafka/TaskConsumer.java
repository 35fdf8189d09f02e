package dev.scheduler.engine.internal.kafka;

import dev.scheduler.client.TaskLimits;
import dev.scheduler.engine.internal.failure.FailureStreak;
import dev.scheduler.engine.internal.liveness.Heartbeats;
import dev.scheduler.engine.internal.observe.EngineMetrics;
import dev.scheduler.engine.internal.partition.EngineGuardian;
import dev.scheduler.engine.internal.partition.PartitionHandle;
import dev.scheduler.engine.internal.partition.PartitionScheduler;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's one Kafka poll thread. It decodes each poll's records, hands them to their partition's actors,
 * commits only offsets whose records are durable in Cassandra, pauses a partition whose records pile up
 * unpersisted, and starts and stops partition actors as the consumer group assigns and revokes partitions
 * (cooperatively: partitions that stay keep running, and they keep being served while revoked ones drain). When
 * Cassandra does not answer this instance it leaves the group, and joins again once it does ({@link StorageFence}).
 */
public final class TaskConsumer implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(TaskConsumer.class);
    /** The poll timeout while a partition starts (see {@link #pollTimeout()}). */
    private static final Duration STARTING_POLL_TIMEOUT = Duration.ofMillis(10);

    private static final Duration POLL_RETRY_MIN = Duration.ofMillis(200);
    private static final Duration POLL_RETRY_MAX = Duration.ofSeconds(10);

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final RecordDecoder decoder;
    private final int maxUnpersisted;
    private final Duration pollTimeout;
    private final OffsetCommitter committer;
    private final OwnedPartitions owned;
    private final CatchUp catchUp;

    private volatile boolean closing;
    private volatile EngineMetrics metrics = EngineMetrics.NONE;
    private long lastLagNanos;
    private volatile Throwable lastError;
    private StorageFence fence;
    private CoordinatorWatch coordinator;
    private boolean subscribed;
    /** Set while leaving a group whose coordinator does not answer: a commit would only wait for it. */
    private boolean cutOffFromKafka;

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
        this.decoder = new RecordDecoder(limits, partitionCount);
        this.maxUnpersisted = maxUnpersisted;
        this.pollTimeout = pollTimeout;
        this.committer = new OffsetCommitter(consumer, topic, commitInterval);
        this.owned = new OwnedPartitions(consumer, topic, system, committer, shutdownTimeout);
        this.catchUp = new CatchUp(consumer);
    }

    /**
     * Where rewound partitions read the end offsets they catch up to without waiting (see {@link CatchUp}); closed
     * with the loop. Set before {@link #run()}; without it, the consumer's blocking request at each rewind.
     */
    public void endOffsetsFrom(EndOffsets reader) {
        catchUp.reader(reader);
    }

    /** This instance's id, recorded as the owner of the partitions it claims. Set before {@link #run()}. */
    public void instanceId(String id) {
        owned.instanceId(id);
    }

    /** Where the poll loop reports records, rebalances, handoffs and lag. Set before {@link #run()}. */
    public void metrics(EngineMetrics m) {
        metrics = m;
        owned.metrics(m);
    }

    /**
     * Leave the consumer group when the heartbeats have not reached Cassandra for {@code bound}, and rejoin once
     * they have for {@code rejoinDelay} (doubled after each flap). Set before {@link #run()}; without it the
     * instance never leaves.
     */
    public void leaveGroupWhenCassandraIsLost(Heartbeats heartbeats, Duration bound, Duration rejoinDelay) {
        fence = new StorageFence(heartbeats, bound, rejoinDelay);
    }

    /**
     * Hand every partition off and rejoin when the group coordinator has not answered for the session timeout
     * ({@link CoordinatorWatch}). Set before {@link #run()}.
     */
    public void rejoinWhenCutOffFromKafka(Duration sessionTimeout) {
        coordinator = new CoordinatorWatch(consumer, sessionTimeout);
    }

    /** How long spawning a partition's actors may take; tests shorten it. */
    void spawnTimeout(Duration timeout) {
        owned.spawnTimeout(timeout);
    }

    /** Partitions this instance owns now, with their handles. */
    public Map<Integer, PartitionHandle> partitions() {
        return Map.copyOf(owned.handles());
    }

    /** The last error of the poll loop, or null. */
    public Throwable lastError() {
        return lastError;
    }

    /** Why this instance is out of the consumer group, or empty while it is in (or has no fence). */
    public Optional<String> outOfGroup() {
        return fence == null ? Optional.empty() : fence.status();
    }

    /** Closes the Kafka clients of a loop that never ran (the engine's start failed after building it). */
    public void discard() {
        try {
            consumer.close(Duration.ZERO);
        } finally {
            catchUp.close();
        }
    }

    /** Asks the loop to stop; it hands off every partition, commits and leaves the group. */
    public void requestClose() {
        closing = true;
        consumer.wakeup();
    }

    @Override
    public void run() {
        subscribe();
        FailureStreak failures = new FailureStreak(POLL_RETRY_MIN, POLL_RETRY_MAX);
        try {
            while (!closing) {
                try {
                    owned.collectDrained();
                    if (!inGroup()) {
                        sleepQuietly(pollTimeout.toMillis());
                        continue;
                    }
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout());
                    handOver(records);
                    owned.retrySpawns();
                    applyRewinds();
                    noteCaughtUp();
                    applyBackpressure();
                    committer.commitIfDue(owned.handles());
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

    /**
     * Shorter while a partition starts: its rewind and catch-up wait for the poll (in the example's failover a
     * 100 ms poll held the rewind 70 ms and the catch-up 100 ms more, while tasks were due).
     */
    private Duration pollTimeout() {
        for (PartitionHandle h : owned.handles().values()) {
            if (h.starting()) {
                return pollTimeout.compareTo(STARTING_POLL_TIMEOUT) < 0 ? pollTimeout : STARTING_POLL_TIMEOUT;
            }
        }
        return pollTimeout;
    }

    private void subscribe() {
        consumer.subscribe(List.of(topic), new Rebalance());
        subscribed = true;
        if (coordinator != null) {
            coordinator.reset();
        }
    }

    /**
     * Leaves the group when Cassandra is lost, rejoins when it answers again; rejoins at once when the group
     * coordinator stopped answering. True while in the group.
     */
    private boolean inGroup() {
        if (subscribed && coordinator != null && !owned.handles().isEmpty()) {
            Duration silence = coordinator.silence();
            if (!silence.isZero()) {
                log.warn(
                        "the Kafka group coordinator has not answered for {} ms, longer than the session timeout: "
                                + "the group has given this instance's partitions {} to others; handing them off "
                                + "and rejoining",
                        silence.toMillis(),
                        new java.util.TreeSet<>(owned.handles().keySet()));
                cutOffFromKafka = true;
                try {
                    consumer.unsubscribe();
                } finally {
                    cutOffFromKafka = false;
                }
                subscribe();
            }
        }
        if (fence == null) {
            return true;
        }
        if (subscribed && fence.mustLeave()) {
            log.warn("{}", fence.status().orElse("leaving the consumer group"));
            subscribed = false;
            consumer.unsubscribe(); // revokes every partition: their actors hand off, without a release
        } else if (!subscribed && fence.mayRejoin()) {
            log.info("Cassandra answers this instance again; rejoining the consumer group");
            subscribe();
        }
        return subscribed;
    }

    private void handOver(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            ActorRef<PartitionScheduler.Command> actor = owned.actor(tp.partition());
            PartitionHandle handle = owned.handles().get(tp.partition());
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

    private void noteCaughtUp() {
        for (PartitionHandle h : owned.handles().values()) {
            if (!h.caughtUp()) {
                TopicPartition tp = new TopicPartition(topic, h.partition());
                ActorRef<PartitionScheduler.Command> actor = owned.actor(h.partition());
                if (actor != null && h.noteCaughtUp(consumer.position(tp))) {
                    log.debug("partition {}: caught up with the topic", h.partition());
                    actor.tell(new PartitionScheduler.CaughtUp());
                }
            }
        }
    }

    /** Each poll iteration (and a test): seeks the partitions whose actors asked for a rewind. */
    void applyRewinds() {
        Map<TopicPartition, PartitionHandle> rewound = new HashMap<>();
        for (PartitionHandle h : owned.handles().values()) {
            if (h.takeRewindRequest()) {
                TopicPartition tp = new TopicPartition(topic, h.partition());
                log.debug("partition {}: re-reading from offset {}", h.partition(), h.durableOffset());
                consumer.seek(tp, h.durableOffset());
                if (!owned.unspawned(h.partition())) {
                    owned.resume(tp); // paused from its assignment until now (back pressure may pause it again)
                } // else: resumed once its actors are registered (an ask that timed out may have spawned them)
                rewound.put(tp, h);
            }
        }
        if (!rewound.isEmpty()) {
            catchUp.rewound(rewound);
        }
        catchUp.settle();
    }

    /** Each poll iteration (and a test): pauses partitions whose records pile up unpersisted, resumes them. */
    void applyBackpressure() {
        for (PartitionHandle h : owned.handles().values()) {
            TopicPartition tp = new TopicPartition(topic, h.partition());
            if (owned.unspawned(h.partition()) || h.awaitingFirstRewind()) {
                continue; // paused until its actors start and rewind
            }
            int pending = h.unpersisted();
            if (pending >= maxUnpersisted) {
                owned.pause(tp);
            } else if (pending < maxUnpersisted / 2) {
                owned.resume(tp);
            }
        }
    }

    /** What the group's assignment callback does (and a test). */
    void startPartitions(Collection<TopicPartition> partitions) {
        owned.start(partitions);
    }

    /** Test seam: whether the partition's actors run. */
    boolean spawned(int partition) {
        return owned.actor(partition) != null;
    }

    /** Test seam: what each poll iteration does for partitions whose spawn failed. */
    void retrySpawns() {
        owned.retrySpawns();
    }

    /**
     * Leaves the group first (the revoke lets every partition go, and their next owners are assigned while the
     * actors here drain), then waits for the actors, and closes the consumer.
     */
    private void shutDown() {
        try {
            if (subscribed) {
                try {
                    consumer.unsubscribe();
                } catch (RuntimeException e) {
                    log.warn("leaving the consumer group failed; handing the partitions off anyway", e);
                }
            }
            owned.stopAllAndWait();
        } finally {
            try {
                consumer.close(Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                log.warn("closing the Kafka consumer failed", e);
            }
            try {
                catchUp.close();
            } catch (RuntimeException e) {
                log.warn("closing the end-offset reader failed", e);
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
        for (PartitionHandle h : owned.handles().values()) {
            TopicPartition tp = new TopicPartition(topic, h.partition());
            try {
                OptionalLong lag = consumer.currentLag(tp);
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

    /**
     * Partitions revoked or lost are let go of at once: their actors hand off while the poll loop goes on serving
     * the others, and their next owner waits for their release (PartitionStartup), not for this callback.
     */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                log.info("partitions revoked: {}", partitions);
                metrics.rebalance(EngineMetrics.Rebalance.REVOKED, partitions.size());
                catchUp.released(partitions);
                owned.stop(partitions.stream().map(TopicPartition::partition).toList(), !cutOffFromKafka);
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                log.info("partitions assigned: {}", partitions);
                metrics.rebalance(EngineMetrics.Rebalance.ASSIGNED, partitions.size());
                if (coordinator != null) {
                    coordinator.reset();
                }
                startPartitions(partitions);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            log.warn("partitions lost (another instance may own them now): {}", partitions);
            metrics.rebalance(EngineMetrics.Rebalance.LOST, partitions.size());
            catchUp.released(partitions);
            owned.stop(partitions.stream().map(TopicPartition::partition).toList(), false);
        }
    }
}
