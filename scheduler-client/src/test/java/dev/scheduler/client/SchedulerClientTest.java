package dev.scheduler.client;

import static dev.scheduler.client.Futures.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.client.wire.CancelTask;
import dev.scheduler.client.wire.ScheduleTask;
import dev.scheduler.client.wire.TaskRecordCodec;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class SchedulerClientTest {

    private static final String TOPIC = "tasks";
    private static final int PARTITIONS = 6;
    private static final Instant NOW = Instant.parse("2026-11-27T05:20:37.123Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private static MockProducer<String, byte[]> mockProducer(boolean autoComplete) {
        Node node = new Node(0, "localhost", 9092);
        List<PartitionInfo> partitions = IntStream.range(0, PARTITIONS)
                .mapToObj(p -> new PartitionInfo(TOPIC, p, node, new Node[] {node}, new Node[] {node}))
                .toList();
        Cluster cluster = new Cluster("cluster", List.of(node), partitions, Set.of(), Set.of());
        return new MockProducer<>(cluster, autoComplete, null, new StringSerializer(), new ByteArraySerializer());
    }

    private static SchedulerClient client(MockProducer<String, byte[]> producer) {
        return SchedulerClient.builder()
                .bootstrapServers("unused:9092")
                .topic(TOPIC)
                .clock(CLOCK)
                .build(producer);
    }

    private static Task task(String orderingId, Instant scheduledTime) {
        return Task.of(orderingId, scheduledTime, "u", Map.of("k", "v"));
    }

    @Test
    void a_scheduled_task_is_published_keyed_by_ordering_id_to_the_partitioners_partition() {
        MockProducer<String, byte[]> producer = mockProducer(true);
        SchedulerClient client = client(producer);
        Task task = task("order-42", NOW.plusSeconds(60));

        CompletableFuture<Void> sent = client.scheduleTask(task);

        assertThat(sent).succeedsWithin(Duration.ofSeconds(5));
        ProducerRecord<String, byte[]> record = producer.history().get(0);
        assertThat(record.topic()).isEqualTo(TOPIC);
        assertThat(record.key()).isEqualTo("order-42");
        assertThat(record.partition()).isEqualTo(TaskPartitioner.partitionFor("order-42", PARTITIONS));
        assertThat(TaskRecordCodec.decode(record.value())).isEqualTo(new ScheduleTask(task));
    }

    @Test
    void a_cancel_is_published_like_a_task_even_for_a_time_long_past() {
        MockProducer<String, byte[]> producer = mockProducer(true);
        TaskKey key = TaskKey.of("order-42", NOW.minus(Duration.ofDays(3)), "u");

        assertThat(client(producer).cancelTask(key)).succeedsWithin(Duration.ofSeconds(5));

        ProducerRecord<String, byte[]> record = producer.history().get(0);
        assertThat(record.key()).isEqualTo("order-42");
        assertThat(record.partition()).isEqualTo(TaskPartitioner.partitionFor("order-42", PARTITIONS));
        assertThat(TaskRecordCodec.decode(record.value())).isEqualTo(new CancelTask(key));
    }

    @Test
    void the_future_completes_only_when_kafka_acknowledges() {
        MockProducer<String, byte[]> producer = mockProducer(false);

        CompletableFuture<Void> sent = client(producer).scheduleTask(task("o", NOW));

        assertThat(sent).isNotDone();
        producer.completeNext();
        assertThat(sent).succeedsWithin(Duration.ofSeconds(5));
    }

    @Test
    void a_task_within_the_grace_period_is_accepted() {
        MockProducer<String, byte[]> producer = mockProducer(true);

        assertThat(client(producer).scheduleTask(task("o", NOW.minusSeconds(10))))
                .succeedsWithin(Duration.ofSeconds(5));
    }

    @Test
    void a_task_further_in_the_past_than_the_grace_period_is_refused_and_not_sent() {
        MockProducer<String, byte[]> producer = mockProducer(true);
        Task late = task("o", NOW.minusSeconds(10).minusMillis(1));

        Throwable failure = failureOf(client(producer).scheduleTask(late));

        assertThat(failure)
                .isInstanceOf(TaskTooLateException.class)
                .hasMessage(
                        "task TaskKey[2026-11-27T05:20:27.122Z, \"o\", \"u\"] is scheduled for 2026-11-27T05:20:27.122Z,"
                                + " 10.001s before now (2026-11-27T05:20:37.123Z); the grace period is 10s"
                                + " (SchedulerClient.Builder.gracePeriod)");
        TaskTooLateException tooLate = (TaskTooLateException) failure;
        assertThat(tooLate.key()).isEqualTo(late.key());
        assertThat(tooLate.now()).isEqualTo(NOW);
        assertThat(tooLate.gracePeriod()).isEqualTo(Duration.ofSeconds(10));
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void the_grace_period_can_be_changed() {
        MockProducer<String, byte[]> producer = mockProducer(true);
        SchedulerClient client = SchedulerClient.builder()
                .bootstrapServers("unused:9092")
                .topic(TOPIC)
                .clock(CLOCK)
                .gracePeriod(Duration.ofMinutes(5))
                .build(producer);

        assertThat(client.scheduleTask(task("o", NOW.minusSeconds(299)))).succeedsWithin(Duration.ofSeconds(5));
        assertThat(failureOf(client.scheduleTask(task("o", NOW.minusSeconds(301)))))
                .isInstanceOf(TaskTooLateException.class);
    }

    @Test
    void invalid_input_fails_the_future_and_sends_nothing() {
        MockProducer<String, byte[]> producer = mockProducer(true);
        SchedulerClient client = SchedulerClient.builder()
                .bootstrapServers("unused:9092")
                .topic(TOPIC)
                .clock(CLOCK)
                .limits(new TaskLimits(16, 200))
                .build(producer);

        assertThat(failureOf(client.scheduleTask(null)))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessage("task must not be null");
        assertThat(failureOf(client.cancelTask(null)))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessage("key must not be null");
        assertThat(failureOf(client.scheduleTask(task("x".repeat(17), NOW))))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessage("orderingId is 17 bytes in UTF-8; the limit is 16 (TaskLimits.maxIdBytes)");
        assertThat(failureOf(client.cancelTask(TaskKey.of("o", NOW, "y".repeat(17)))))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessage("uniquenessKey is 17 bytes in UTF-8; the limit is 16 (TaskLimits.maxIdBytes)");
        assertThat(failureOf(client.scheduleTask(Task.of("o", NOW, "u", Map.of("big", "z".repeat(200))))))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessageMatching("task encodes to \\d+ bytes; the limit is 200 \\(TaskLimits.maxEncodedBytes\\)");
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void an_asynchronous_send_failure_fails_the_future_with_the_cause() {
        MockProducer<String, byte[]> producer = mockProducer(false);
        CompletableFuture<Void> sent = client(producer).scheduleTask(task("o", NOW));

        producer.errorNext(new TimeoutException("no acknowledgement in time"));

        assertThat(failureOf(sent))
                .isInstanceOf(PublishException.class)
                .hasMessage("publishing TaskKey[2026-11-27T05:20:37.123Z, \"o\", \"u\"] to topic \"tasks\" failed:"
                        + " no acknowledgement in time")
                .hasCauseInstanceOf(TimeoutException.class);
    }

    @Test
    void a_send_that_throws_fails_the_future_instead() {
        MockProducer<String, byte[]> producer = mockProducer(true);
        producer.sendException = new KafkaException("buffer exhausted");
        SchedulerClient client = client(producer);

        CompletableFuture<Void> sent = client.scheduleTask(task("o", NOW));

        assertThat(failureOf(sent)).isInstanceOf(PublishException.class).hasCauseInstanceOf(KafkaException.class);
    }

    @Test
    void a_metadata_failure_fails_the_future_instead_of_throwing() {
        MockProducer<String, byte[]> producer = mockProducer(true);
        producer.partitionsForException = new TimeoutException("Topic tasks not present in metadata after 200 ms.");
        SchedulerClient client = client(producer);

        CompletableFuture<Void> sent = client.cancelTask(TaskKey.of("o", NOW, "u"));

        assertThat(failureOf(sent)).isInstanceOf(PublishException.class).hasCauseInstanceOf(TimeoutException.class);
    }

    @Test
    void a_closed_client_fails_every_call_with_client_closed() {
        MockProducer<String, byte[]> producer = mockProducer(true);
        SchedulerClient client = client(producer);

        client.close();
        client.close();

        assertThat(producer.closed()).isTrue();
        assertThat(failureOf(client.scheduleTask(task("o", NOW))))
                .isInstanceOf(ClientClosedException.class)
                .hasMessage("the SchedulerClient for topic \"tasks\" is closed");
        assertThat(failureOf(client.cancelTask(TaskKey.of("o", NOW, "u")))).isInstanceOf(ClientClosedException.class);
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void close_refuses_a_negative_timeout() {
        SchedulerClient client = client(mockProducer(true));

        assertThatThrownBy(() -> client.close(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout must be zero or positive, was PT-0.001S");
    }

    @Test
    void the_builder_requires_bootstrap_servers_and_topic_naming_the_method() {
        assertThatThrownBy(() -> SchedulerClient.builder().topic(TOPIC).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bootstrapServers is required: call SchedulerClient.Builder.bootstrapServers(String)");
        assertThatThrownBy(() -> SchedulerClient.builder()
                        .bootstrapServers("localhost:9092")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topic is required: call SchedulerClient.Builder.topic(String)");
    }

    @Test
    void the_builder_refuses_bad_values_at_once() {
        SchedulerClient.Builder builder = SchedulerClient.builder();

        assertThatThrownBy(() -> builder.topic("no spaces"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topic must be 1 to 249 of the characters a-z A-Z 0-9 . _ -, was \"no spaces\"");
        assertThatThrownBy(() -> builder.bootstrapServers(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.gracePeriod(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gracePeriod must be zero or positive, was PT-1S");
        assertThatThrownBy(() -> builder.limits(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.clock(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.producerProperty("acks", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("producerProperty \"acks\" must not be null");
    }

    @Test
    void kafka_refusing_a_producer_property_is_an_illegal_argument() {
        assertThatThrownBy(() -> SchedulerClient.builder()
                        .bootstrapServers("localhost:9092")
                        .topic(TOPIC)
                        .producerProperty("acks", "most")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid producer configuration: ")
                .hasMessageContaining("acks");
    }

    /** A real producer, pointed at a port where nothing listens, so every send waits for metadata. */
    @Test
    void with_no_broker_a_send_fails_after_max_block_and_nothing_is_thrown() throws IOException {
        try (SchedulerClient client = SchedulerClient.builder()
                .producerProperties(Map.of("bootstrap.servers", "127.0.0.1:" + unusedPort(), "max.block.ms", 200))
                .topic(TOPIC)
                .build()) {

            assertThat(failureOf(client.scheduleTask(task("o", Instant.now().plusSeconds(60)))))
                    .isInstanceOf(PublishException.class)
                    .hasCauseInstanceOf(TimeoutException.class);
            assertThat(failureOf(client.scheduleTask(null))).isInstanceOf(InvalidTaskException.class);

            client.close(Duration.ofSeconds(5));

            assertThat(failureOf(client.scheduleTask(task("o", Instant.now()))))
                    .isInstanceOf(ClientClosedException.class);
            assertThatCode(client::close).doesNotThrowAnyException();
        }
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
