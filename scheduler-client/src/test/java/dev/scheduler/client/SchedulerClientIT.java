package dev.scheduler.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.client.wire.CancelTask;
import dev.scheduler.client.wire.ScheduleTask;
import dev.scheduler.client.wire.TaskRecord;
import dev.scheduler.client.wire.TaskRecordCodec;
import dev.scheduler.testkit.EmbeddedKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SchedulerClientIT {

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

    private static SchedulerClient client(String topic) {
        return SchedulerClient.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .topic(topic)
                .build();
    }

    @Test
    void scheduled_and_cancelled_tasks_arrive_keyed_by_ordering_id_on_the_partitioners_partition() {
        String topic = "client-records";
        int partitions = 8;
        kafka.createTopic(topic, partitions);
        Random random = new Random(11);
        List<String> orderingIds = List.of(
                "order-1",
                "order-2",
                "customer \"Zoë\", ☃ \ud83d\ude80",
                RandomStrings.id(random, 10),
                RandomStrings.id(random, 10),
                RandomStrings.id(random, 10));
        Instant base = Instant.now().plus(Duration.ofHours(1));
        List<TaskRecord> sent = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            TaskKey key = TaskKey.of(orderingIds.get(i % orderingIds.size()), base.plusMillis(i), "u-" + i);
            sent.add(
                    i % 5 == 4
                            ? new CancelTask(key)
                            : new ScheduleTask(Task.of(
                                    key, Map.of("n", Integer.toString(i), "text", RandomStrings.any(random, 20)))));
        }

        try (SchedulerClient client = client(topic)) {
            List<CompletableFuture<Void>> acknowledged = sent.stream()
                    .map(record -> record instanceof ScheduleTask schedule
                            ? client.scheduleTask(schedule.task())
                            : client.cancelTask(record.key()))
                    .toList();
            CompletableFuture.allOf(acknowledged.toArray(CompletableFuture[]::new))
                    .join();
        }

        List<ConsumerRecord<String, byte[]>> received =
                TopicReader.readUntil(kafka.bootstrapServers(), topic, read -> read.size() >= sent.size());
        assertThat(received).hasSameSizeAs(sent).allSatisfy(record -> {
            TaskRecord decoded = TaskRecordCodec.decode(record.value());
            assertThat(record.key()).isEqualTo(decoded.key().orderingId());
            assertThat(record.partition()).isEqualTo(TaskPartitioner.partitionFor(record.key(), partitions));
        });
        List<TaskRecord> decoded =
                received.stream().map(r -> TaskRecordCodec.decode(r.value())).toList();
        assertThat(decoded).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(byOrderingId(decoded))
                .as("each ordering id's records in the order they were sent")
                .isEqualTo(byOrderingId(sent));
    }

    private static Map<String, List<TaskRecord>> byOrderingId(List<TaskRecord> records) {
        return records.stream().collect(Collectors.groupingBy(r -> r.key().orderingId()));
    }

    @Test
    void a_task_too_far_in_the_past_is_refused_and_nothing_is_sent() {
        String topic = "client-too-late";
        kafka.createTopic(topic, 3);
        Task late = Task.of("order-1", Instant.now().minus(Duration.ofMinutes(1)), "late", Map.of());
        Task marker = Task.of("order-1", Instant.now().plus(Duration.ofHours(1)), "marker", Map.of());

        try (SchedulerClient client = client(topic)) {
            assertThat(Futures.failureOf(client.scheduleTask(late))).isInstanceOf(TaskTooLateException.class);
            // Same ordering id, so the same partition: once the marker is there, a late record would be too.
            client.scheduleTask(marker).join();
        }

        List<ConsumerRecord<String, byte[]>> received = TopicReader.readUntil(
                kafka.bootstrapServers(),
                topic,
                read -> read.stream()
                        .anyMatch(r -> TaskRecordCodec.decode(r.value()).key().equals(marker.key())));
        assertThat(received)
                .extracting(r -> TaskRecordCodec.decode(r.value()))
                .containsExactly(new ScheduleTask(marker));
    }
}
