package dev.scheduler.client;

import dev.scheduler.client.internal.Text;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and inspects scheduler topics.
 *
 * <p><b>The partition count of a scheduler topic can never change.</b> Choose it for the most engine
 * nodes the topic will ever have. A task's partition is a function of its ordering id and the partition
 * count ({@link TaskPartitioner}); the engine stores tasks by partition and keeps the tasks of one
 * ordering id in order only because they all arrive on one partition. Adding partitions would send new
 * records of an ordering id elsewhere than its stored tasks, so the engine refuses to start on a topic
 * whose partition count differs from the one it stored. Kafka itself lets an administrator add
 * partitions: do not.
 *
 * <p>Every method blocks the calling thread for at most about a minute and reports failure with
 * {@link SchedulerException}, Kafka's exception as its cause.
 */
public final class SchedulerTopics {

    private static final Logger log = LoggerFactory.getLogger(SchedulerTopics.class);

    /** How long {@link #createTopic} waits for every partition to have a leader. */
    private static final Duration LEADER_WAIT = Duration.ofSeconds(60);

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final long POLL_INTERVAL_MS = 100;

    private SchedulerTopics() {}

    /**
     * Creates {@code topic} with default topic configuration; see
     * {@link #createTopic(Admin, String, int, short, Map)}.
     */
    public static void createTopic(String bootstrapServers, String topic, int partitions, short replicationFactor) {
        createTopic(adminProperties(bootstrapServers), topic, partitions, replicationFactor, Map.of());
    }

    /**
     * Creates {@code topic} with an {@link Admin} made from {@code adminProperties}; see
     * {@link #createTopic(Admin, String, int, short, Map)}.
     */
    public static void createTopic(
            Map<String, Object> adminProperties,
            String topic,
            int partitions,
            short replicationFactor,
            Map<String, String> topicConfigs) {
        try (Admin admin = createAdmin(adminProperties)) {
            createTopic(admin, topic, partitions, replicationFactor, topicConfigs);
        }
    }

    /**
     * Creates {@code topic} and waits until every partition has a leader, so a client can publish at once.
     * If the topic already exists with {@code partitions} partitions, leaves it as it is (its
     * configuration is not changed) and only waits for the leaders.
     *
     * @param partitions the partition count, fixed for the topic's life (see the class documentation)
     * @param replicationFactor replicas per partition; 3 with {@code min.insync.replicas=2} in production
     * @param topicConfigs topic-level configuration, such as {@code min.insync.replicas} or
     *     {@code retention.ms}; empty for the broker's defaults
     * @throws IllegalArgumentException if an argument is out of range
     * @throws SchedulerException if the topic exists with another partition count, or Kafka fails or
     *     does not answer in time
     */
    public static void createTopic(
            Admin admin, String topic, int partitions, short replicationFactor, Map<String, String> topicConfigs) {
        requireTopic(topic);
        if (admin == null) {
            throw new IllegalArgumentException("admin must not be null");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replicationFactor must be at least 1, was " + replicationFactor);
        }
        if (topicConfigs == null) {
            throw new IllegalArgumentException("topicConfigs must not be null; use Map.of() for none");
        }
        NewTopic newTopic =
                new NewTopic(topic, Optional.of(partitions), Optional.of(replicationFactor)).configs(topicConfigs);
        try {
            await(admin.createTopics(List.of(newTopic)).all(), "creating topic " + Text.quote(topic));
            log.info(
                    "Created scheduler topic {} with {} partitions and replication factor {}",
                    topic,
                    partitions,
                    replicationFactor);
        } catch (SchedulerException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
            int existing = partitionCount(admin, topic);
            if (existing != partitions) {
                throw new SchedulerException(
                        "topic " + Text.quote(topic) + " already exists with " + existing + " partitions, not "
                                + partitions + "; the partition count of a scheduler topic can never change");
            }
            log.info("Scheduler topic {} already exists with {} partitions; leaving it as it is", topic, partitions);
        }
        awaitLeaders(admin, topic, partitions);
    }

    /** The partition count of {@code topic}; see {@link #partitionCount(Admin, String)}. */
    public static int partitionCount(String bootstrapServers, String topic) {
        return partitionCount(adminProperties(bootstrapServers), topic);
    }

    /** The partition count of {@code topic}, asked with an {@link Admin} made from {@code adminProperties}. */
    public static int partitionCount(Map<String, Object> adminProperties, String topic) {
        try (Admin admin = createAdmin(adminProperties)) {
            return partitionCount(admin, topic);
        }
    }

    /**
     * The partition count of {@code topic}, as the cluster reports it now.
     *
     * @throws SchedulerException if the topic does not exist, or Kafka fails or does not answer in time
     */
    public static int partitionCount(Admin admin, String topic) {
        requireTopic(topic);
        if (admin == null) {
            throw new IllegalArgumentException("admin must not be null");
        }
        return describe(admin, topic).partitions().size();
    }

    private static TopicDescription describe(Admin admin, String topic) {
        try {
            return await(admin.describeTopics(List.of(topic)).allTopicNames(), "describing topic " + Text.quote(topic))
                    .get(topic);
        } catch (SchedulerException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new SchedulerException("topic " + Text.quote(topic) + " does not exist", e.getCause());
            }
            throw e;
        }
    }

    private static void awaitLeaders(Admin admin, String topic, int partitions) {
        long deadline = System.nanoTime() + LEADER_WAIT.toNanos();
        String lastState = "not described yet";
        while (true) {
            try {
                TopicDescription description = describe(admin, topic);
                long led = description.partitions().stream()
                        .filter(SchedulerTopics::hasLeader)
                        .count();
                if (description.partitions().size() == partitions
                        && led == partitions
                        && leadersServe(admin, topic, partitions)) {
                    return;
                }
                lastState = led + " of " + description.partitions().size() + " partitions have a leader";
            } catch (SchedulerException e) {
                // Metadata reaches the brokers a moment after the controller created the topic.
                lastState = e.getMessage();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new SchedulerException("topic " + Text.quote(topic) + " does not have a leader for each of its "
                        + partitions + " partitions after " + Text.duration(LEADER_WAIT) + ": " + lastState);
            }
            try {
                Thread.sleep(POLL_INTERVAL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchedulerException(
                        "interrupted while waiting for the leaders of topic " + Text.quote(topic), e);
            }
        }
    }

    /**
     * Whether every partition's leader answers for it: right after creation a leader can be named in the metadata
     * and still refuse requests ("not leader"), which made an idempotent producer's first batches fail out of order.
     */
    private static boolean leadersServe(Admin admin, String topic, int partitions) {
        java.util.Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest =
                new java.util.HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(
                    new org.apache.kafka.common.TopicPartition(topic, p),
                    org.apache.kafka.clients.admin.OffsetSpec.latest());
        }
        try {
            admin.listOffsets(latest).all().get(5, java.util.concurrent.TimeUnit.SECONDS);
            return true;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchedulerException("interrupted while waiting for the leaders of topic " + Text.quote(topic), e);
        }
    }

    private static boolean hasLeader(TopicPartitionInfo partition) {
        return partition.leader() != null && !partition.leader().isEmpty();
    }

    private static <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new SchedulerException(what + " failed: " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new SchedulerException(what + " got no answer within " + Text.duration(REQUEST_TIMEOUT), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchedulerException("interrupted while " + what, e);
        }
    }

    private static Map<String, Object> adminProperties(String bootstrapServers) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers must not be blank, was " + bootstrapServers);
        }
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    }

    private static Admin createAdmin(Map<String, Object> adminProperties) {
        if (adminProperties == null) {
            throw new IllegalArgumentException("adminProperties must not be null");
        }
        try {
            return Admin.create(adminProperties);
        } catch (KafkaException e) {
            throw new IllegalArgumentException("invalid admin configuration: " + e.getMessage(), e);
        }
    }

    private static void requireTopic(String topic) {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("topic must not be blank, was " + topic);
        }
    }
}
