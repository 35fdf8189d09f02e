package dev.scheduler.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SchedulerInfrastructureExtension.class)
class KafkaProxyIT {

    @Test
    void a_client_bootstrapped_through_a_kafka_proxy_reaches_the_broker_only_through_it(
            SchedulerInfrastructure infrastructure) throws Exception {
        String topic = infrastructure.createTopic("proxied", 2);
        try (FaultProxy proxy = infrastructure.kafkaProxy()) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, proxy.address()))) {
                Collection<Node> nodes = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
                assertThat(nodes).extracting(Node::host, Node::port).containsExactly(tuple(proxy));
            }

            Map<String, String> produced = KafkaRecords.produce(proxy.address(), topic, 100);
            assertThat(KafkaRecords.consume(proxy.address(), topic, 100, Duration.ofSeconds(30)))
                    .isEqualTo(produced);

            // The bootstrap connections, then the ones to the advertised address (producer, consumer, coordinator).
            assertThat(proxy.connectionsAccepted()).as("%s", proxy).isGreaterThanOrEqualTo(4);
            assertThat(proxy.bytesToClient()).as("%s", proxy).isGreaterThan(100 * "value-00".length());
        }
    }

    @Test
    void a_producer_behind_a_black_hole_times_out_and_pass_heals_it(SchedulerInfrastructure infrastructure)
            throws Exception {
        String topic = infrastructure.createTopic("black-holed", 1);
        try (FaultProxy proxy = infrastructure.kafkaProxy();
                KafkaProducer<String, String> producer = impatientProducer(proxy)) {
            send(producer, topic, "before");

            proxy.blackHole();
            assertThatThrownBy(() -> send(producer, topic, "lost"))
                    .hasCauseInstanceOf(TimeoutException.class)
                    .as("%s", proxy);

            proxy.pass();
            await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .untilAsserted(() -> send(producer, topic, "healed"));
        }
    }

    @Test
    void a_producer_whose_connections_are_cut_and_refused_times_out_and_pass_heals_it(
            SchedulerInfrastructure infrastructure) throws Exception {
        String topic = infrastructure.createTopic("cut", 1);
        try (FaultProxy proxy = infrastructure.kafkaProxy();
                KafkaProducer<String, String> producer = impatientProducer(proxy)) {
            send(producer, topic, "before");
            long accepted = proxy.connectionsAccepted();

            proxy.dropNewConnections();
            proxy.cutLiveConnections();
            assertThatThrownBy(() -> send(producer, topic, "refused"))
                    .hasCauseInstanceOf(TimeoutException.class)
                    .as("%s", proxy);
            assertThat(proxy.connectionsAccepted()).as("reconnection attempts").isGreaterThan(accepted);

            proxy.pass();
            await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .untilAsserted(() -> send(producer, topic, "healed"));
        }
    }

    @Test
    void a_consumer_behind_a_black_hole_gets_nothing_and_catches_up_after_pass(SchedulerInfrastructure infrastructure)
            throws Exception {
        String topic = infrastructure.createTopic("consumed", 1);
        TopicPartition partition = new TopicPartition(topic, 0);
        try (FaultProxy proxy = infrastructure.kafkaProxy();
                KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, proxy.address(),
                                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000,
                                ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200),
                        new StringDeserializer(),
                        new StringDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            assertThat(consumer.poll(Duration.ofMillis(500))).isEmpty();
            assertThat(consumer.position(partition, Duration.ofSeconds(10))).isZero();

            proxy.blackHole();
            Map<String, String> produced = KafkaRecords.produce(infrastructure.kafkaBootstrapServers(), topic, 10);
            assertThat(poll(consumer, Duration.ofSeconds(2))).as("%s", proxy).isEmpty();

            proxy.pass();
            Map<String, String> received = new HashMap<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                received.putAll(poll(consumer, Duration.ofMillis(200)));
                return received.size() == produced.size();
            });
            assertThat(received).isEqualTo(produced);
        }
    }

    @Test
    void kafka_proxies_are_limited_and_closing_one_frees_its_listener(SchedulerInfrastructure infrastructure) {
        List<FaultProxy> proxies = new ArrayList<>();
        try {
            for (int i = 0; i < EmbeddedKafka.PROXY_LISTENERS; i++) {
                proxies.add(infrastructure.kafkaProxy());
            }
            assertThatThrownBy(infrastructure::kafkaProxy)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("all " + EmbeddedKafka.PROXY_LISTENERS + " proxy listeners");

            FaultProxy first = proxies.remove(0);
            first.close();
            FaultProxy again = infrastructure.kafkaProxy();
            proxies.add(again);
            assertThat(again.port()).isEqualTo(first.port());
        } finally {
            proxies.forEach(FaultProxy::close);
        }
    }

    private static KafkaProducer<String, String> impatientProducer(FaultProxy proxy) {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, proxy.address(),
                        ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 2_000,
                        ProducerConfig.LINGER_MS_CONFIG, 0,
                        ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000,
                        ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200),
                new StringSerializer(),
                new StringSerializer());
    }

    private static void send(KafkaProducer<String, String> producer, String topic, String value)
            throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        producer.send(new ProducerRecord<>(topic, value, value)).get(10, TimeUnit.SECONDS);
    }

    private static Map<String, String> poll(KafkaConsumer<String, String> consumer, Duration duration) {
        Map<String, String> records = new HashMap<>();
        for (ConsumerRecord<String, String> record : consumer.poll(duration)) {
            records.put(record.key(), record.value());
        }
        return records;
    }

    private static org.assertj.core.groups.Tuple tuple(FaultProxy proxy) {
        return org.assertj.core.groups.Tuple.tuple(proxy.host(), proxy.port());
    }
}
