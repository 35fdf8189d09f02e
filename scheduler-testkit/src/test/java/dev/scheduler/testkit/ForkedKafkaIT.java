package dev.scheduler.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ForkedKafkaIT {

    @Test
    void acknowledged_records_survive_a_sigkill_and_a_restart() throws Exception {
        long start = System.nanoTime();
        try (ForkedKafka kafka = ForkedKafka.builder().start()) {
            System.out.printf("forked kafka start: %d ms%n", millisSince(start));
            kafka.createTopic("tasks", 4);
            Map<String, String> produced = KafkaRecords.produce(kafka.bootstrapServers(), "tasks", 1_000);
            long pid = kafka.pid();
            String bootstrapServers = kafka.bootstrapServers();

            kafka.kill();

            assertThat(kafka.isRunning()).isFalse();
            assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
            long restart = System.nanoTime();
            kafka.start();
            System.out.printf("forked kafka restart after SIGKILL: %d ms%n", millisSince(restart));
            assertThat(kafka.pid()).isNotEqualTo(pid);
            assertThat(kafka.bootstrapServers()).isEqualTo(bootstrapServers);
            assertThat(KafkaRecords.consume(kafka.bootstrapServers(), "tasks", 1_000, Duration.ofSeconds(30)))
                    .isEqualTo(produced);
        }
    }

    @Test
    void a_gracefully_stopped_broker_restarts_with_its_topics() throws Exception {
        try (ForkedKafka kafka = ForkedKafka.builder().start()) {
            kafka.createTopic("before-stop", 2);
            Map<String, String> produced = KafkaRecords.produce(kafka.bootstrapServers(), "before-stop", 100);

            kafka.stop();
            assertThat(kafka.isRunning()).isFalse();
            kafka.start();

            assertThatThrownBy(() -> kafka.createTopic("before-stop", 2))
                    .isInstanceOf(InfrastructureException.class)
                    .hasMessageContaining("before-stop");
            assertThat(KafkaRecords.consume(kafka.bootstrapServers(), "before-stop", 100, Duration.ofSeconds(30)))
                    .isEqualTo(produced);
        }
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
