package dev.scheduler.engine;

import static dev.scheduler.engine.metrics.MicrometerMetrics.PARTITIONS_OWNED;
import static dev.scheduler.engine.metrics.MicrometerMetrics.PARTITION_CONSUMER_LAG;
import static dev.scheduler.engine.metrics.MicrometerMetrics.PARTITION_TASKS_IN_MEMORY;
import static dev.scheduler.engine.metrics.MicrometerMetrics.PARTITION_TASKS_STALE;
import static dev.scheduler.engine.metrics.MicrometerMetrics.REBALANCES;
import static dev.scheduler.engine.metrics.MicrometerMetrics.RECORDS_PERSISTED;
import static dev.scheduler.engine.metrics.MicrometerMetrics.TASKS_ENQUEUED;
import static dev.scheduler.engine.metrics.MicrometerMetrics.TASKS_EXECUTED;
import static dev.scheduler.engine.metrics.MicrometerMetrics.TASKS_FAILED;
import static dev.scheduler.engine.metrics.MicrometerMetrics.TASKS_RETRIES;
import static dev.scheduler.engine.metrics.MicrometerMetrics.TASK_EXECUTION;
import static dev.scheduler.engine.metrics.MicrometerMetrics.TASK_LATENESS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.client.TaskPartitioner;
import dev.scheduler.engine.admin.AdminServerSettings;
import dev.scheduler.engine.metrics.MicrometerMetrics;
import dev.scheduler.testkit.SchedulerInfrastructure;
import dev.scheduler.testkit.SchedulerInfrastructureExtension;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Micrometer metrics of one engine run against the testkit's real Kafka and Cassandra, read from a
 * {@link SimpleMeterRegistry}; the same meters scraped from a Prometheus registry through the admin server. Both
 * registries sit in one composite so that one engine serves both tests.
 */
@ExtendWith(SchedulerInfrastructureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsIT {

    private final SchedulerInfrastructure infra;
    private final SimpleMeterRegistry simple = new SimpleMeterRegistry();
    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private EngineHarness harness;
    private RecordingExecutor executor;
    private SchedulerEngine engine;

    MetricsIT(SchedulerInfrastructure infra) {
        this.infra = infra;
    }

    @BeforeAll
    void startEngine() {
        CompositeMeterRegistry registry = new CompositeMeterRegistry();
        registry.add(simple);
        registry.add(prometheus);
        harness = new EngineHarness(infra, 4);
        executor = new RecordingExecutor(Clock.systemUTC());
        engine = harness.start(
                executor,
                EngineHarness.FAST,
                Clock.systemUTC(),
                b -> b.metrics(MicrometerMetrics.of(registry)
                                .withStaleAfter(Duration.ofSeconds(1))
                                .withStaleScanInterval(Duration.ofMillis(250)))
                        .adminServer(AdminServerSettings.defaults().withPort(0)));
    }

    @AfterAll
    void stopEngine() {
        harness.close();
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    private TaskKey schedule(String orderingId, Instant at, String uniquenessKey) {
        Task task = Task.of(orderingId, at, uniquenessKey, Map.of());
        harness.client.scheduleTask(task).join();
        return task.key();
    }

    private double count(String name, String... tags) {
        var counter = simple.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void lateness_execution_and_outcome_counts_are_in_the_registry_after_a_run() {
        // 10 tasks succeed at once, 2 fail their first attempt and then succeed, 1 fails all 3 attempts.
        // Other tests share the engine: compare with what the registry held before.
        double succeeded0 = count(TASKS_EXECUTED, "outcome", "SUCCEEDED");
        double failed0 = count(TASKS_EXECUTED, "outcome", "FAILED");
        double retries0 = count(TASKS_RETRIES);
        double finalFailures0 = count(TASKS_FAILED);
        double enqueued0 = count(TASKS_ENQUEUED);
        double persisted0 = count(RECORDS_PERSISTED);
        long lateness0 = timerCount(TASK_LATENESS);
        long execution0 = timerCount(TASK_EXECUTION);
        executor.failFirst.put("flaky", 1);
        executor.alwaysFail.add("broken");
        Instant base = now().plusMillis(300);
        List<TaskKey> keys = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            keys.add(schedule("metrics-" + i, base.plusMillis(50L * i), "ok"));
        }
        keys.add(schedule("metrics-flaky-1", base, "flaky"));
        keys.add(schedule("metrics-flaky-2", base, "flaky"));
        TaskKey broken = schedule("metrics-broken", base, "broken");
        keys.add(broken);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> count(TASKS_FAILED) - finalFailures0 == 1
                        && count(TASKS_EXECUTED, "outcome", "SUCCEEDED") - succeeded0 == 12);

        assertThat(count(TASKS_EXECUTED, "outcome", "SUCCEEDED") - succeeded0).isEqualTo(12);
        assertThat(count(TASKS_EXECUTED, "outcome", "FAILED") - failed0).isEqualTo(2 + 3);
        assertThat(count(TASKS_RETRIES) - retries0).isEqualTo(2 + 2);
        assertThat(count(TASKS_FAILED) - finalFailures0).isEqualTo(1);
        assertThat(count(TASKS_ENQUEUED) - enqueued0).isEqualTo(13);
        await().atMost(Duration.ofSeconds(10)).until(() -> count(RECORDS_PERSISTED) - persisted0 >= 13);

        Timer lateness = simple.find(TASK_LATENESS).tag("topic", harness.topic).timer();
        assertThat(lateness).isNotNull();
        assertThat(lateness.count() - lateness0).isEqualTo(12 + 5);
        assertThat(lateness.max(java.util.concurrent.TimeUnit.MILLISECONDS)).isLessThan(5_000);
        assertThat(timerCount(TASK_EXECUTION) - execution0).isEqualTo(12 + 5);
        ValueAtPercentile[] percentiles = lateness.takeSnapshot().percentileValues();
        assertThat(percentiles).extracting(ValueAtPercentile::percentile).containsExactly(0.5, 0.9, 0.99, 0.999);
        System.out.println("lateness p50/p99 (ms): " + percentiles[0].value(java.util.concurrent.TimeUnit.MILLISECONDS)
                + " / " + percentiles[2].value(java.util.concurrent.TimeUnit.MILLISECONDS));

        assertThat(simple.find(PARTITIONS_OWNED).gauge().value()).isEqualTo(4);
        assertThat(simple.find(PARTITION_TASKS_IN_MEMORY).gauges()).hasSize(4);
        assertThat(count(REBALANCES, "kind", "assigned")).isEqualTo(4);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> assertThat(simple.find(PARTITION_CONSUMER_LAG).gauges())
                                .hasSize(4)
                                .allSatisfy(g -> assertThat(g.value()).isZero()));
    }

    private long timerCount(String name) {
        Timer t = simple.find(name).timer();
        return t == null ? 0 : t.count();
    }

    @Test
    void an_unfinished_task_past_the_stale_threshold_shows_in_its_partitions_gauge_until_it_ends() {
        CountDownLatch hold = new CountDownLatch(1);
        executor.holds.put("stuck", hold);
        schedule("metrics-stuck", now().plusMillis(200), "stuck");
        String partition = Integer.toString(TaskPartitioner.partitionFor("metrics-stuck", engine.partitionCount()));
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> staleGauge(partition) >= 1);
        } finally {
            hold.countDown();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> staleGauge(partition) == 0);
    }

    private double staleGauge(String partition) {
        Gauge g = simple.find(PARTITION_TASKS_STALE).tag("partition", partition).gauge();
        return g == null ? Double.NaN : g.value();
    }

    @Test
    void the_admin_server_serves_the_prometheus_scrape() throws Exception {
        schedule("metrics-scraped", now().plusMillis(100), "ok");
        await().atMost(Duration.ofSeconds(30)).until(() -> count(TASKS_EXECUTED, "outcome", "SUCCEEDED") >= 1);
        URI uri = engine.adminServer().orElseThrow().uri().resolve("/metrics");
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body())
                .contains(
                        "scheduler_tasks_executed_total{",
                        "outcome=\"SUCCEEDED\"",
                        "scheduler_task_lateness_seconds{",
                        "quantile=\"0.99\"",
                        "scheduler_partition_tasks_in_memory{",
                        "topic=\"" + harness.topic + "\"");
    }
}
