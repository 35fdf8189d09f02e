package dev.scheduler.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.testkit.EmbeddedKafka;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Kafka's own producer, given only a key, picks the partition {@link TaskPartitioner} computes. */
class TaskPartitionerIT {

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

    @ParameterizedTest(name = "{0} partitions")
    @ValueSource(ints = {7, 16})
    void a_plain_producer_picks_the_same_partition_for_every_key(int partitions) throws Exception {
        String topic = "partitioner-" + partitions;
        kafka.createTopic(topic, partitions);
        Random random = new Random(partitions);
        List<String> keys =
                new ArrayList<>(List.of("order-1", "", " ", "a,b", "\"quoted\"", "\ud83d\ude80", "\uffff", "Zoë ☃"));
        for (int i = 0; i < 400; i++) {
            keys.add(i % 2 == 0 ? RandomStrings.id(random, 16) : "order-" + random.nextInt(1_000_000));
        }

        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            List<Future<RecordMetadata>> sent = keys.stream()
                    .map(key -> producer.send(new ProducerRecord<>(topic, key, "value")))
                    .toList();
            for (int i = 0; i < keys.size(); i++) {
                String key = keys.get(i);
                assertThat(sent.get(i).get().partition())
                        .as("partition of key %s", key)
                        .isEqualTo(TaskPartitioner.partitionFor(key, partitions));
            }
        }
    }
}
