package dev.scheduler.testkit.internal;

import dev.scheduler.testkit.InfrastructureException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/** The few admin operations the testkit needs from a broker: readiness and topic creation. */
public final class KafkaAdmin {

    private static final Duration POLL = Duration.ofMillis(50);

    private KafkaAdmin() {}

    private static Admin connect(String bootstrapServers) {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
    }

    /**
     * Whether the broker at 127.0.0.1:{@code brokerPort} accepts connections and reports an unfenced node, one that
     * can lead partitions. Never throws.
     */
    public static boolean isServing(int brokerPort) {
        if (!LoopbackPorts.isListening(brokerPort)) {
            return false;
        }
        try (Admin admin = connect(LoopbackPorts.HOST + ":" + brokerPort)) {
            return !admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Waits until {@link #isServing(int)}. */
    public static void awaitServing(int brokerPort, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isServing(brokerPort)) {
            checkDeadline(deadline, timeout, "the Kafka broker on port " + brokerPort + " to serve");
            pause();
        }
    }

    /**
     * Creates {@code name} with replication factor 1 and returns once every partition has a leader: producing right
     * after creation otherwise fails with "not leader" errors.
     */
    public static void createTopic(String bootstrapServers, String name, int partitions, Duration timeout) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = connect(bootstrapServers)) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            while (true) {
                try {
                    TopicDescription description = admin.describeTopics(List.of(name))
                            .allTopicNames()
                            .get(5, TimeUnit.SECONDS)
                            .get(name);
                    if (description.partitions().size() == partitions
                            && description.partitions().stream().allMatch(KafkaAdmin::hasLeader)) {
                        // A leader named in the metadata may still answer "not leader" for a moment: wait until
                        // every leader serves its partition (ListOffsets goes to the leader).
                        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                        for (int p = 0; p < partitions; p++) {
                            latest.put(new TopicPartition(name, p), OffsetSpec.latest());
                        }
                        admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // UnknownTopicOrPartition or NotLeaderOrFollower until the metadata reached the broker: try again
                }
                checkDeadline(deadline, timeout, "leaders of every partition of topic " + name);
                pause();
            }
        } catch (ExecutionException e) {
            throw new InfrastructureException("cannot create topic " + name + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new InfrastructureException(
                    "topic " + name + " was not created within " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InfrastructureException("interrupted while creating topic " + name, e);
        }
    }

    private static boolean hasLeader(TopicPartitionInfo partition) {
        return partition.leader() != null && !partition.leader().isEmpty();
    }

    private static void checkDeadline(long deadline, Duration timeout, String what) {
        if (System.nanoTime() - deadline > 0) {
            throw new InfrastructureException("waited " + timeout.toSeconds() + " s in vain for " + what);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL.toMillis()); // polling interval of a bounded wait, not synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InfrastructureException("interrupted while waiting for the Kafka broker", e);
        }
    }
}
