package dev.scheduler.engine.cluster;

import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.PartitionState;
import dev.scheduler.engine.RetryPolicy;
import dev.scheduler.engine.SchedulerEngine;
import dev.scheduler.engine.TaskContext;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One engine instance as its own OS process, so that tests can SIGKILL, SIGSTOP and SIGCONT it. Every attempt is
 * appended to {@code <dir>/executions.log} before and after it runs (unbuffered: a line written survives a
 * SIGKILL of this process); owned partitions are written to {@code <dir>/partitions} every 100 ms; SIGTERM
 * closes the engine gracefully.
 *
 * <p>Arguments: {@code key=value} pairs: dir, instance, bootstrap, topic, group, cassandra (host:port), keyspace,
 * workMs (default 2), hang (a prefix of the ordering ids whose tasks hang until interrupted), timeoutMs (default 10000),
 * failEvery (default 10: the first attempt of every tenth task, by the number in its uniqueness key {@code t-<n>},
 * fails, so that retries cross handoffs; 0 for none). A failing attempt writes an {@code F} line before it ends.
 */
public final class EngineNode {

    private EngineNode() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Path dir = Path.of(a.get("dir"));
        Files.createDirectories(dir);
        String instance = a.get("instance");
        long workMs = Long.parseLong(a.getOrDefault("workMs", "2"));
        String hang = a.get("hang");
        int failEvery = Integer.parseInt(a.getOrDefault("failEvery", "10"));
        FileOutputStream log =
                new FileOutputStream(dir.resolve("executions.log").toFile(), true);
        String[] cassandra = a.get("cassandra").split(":");
        EngineSettings settings = EngineSettings.builder()
                .lookAhead(Duration.ofSeconds(5))
                .loadInterval(Duration.ofMillis(200))
                .commitInterval(Duration.ofMillis(200))
                .shutdownTimeout(Duration.ofSeconds(10))
                .executionTimeout(Duration.ofMillis(Long.parseLong(a.getOrDefault("timeoutMs", "10000"))))
                .retryPolicy(new RetryPolicy(3, Duration.ofMillis(500), Duration.ofSeconds(2), 2.0, 0.0))
                .storeRetryBackoff(Duration.ofMillis(100), Duration.ofSeconds(2))
                .ownerLease(Duration.ofSeconds(3))
                .build();
        SchedulerEngine engine = SchedulerEngine.builder()
                .bootstrapServers(a.get("bootstrap"))
                .topic(a.get("topic"))
                .groupId(a.get("group"))
                .cassandra(new InetSocketAddress(cassandra[0], Integer.parseInt(cassandra[1])), "datacenter1")
                .keyspace(a.get("keyspace"))
                .instanceId(instance)
                .settings(settings)
                .taskExecutor((TaskContext ctx) -> {
                    write(log, "S", ctx, instance);
                    try {
                        if (hang != null && ctx.key().orderingId().startsWith(hang)) {
                            Thread.sleep(Long.MAX_VALUE);
                        }
                        if (workMs > 0) {
                            Thread.sleep(workMs);
                        }
                        if (ctx.attempt() == 1 && failsFirst(ctx.key().uniquenessKey(), failEvery)) {
                            write(log, "F", ctx, instance);
                            throw new IllegalStateException("first attempt fails on purpose");
                        }
                    } finally {
                        write(log, "E", ctx, instance);
                    }
                })
                .build();
        engine.start();
        Runtime.getRuntime().addShutdownHook(new Thread(engine::close, "engine-close"));
        Files.writeString(dir.resolve("ready"), instance);
        Path partitions = dir.resolve("partitions");
        Path tmp = dir.resolve("partitions.tmp");
        while (true) {
            String owned = engine.partitions().stream()
                    .filter(PartitionState::healthy)
                    .map(p -> Integer.toString(p.partition()))
                    .collect(Collectors.joining(","));
            Files.writeString(tmp, owned);
            Files.move(tmp, partitions, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Thread.sleep(100); // publishing cadence of this test process, not synchronisation
        }
    }

    static boolean failsFirst(String uniquenessKey, int failEvery) {
        if (failEvery <= 0 || !uniquenessKey.startsWith("t-")) {
            return false;
        }
        return Integer.parseInt(uniquenessKey.substring(2)) % failEvery == 0;
    }

    private static void write(FileOutputStream log, String what, TaskContext ctx, String instance) {
        String line = what + "|" + ctx.key().orderingId() + "|" + ctx.key().uniquenessKey() + "|" + ctx.attempt() + "|"
                + System.currentTimeMillis() + "|" + instance + "|" + ctx.partition() + "\n";
        synchronized (log) {
            try {
                log.write(line.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
