package dev.scheduler.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.testkit.EmbeddedKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SchedulerTopicsIT {

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void a_created_topic_is_ready_for_a_client_at_once() {
        SchedulerTopics.createTopic(kafka.bootstrapServers(), "topics-ready", 12, (short) 1);

        assertThat(SchedulerTopics.partitionCount(kafka.bootstrapServers(), "topics-ready"))
                .isEqualTo(12);
        try (SchedulerClient client = SchedulerClient.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .topic("topics-ready")
                .build()) {
            assertThat(client.scheduleTask(Task.of("o", Instant.now(), "u", Map.of())))
                    .succeedsWithin(Duration.ofSeconds(30));
        }
    }

    @Test
    void creating_an_existing_topic_with_the_same_partition_count_leaves_it_alone() {
        SchedulerTopics.createTopic(kafka.bootstrapServers(), "topics-again", 4, (short) 1);

        SchedulerTopics.createTopic(kafka.bootstrapServers(), "topics-again", 4, (short) 1);

        assertThat(SchedulerTopics.partitionCount(kafka.bootstrapServers(), "topics-again"))
                .isEqualTo(4);
    }

    @Test
    void creating_an_existing_topic_with_another_partition_count_is_refused() {
        SchedulerTopics.createTopic(kafka.bootstrapServers(), "topics-changed", 4, (short) 1);

        assertThatThrownBy(() -> SchedulerTopics.createTopic(kafka.bootstrapServers(), "topics-changed", 8, (short) 1))
                .isInstanceOf(SchedulerException.class)
                .hasMessage("topic \"topics-changed\" already exists with 4 partitions, not 8;"
                        + " the partition count of a scheduler topic can never change");
    }

    @Test
    void topic_configs_are_applied() throws Exception {
        Map<String, Object> adminProperties =
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());

        SchedulerTopics.createTopic(
                adminProperties,
                "topics-configured",
                2,
                (short) 1,
                Map.of("retention.ms", "604800000", "min.insync.replicas", "1"));

        try (Admin admin = Admin.create(adminProperties)) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "topics-configured");
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(config.get("retention.ms").value()).isEqualTo("604800000");
            assertThat(SchedulerTopics.partitionCount(admin, "topics-configured"))
                    .isEqualTo(2);
        }
    }

    @Test
    void the_partition_count_of_a_missing_topic_is_an_error() {
        assertThatThrownBy(() -> SchedulerTopics.partitionCount(kafka.bootstrapServers(), "topics-missing"))
                .isInstanceOf(SchedulerException.class)
                .hasMessage("topic \"topics-missing\" does not exist");
    }

    @Test
    void arguments_out_of_range_are_refused_before_kafka_is_asked() {
        assertThatThrownBy(() -> SchedulerTopics.createTopic(kafka.bootstrapServers(), "t", 0, (short) 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("partitions must be at least 1, was 0");
        assertThatThrownBy(() -> SchedulerTopics.createTopic(kafka.bootstrapServers(), "t", 1, (short) 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("replicationFactor must be at least 1, was 0");
    }
}
