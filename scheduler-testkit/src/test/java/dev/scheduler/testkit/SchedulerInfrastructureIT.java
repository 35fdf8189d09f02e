package dev.scheduler.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SchedulerInfrastructureExtension.class)
class SchedulerInfrastructureIT {

    @Test
    void a_test_gets_a_working_broker_and_node(SchedulerInfrastructure infrastructure) throws Exception {
        String topic = infrastructure.createTopic("shared.tasks", 3);
        Map<String, String> produced = KafkaRecords.produce(infrastructure.kafkaBootstrapServers(), topic, 50);
        assertThat(KafkaRecords.consume(infrastructure.kafkaBootstrapServers(), topic, 50, Duration.ofSeconds(30)))
                .isEqualTo(produced);

        String keyspace = infrastructure.uniqueKeyspaceName("Shared_Test");
        try (CqlSession session = CqlSessions.connect(
                infrastructure.cassandraContactPoint(), infrastructure.cassandraLocalDatacenter())) {
            session.execute("CREATE KEYSPACE " + keyspace
                    + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
            session.execute("CREATE TABLE " + keyspace + ".tasks (id text PRIMARY KEY)");
            session.execute("INSERT INTO " + keyspace + ".tasks (id) VALUES ('one')");
            assertThat(session.execute("SELECT id FROM " + keyspace + ".tasks")
                            .one()
                            .getString("id"))
                    .isEqualTo("one");
        }
    }

    @Test
    void every_test_of_the_jvm_shares_one_infrastructure(SchedulerInfrastructure infrastructure) {
        assertThat(infrastructure).isSameAs(SchedulerInfrastructure.shared());
        assertThat(infrastructure.createTopic("shared", 1)).isNotEqualTo(infrastructure.createTopic("shared", 1));
    }
}
