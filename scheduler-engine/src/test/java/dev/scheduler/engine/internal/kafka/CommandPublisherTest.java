package dev.scheduler.engine.internal.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.client.ClientClosedException;
import dev.scheduler.client.PublishException;
import dev.scheduler.client.SchedulerClient;
import dev.scheduler.client.TaskKey;
import dev.scheduler.client.TaskLimits;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The operator commands' publisher: fails fast with a clear message when Kafka is unreachable; one client. */
class CommandPublisherTest {

    private static final TaskKey KEY = TaskKey.of("order-42", Instant.parse("2026-11-27T05:20:37.123Z"), "reminder");

    /** A local address where nothing listens. */
    private static String nothingListening() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    @Test
    void a_command_to_an_unreachable_kafka_fails_within_seconds_saying_it_was_not_published() throws Exception {
        try (CommandPublisher publisher = CommandPublisher.create(
                nothingListening(), "tasks", TaskLimits.defaults(), Map.of("client.dns.lookup", "use_all_dns_ips"))) {
            CompletableFuture<Void> cancel = publisher.cancel(KEY);
            // The client's own max.block.ms is 10 s: a failure well before it is the fail-fast bound.
            assertThatThrownBy(() -> cancel.get(CommandPublisher.MAX_BLOCK.toSeconds() + 4, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(PublishException.class)
                    .hasMessageStartingWith("Kafka is unreachable: the cancel of " + KEY + " was not published")
                    .hasMessageContaining("send it again once Kafka is back");
        }
    }

    @Test
    void the_producer_waits_seconds_not_the_client_defaults_and_keeps_the_consumers_security_settings() {
        Map<String, Object> p = CommandPublisher.producerProperties(
                Map.of("security.protocol", "SASL_SSL", "session.timeout.ms", "6000"));
        assertThat(p)
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("max.block.ms", 3000)
                .containsEntry("delivery.timeout.ms", 5000)
                .doesNotContainKey("session.timeout.ms");
    }

    @Test
    void one_client_is_made_on_first_use_and_closed_with_the_publisher_and_later_commands_fail() throws Exception {
        String bootstrap = nothingListening();
        List<SchedulerClient> made = new CopyOnWriteArrayList<>();
        CommandPublisher publisher = new CommandPublisher(
                () -> {
                    SchedulerClient c = SchedulerClient.builder()
                            .bootstrapServers(bootstrap)
                            .topic("tasks")
                            .producerProperties(CommandPublisher.producerProperties(Map.of()))
                            .build();
                    made.add(c);
                    return c;
                },
                "tasks");
        assertThat(made).isEmpty();
        CompletableFuture<Void> first = publisher.retry(KEY);
        CompletableFuture<Void> second = publisher.cancel(KEY);
        assertThat(made).hasSize(1);
        publisher.close();
        publisher.close();
        assertThat(made.get(0).cancelTask(KEY))
                .failsWithin(5, TimeUnit.SECONDS)
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(ClientClosedException.class);
        assertThat(publisher.retry(KEY))
                .failsWithin(5, TimeUnit.SECONDS)
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(ClientClosedException.class);
        assertThat(first).isDone();
        assertThat(second).isDone();
        assertThat(made).hasSize(1);
    }
}
