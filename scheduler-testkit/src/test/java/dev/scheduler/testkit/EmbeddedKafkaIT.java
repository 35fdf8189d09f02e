package dev.scheduler.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaIT {

    @Test
    void records_produced_to_a_new_topic_are_consumed_back() throws Exception {
        long start = System.nanoTime();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            System.out.printf(
                    "embedded kafka start: %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");

            kafka.createTopic("tasks", 4);
            Map<String, String> produced = KafkaRecords.produce(kafka.bootstrapServers(), "tasks", 1_000);

            assertThat(KafkaRecords.consume(kafka.bootstrapServers(), "tasks", 1_000, Duration.ofSeconds(30)))
                    .isEqualTo(produced);
        }
    }
}
