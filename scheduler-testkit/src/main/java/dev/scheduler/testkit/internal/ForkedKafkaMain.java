package dev.scheduler.testkit.internal;

import java.nio.file.Path;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;

/**
 * Main class of a forked Kafka broker (run through {@link ForkWatchdog}): formats the storage on first start, runs
 * the broker until SIGTERM, and shuts it down cleanly then.
 *
 * <p>Usage: {@code ForkedKafkaMain <server.properties>}.
 */
public final class ForkedKafkaMain {

    private ForkedKafkaMain() {}

    public static void main(String[] args) {
        Path propertiesFile = Path.of(args[0]);
        try {
            KafkaBrokerConfig.formatIfNeeded(propertiesFile);
            KafkaRaftServer server =
                    new KafkaRaftServer(KafkaConfig.fromProps(KafkaBrokerConfig.read(propertiesFile)), Time.SYSTEM);
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                server.shutdown();
                                server.awaitShutdown();
                            },
                            "kafka-shutdown"));
            server.startup();
            System.out.println("ForkedKafkaMain: broker started");
            server.awaitShutdown();
        } catch (Throwable e) {
            System.err.println("ForkedKafkaMain: broker failed");
            e.printStackTrace();
            System.err.flush();
            System.exit(1);
        }
    }
}
