package dev.scheduler.examples;

import dev.scheduler.client.SchedulerClient;
import dev.scheduler.client.SchedulerTopics;
import dev.scheduler.client.Task;
import dev.scheduler.engine.SchedulerEngine;
import dev.scheduler.engine.TaskExecutor;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The smallest complete integration, quoted in the README: create the topic, implement a {@link TaskExecutor},
 * start a {@link SchedulerEngine}, schedule a task with a {@link SchedulerClient}, and see it run five seconds
 * later.
 *
 * <p>Expects Kafka at {@code localhost:9092} and Cassandra at {@code localhost:9042} (datacenter
 * {@code datacenter1}); other servers can be given as arguments:
 * {@code QuickStart <kafka host:port> <cassandra host:port> <datacenter>}.
 */
public final class QuickStart {

    private QuickStart() {}

    public static void main(String[] args) throws InterruptedException {
        String kafka = args.length > 0 ? args[0] : "localhost:9092";
        String[] cassandra = (args.length > 1 ? args[1] : "localhost:9042").split(":");
        String datacenter = args.length > 2 ? args[2] : "datacenter1";
        boolean ran = run(kafka, new InetSocketAddress(cassandra[0], Integer.parseInt(cassandra[1])), datacenter);
        System.exit(ran ? 0 : 1);
    }

    /** Returns whether the task ran within a minute. */
    static boolean run(String kafka, InetSocketAddress cassandra, String datacenter) throws InterruptedException {
        // Once, before the first task: the partition count of a scheduler topic is fixed for life.
        SchedulerTopics.createTopic(kafka, "reminders", 16, (short) 1);

        // 1. What runs when a task is due: on the engine's thread pool, at least once per task.
        CountDownLatch sent = new CountDownLatch(1);
        TaskExecutor sendReminder = context -> {
            System.out.println("Reminding " + context.data().get("to") + " of "
                    + context.key().orderingId());
            sent.countDown();
        };

        // 2. In every instance of your service: an engine. Instances with the same group id share the work.
        SchedulerEngine engine = SchedulerEngine.builder()
                .bootstrapServers(kafka)
                .topic("reminders")
                .groupId("reminder-service")
                .cassandra(cassandra, datacenter)
                .keyspace("reminder_service")
                .taskExecutor(sendReminder)
                .build();
        engine.start();

        // 3. Wherever tasks are decided: a client, which only publishes to Kafka.
        try (SchedulerClient client = SchedulerClient.builder()
                .bootstrapServers(kafka)
                .topic("reminders")
                .build()) {
            client.scheduleTask(Task.of(
                            "order-42",
                            Instant.now().plusSeconds(5),
                            "payment-reminder",
                            Map.of("to", "ada@example.com")))
                    .join();
            return sent.await(60, TimeUnit.SECONDS);
        } finally {
            engine.close();
        }
    }
}
