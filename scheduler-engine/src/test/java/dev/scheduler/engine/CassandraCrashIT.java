package dev.scheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.scheduler.client.SchedulerClient;
import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.testkit.ForkedCassandra;
import dev.scheduler.testkit.SchedulerInfrastructure;
import dev.scheduler.testkit.SchedulerInfrastructureExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Cassandra SIGKILLed and restarted while tasks flow: afterwards every accepted task has run. */
@ExtendWith(SchedulerInfrastructureExtension.class)
class CassandraCrashIT {

    @Test
    void every_accepted_task_runs_after_cassandra_is_killed_and_restarted_under_load(SchedulerInfrastructure infra)
            throws Exception {
        String topic = infra.createTopic("crash", 4);
        RecordingExecutor executor = new RecordingExecutor(Clock.systemUTC());
        Set<TaskKey> accepted = ConcurrentHashMap.newKeySet();
        AtomicInteger refused = new AtomicInteger();
        try (ForkedCassandra cassandra = ForkedCassandra.builder().start();
                SchedulerClient client = SchedulerClient.builder()
                        .bootstrapServers(infra.kafkaBootstrapServers())
                        .topic(topic)
                        .build();
                SchedulerEngine engine = SchedulerEngine.builder()
                        .bootstrapServers(infra.kafkaBootstrapServers())
                        .topic(topic)
                        .groupId("crash-" + topic)
                        .cassandra(cassandra.contactPoint(), cassandra.localDatacenter())
                        .keyspace("crash")
                        .taskExecutor(executor)
                        .settings(EngineHarness.FAST)
                        .build()
                        .start()) {
            long killAt = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            long restartAt = killAt + Duration.ofSeconds(4).toNanos();
            long endAt = restartAt + Duration.ofSeconds(4).toNanos();
            boolean killed = false;
            boolean restarted = false;
            int i = 0;
            while (System.nanoTime() < endAt) {
                Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS).plusMillis(500 + (i % 10) * 300L);
                Task task = Task.of("oid-" + (i % 25), at, "t-" + i, Map.of());
                client.scheduleTask(task).whenComplete((v, e) -> {
                    if (e == null) {
                        accepted.add(task.key());
                    } else {
                        refused.incrementAndGet();
                    }
                });
                i++;
                if (!killed && System.nanoTime() >= killAt) {
                    cassandra.kill();
                    killed = true;
                    System.out.println("cassandra killed after " + i + " tasks sent");
                }
                if (killed && !restarted && System.nanoTime() >= restartAt) {
                    long t0 = System.nanoTime();
                    cassandra.start();
                    restarted = true;
                    System.out.printf(
                            "cassandra restarted in %d ms after %d tasks sent%n",
                            (System.nanoTime() - t0) / 1_000_000, i);
                }
                Thread.sleep(20); // pacing of the load generator, not synchronisation
            }
            client.close();
            System.out.printf("sent %d, accepted %d, refused %d%n", i, accepted.size(), refused.get());
            await().atMost(Duration.ofSeconds(120))
                    .until(() -> executor.ranKeys().containsAll(accepted));
            System.out.printf(
                    "all %d accepted tasks ran; duplicates %d; lateness %s%n",
                    accepted.size(), executor.duplicates().size(), executor.latenessSummary());
            assertThat(executor.overlaps).isEmpty();
            assertThat(List.copyOf(accepted)).isNotEmpty();
        }
    }
}
