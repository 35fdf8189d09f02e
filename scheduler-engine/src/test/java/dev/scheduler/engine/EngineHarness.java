package dev.scheduler.engine;

import dev.scheduler.client.SchedulerClient;
import dev.scheduler.testkit.SchedulerInfrastructure;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** One topic, one keyspace, engines and a client on the shared real Kafka and Cassandra; closes all it made. */
final class EngineHarness implements AutoCloseable {

    static final EngineSettings FAST = EngineSettings.builder()
            .lookAhead(Duration.ofSeconds(3))
            .loadInterval(Duration.ofMillis(200))
            .retryPolicy(new RetryPolicy(3, Duration.ofMillis(300), Duration.ofSeconds(1), 2.0, 0.0))
            .commitInterval(Duration.ofMillis(200))
            .shutdownTimeout(Duration.ofSeconds(5))
            .storeRetryBackoff(Duration.ofMillis(100), Duration.ofSeconds(2))
            .build();

    final SchedulerInfrastructure infra;
    final String topic;
    final String keyspace;
    final String group;
    final SchedulerClient client;
    private final List<SchedulerEngine> engines = new ArrayList<>();

    EngineHarness(SchedulerInfrastructure infra, int partitions) {
        this.infra = infra;
        this.topic = infra.createTopic("tasks", partitions);
        this.keyspace = infra.uniqueKeyspaceName("engine");
        this.group = "group-" + topic;
        this.client = SchedulerClient.builder()
                .bootstrapServers(infra.kafkaBootstrapServers())
                .topic(topic)
                .build();
    }

    SchedulerEngine.Builder engineBuilder(TaskExecutor executor, EngineSettings settings, Clock clock) {
        return SchedulerEngine.builder()
                .bootstrapServers(infra.kafkaBootstrapServers())
                .topic(topic)
                .groupId(group)
                .consumerProperty("session.timeout.ms", "6000")
                .cassandra(infra.cassandraContactPoint(), infra.cassandraLocalDatacenter())
                .keyspace(keyspace)
                .taskExecutor(executor)
                .settings(settings)
                .clock(clock);
    }

    SchedulerEngine start(TaskExecutor executor) {
        return start(executor, FAST, Clock.systemUTC(), UnaryOperator.identity());
    }

    SchedulerEngine start(
            TaskExecutor executor,
            EngineSettings settings,
            Clock clock,
            UnaryOperator<SchedulerEngine.Builder> customize) {
        SchedulerEngine engine = customize
                .apply(engineBuilder(executor, settings, clock))
                .build()
                .start();
        engines.add(engine);
        return engine;
    }

    @Override
    public void close() {
        for (SchedulerEngine e : engines) {
            e.close();
        }
        client.close();
    }
}
