package dev.scheduler.testkit;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * Child JVM of {@link OrphanedForksIT}: starts a forked Cassandra and a forked Kafka in the given directory, prints
 * their pids, and waits to be killed.
 */
public final class OrphanedForksMain {

    private OrphanedForksMain() {}

    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args[0]);
        CompletableFuture<ForkedKafka> kafka = CompletableFuture.supplyAsync(() ->
                ForkedKafka.builder().directory(directory.resolve("kafka")).start());
        ForkedCassandra cassandra = ForkedCassandra.builder()
                .nodeDirectory(directory.resolve("cassandra"))
                .start();
        System.out.println("cassandra-pid=" + cassandra.pid());
        System.out.println("kafka-pid=" + kafka.get().pid());
        System.out.flush();
        Thread.currentThread().join(); // until killed
    }
}
