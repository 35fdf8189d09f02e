package dev.scheduler.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Runs only where Testcontainers finds a Docker engine; skipped elsewhere. */
class ContainerModeIT {

    @RegisterExtension
    static final SchedulerInfrastructureExtension INFRASTRUCTURE = SchedulerInfrastructureExtension.containers();

    @Test
    void containers_serve_kafka_and_cassandra(SchedulerInfrastructure infrastructure) throws Exception {
        assertThat(infrastructure).isInstanceOf(ContainerInfrastructure.class);
        String topic = infrastructure.createTopic("containers", 2);
        Map<String, String> produced = KafkaRecords.produce(infrastructure.kafkaBootstrapServers(), topic, 10);
        assertThat(KafkaRecords.consume(infrastructure.kafkaBootstrapServers(), topic, 10, Duration.ofSeconds(30)))
                .isEqualTo(produced);
        try (CqlSession session = CqlSessions.connect(
                infrastructure.cassandraContactPoint(), infrastructure.cassandraLocalDatacenter())) {
            assertThat(session.execute("SELECT release_version FROM system.local")
                            .one())
                    .isNotNull();
        }
    }
}
