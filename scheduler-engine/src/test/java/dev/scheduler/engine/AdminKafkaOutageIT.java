package dev.scheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.scheduler.client.PublishException;
import dev.scheduler.client.SchedulerClient;
import dev.scheduler.client.SchedulerTopics;
import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.admin.AdminServerSettings;
import dev.scheduler.testkit.ForkedKafka;
import dev.scheduler.testkit.SchedulerInfrastructure;
import dev.scheduler.testkit.SchedulerInfrastructureExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Cancels and retries while Kafka is down: a Kafka broker of this test's own (forked, so that it can be killed)
 * and the testkit's Cassandra. The task's status is read from Cassandra, which answers; the publish cannot
 * complete, and the admin API answers 503 within seconds saying the command was not published, instead of
 * holding a thread for the client's 10 s or the request timeout.
 */
@ExtendWith(SchedulerInfrastructureExtension.class)
class AdminKafkaOutageIT {

    @Test
    void with_kafka_down_a_cancel_and_a_retry_fail_fast_with_503_and_the_public_api_with_a_publish_exception(
            SchedulerInfrastructure infra) throws Exception {
        try (ForkedKafka kafka = ForkedKafka.builder().start()) {
            String topic = "admin-outage";
            SchedulerTopics.createTopic(kafka.bootstrapServers(), topic, 2, (short) 1);
            RecordingExecutor executor = new RecordingExecutor(Clock.systemUTC());
            executor.alwaysFail.add("fails");
            try (SchedulerClient client = SchedulerClient.builder()
                            .bootstrapServers(kafka.bootstrapServers())
                            .topic(topic)
                            .build();
                    SchedulerEngine engine = SchedulerEngine.builder()
                            .bootstrapServers(kafka.bootstrapServers())
                            .topic(topic)
                            .groupId("admin-outage")
                            .cassandra(infra.cassandraContactPoint(), infra.cassandraLocalDatacenter())
                            .keyspace(infra.uniqueKeyspaceName("admin_outage"))
                            .taskExecutor(executor)
                            .settings(EngineHarness.FAST)
                            .adminServer(AdminServerSettings.defaults().withPort(0))
                            .build()
                            .start()) {
                AdminHttpClient http =
                        new AdminHttpClient(engine.adminServer().orElseThrow().uri());
                Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
                TaskKey later = Task.of("outage", now.plus(Duration.ofHours(1)), "later", Map.of())
                        .key();
                TaskKey warm = Task.of("outage", now.plus(Duration.ofHours(1)), "warm", Map.of())
                        .key();
                TaskKey failed = Task.of("outage", now.plusMillis(200), "fails", Map.of())
                        .key();
                for (TaskKey k : new TaskKey[] {later, warm, failed}) {
                    client.scheduleTask(Task.of(k, Map.of())).join();
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> "PENDING".equals(http.status(later)));
                await().atMost(Duration.ofSeconds(60)).until(() -> "FAILED".equals(http.status(failed)));
                // One command while Kafka answers: the command producer then holds the topic's metadata.
                assertThat(http.post("/api/task/cancel", AdminHttpClient.keyJson(warm), null)
                                .status())
                        .isEqualTo(202);

                kafka.kill();

                long started = System.nanoTime();
                AdminHttpClient.Answer cancel = http.post("/api/task/cancel", AdminHttpClient.keyJson(later), null);
                AdminHttpClient.Answer retry = http.post("/api/task/retry", AdminHttpClient.keyJson(failed), null);
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                System.out.printf("two admin commands with Kafka down answered in %d ms%n", tookMs);
                for (AdminHttpClient.Answer a : new AdminHttpClient.Answer[] {cancel, retry}) {
                    assertThat(a.status()).as("%s", a.json()).isEqualTo(503);
                    assertThat(a.error())
                            .startsWith("Kafka is unreachable: the ")
                            .contains("was not published");
                }
                assertThat(http.get("/live").status()).isEqualTo(200);
                assertThat(engine.retryTask(failed))
                        .failsWithin(15, TimeUnit.SECONDS)
                        .withThrowableOfType(ExecutionException.class)
                        .havingCause()
                        .isInstanceOf(PublishException.class)
                        .withMessageStartingWith("Kafka is unreachable: the retry of " + failed);
            }
        }
    }
}
