package dev.scheduler.engine.internal.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** The Kafka client configurations the engine derives from the application's consumer properties. */
public final class KafkaProperties {

    private KafkaProperties() {}

    /**
     * The engine's consumer: manual commits from the earliest offset, cooperative-sticky assignment, a short
     * session, and a 100 ms heartbeat (each member learns of a rebalance by its heartbeat, and tasks due on a
     * moving partition wait for it: with 500 ms, the example's rolling restart started tasks up to 0.6 s late),
     * and a 100 ms fetch wait (a partition rewound while a fetch is in flight for another is fetched once that one
     * answers: with the 500 ms default, a move's catch-up waited up to 0.5 s); the application's properties over
     * these defaults; servers, group and deserializers always ours.
     */
    public static Properties consumer(String bootstrapServers, String groupId, Map<String, Object> overrides) {
        Properties p = new Properties();
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "100");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "scheduler-" + groupId);
        p.putAll(overrides);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    /** An admin client's properties: the consumer's connection and security settings without consumer-only ones. */
    public static Map<String, Object> admin(String bootstrapServers, Map<String, Object> consumerOverrides) {
        Map<String, Object> admin = new HashMap<>(consumerOverrides);
        admin.put("bootstrap.servers", bootstrapServers);
        admin.keySet()
                .removeIf(k -> k.startsWith("key.")
                        || k.startsWith("value.")
                        || k.equals("group.id")
                        || k.startsWith("auto.")
                        || k.startsWith("enable.")
                        || k.startsWith("max.poll")
                        || k.startsWith("partition.assignment")
                        || k.startsWith("session.")
                        || k.startsWith("heartbeat.")
                        || k.startsWith("fetch.")
                        || k.startsWith("isolation.")
                        || k.equals("group.protocol"));
        return admin;
    }

    /** The connection and security settings of the consumer that apply to a producer too. */
    public static Map<String, Object> producerConnection(Map<String, Object> consumerOverrides) {
        Map<String, Object> producer = new HashMap<>();
        consumerOverrides.forEach((k, v) -> {
            if (k.startsWith("security.")
                    || k.startsWith("sasl.")
                    || k.startsWith("ssl.")
                    || k.equals("client.dns.lookup")) {
                producer.put(k, v);
            }
        });
        return producer;
    }
}
