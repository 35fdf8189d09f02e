package dev.scheduler.engine.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.scheduler.client.SchedulerTopics;
import dev.scheduler.engine.cluster.Cluster.Exec;
import dev.scheduler.engine.cluster.Cluster.Load;
import dev.scheduler.engine.cluster.Cluster.Node;
import dev.scheduler.testkit.ForkedCassandra;
import dev.scheduler.testkit.ForkedKafka;
import dev.scheduler.testkit.SchedulerInfrastructure;
import dev.scheduler.testkit.SchedulerInfrastructureExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Cassandra, then the Kafka broker, killed and restarted under load with three engine processes. */
@ExtendWith(SchedulerInfrastructureExtension.class)
class ServerFailureIT {

    private static final int PARTITIONS = 24;

    @TempDir
    Path root;

    private static void awaitRuns(Cluster cluster, int atLeast) {
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> Cluster.ranKeys(cluster.executions()).size() >= atLeast);
    }

    private static void awaitAll(Cluster cluster, Load load) {
        await().atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    Set<String> missing = new TreeSet<>(load.accepted);
                    missing.removeAll(Cluster.ranKeys(cluster.executions()));
                    assertThat(missing).as("accepted tasks that have not run").isEmpty();
                });
    }

    private static List<Node> startThree(Cluster cluster) {
        List<Node> nodes = List.of(cluster.start("a"), cluster.start("b"), cluster.start("c"));
        cluster.awaitBalanced(nodes, Duration.ofSeconds(60));
        return nodes;
    }

    @Test
    void every_accepted_task_runs_after_cassandra_is_killed_and_restarted_under_three_instances(
            SchedulerInfrastructure infra) throws Exception {
        try (ForkedCassandra cassandra = ForkedCassandra.builder().start()) {
            Cluster cluster = new Cluster(
                    root,
                    infra.kafkaBootstrapServers(),
                    cassandra.contactPoint(),
                    infra.createTopic("cass-crash", PARTITIONS),
                    "cass_crash",
                    PARTITIONS);
            try (cluster) {
                startThree(cluster);
                Load load = new Load(cluster.bootstrap, cluster.topic, 100, 200, null);
                try (load) {
                    awaitRuns(cluster, 300);
                    cassandra.kill();
                    int acceptedAtKill = load.accepted.size();
                    await().atMost(Duration.ofSeconds(30)).until(() -> load.accepted.size() >= acceptedAtKill + 300);
                    long t0 = System.nanoTime();
                    cassandra.start();
                    System.out.printf(
                            "cassandra killed with 3 instances; restarted in %d ms%n",
                            (System.nanoTime() - t0) / 1_000_000);
                    awaitRuns(cluster, Cluster.ranKeys(cluster.executions()).size() + 300);
                }
                awaitAll(cluster, load);
                List<Exec> execs = cluster.executions();
                System.out.printf(
                        "cassandra crash: accepted %d, all ran, duplicates %d%n",
                        load.accepted.size(), Cluster.duplicates(execs).size());
                assertThat(Cluster.overlaps(execs, System.currentTimeMillis())).isEmpty();
            }
        }
    }

    @Test
    void every_accepted_task_runs_after_the_kafka_broker_is_killed_and_restarted_under_three_instances(
            SchedulerInfrastructure infra) throws Exception {
        try (ForkedKafka kafka = ForkedKafka.builder().start()) {
            String topic = "kafka-crash";
            SchedulerTopics.createTopic(kafka.bootstrapServers(), topic, PARTITIONS, (short) 1);
            Cluster cluster = new Cluster(
                    root,
                    kafka.bootstrapServers(),
                    infra.cassandraContactPoint(),
                    topic,
                    infra.uniqueKeyspaceName("kafka_crash"),
                    PARTITIONS);
            try (cluster) {
                startThree(cluster);
                Load load = new Load(cluster.bootstrap, cluster.topic, 100, 200, null);
                try (load) {
                    awaitRuns(cluster, 300);
                    kafka.kill();
                    long t0 = System.nanoTime();
                    kafka.start();
                    System.out.printf(
                            "kafka broker killed with 3 instances; restarted in %d ms%n",
                            (System.nanoTime() - t0) / 1_000_000);
                    awaitRuns(cluster, Cluster.ranKeys(cluster.executions()).size() + 300);
                }
                awaitAll(cluster, load);
                List<Exec> execs = cluster.executions();
                System.out.printf(
                        "kafka crash: accepted %d, refused %d, all accepted ran, duplicates %d%n",
                        load.accepted.size(),
                        load.refused.get(),
                        Cluster.duplicates(execs).size());
                assertThat(Cluster.overlaps(execs, System.currentTimeMillis())).isEmpty();
            }
        }
    }
}
