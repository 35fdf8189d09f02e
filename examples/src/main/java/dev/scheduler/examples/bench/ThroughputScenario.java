package dev.scheduler.examples.bench;

import dev.scheduler.client.SchedulerClient;
import dev.scheduler.client.Task;
import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.SchedulerEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Scenario 2, throughput: one engine in this JVM, running and idle, owning every partition; then {@code --tasks}
 * tasks due at the moment they are published, as fast as one client gets them acknowledged, over
 * {@code --ordering-ids} ordering ids; a no-op executor. The figure is executions per second from the first
 * execution to the last, and how many tasks ran twice or never. The CPU window runs from the first publication
 * until every outcome is durable (the engine holds no task in memory any more). Engine settings: the defaults (see
 * {@link BenchContext#engineSettings()}).
 */
final class ThroughputScenario {

    private final BenchContext ctx;
    private final String name;
    private final int tasks;
    private final int engines;
    private double executionsPerSecond;

    /**
     * @param name "throughput", or "warmup" for the unreported run that warms up every JVM before the others
     */
    ThroughputScenario(BenchContext ctx, String name, int tasks) {
        this(ctx, name, tasks, 1);
    }

    /** @param engines engines of one consumer group in this JVM, sharing the partitions (the scaling scenario) */
    ThroughputScenario(BenchContext ctx, String name, int tasks, int engines) {
        this.ctx = ctx;
        this.name = name;
        this.tasks = tasks;
        this.engines = engines;
    }

    /** Executions per second measured by {@link #run()}; 0 before, or if nothing ran. */
    double executionsPerSecond() {
        return executionsPerSecond;
    }

    ScenarioResult run() {
        ScenarioResult result = new ScenarioResult(name, name + " (" + String.format("%,d", tasks) + " tasks due now)");
        String topic = ctx.newTopic(name);
        String keyspace = ctx.keyspace(name);
        EngineSettings settings = BenchContext.engineSettings().build();
        result.settings.put("topic", topic);
        result.settings.put("keyspace", keyspace);
        result.settings.put("partitions", ctx.options().partitions());
        result.settings.put("tasks", tasks);
        result.settings.put("orderingIds", ctx.options().orderingIds());
        result.settings.put("maxInFlight", ctx.options().inFlight());
        result.settings.put("executor", "no-op TaskExecutor (records the start)");
        result.settings.put("engine", settings.toString());
        result.settings.put("client", ctx.clientSettings());

        result.settings.put("engines", engines);

        Executions runs = new Executions("t", tasks);
        List<SchedulerEngine> started = new ArrayList<>();
        for (int i = 0; i < engines; i++) {
            started.add(ctx.startEngine(
                    topic,
                    keyspace,
                    settings,
                    c -> runs.recordStart(c.key()),
                    runs.dispatchListener(),
                    engines == 1,
                    engines == 1 ? topic : topic + "-" + i));
        }
        if (engines > 1
                && !BenchContext.awaitCondition(Duration.ofSeconds(60), () -> {
                    List<dev.scheduler.engine.PartitionState> owned = started.stream()
                            .flatMap(e -> e.partitions().stream())
                            .toList();
                    return owned.size() == ctx.options().partitions()
                            && owned.stream().allMatch(dev.scheduler.engine.PartitionState::healthy);
                })) {
            started.forEach(e -> ctx.close(e, result));
            throw new IllegalStateException(engines + " engines did not own the "
                    + ctx.options().partitions() + " partitions between them, healthy, within 60 s");
        }
        try (SchedulerClient client = ctx.client(topic)) {
            CpuMeter.Snapshot before = ctx.cpu().snapshot();
            long start = System.nanoTime();
            CompletableFuture<Publisher.Outcome> publishing = CompletableFuture.supplyAsync(() -> new Publisher(
                            client, ctx.options().inFlight())
                    .asFastAsPossible(
                            tasks,
                            i -> Task.of(
                                    ctx.orderingId(i), Instant.now(), runs.uniquenessKey(i), BenchContext.data(i))));
            List<Long> timeline = new ArrayList<>();
            ctx.awaitCount(runs::executed, tasks, start, timeline);
            Publisher.Outcome published = publishing.join();
            // Done when every outcome is durable too: the engine then holds no task in memory.
            boolean recorded = BenchContext.awaitCondition(
                    Duration.ofSeconds(60),
                    () -> started.stream()
                                    .mapToLong(BenchContext::tasksInMemory)
                                    .sum()
                            == 0);
            long recordedAt = System.nanoTime();
            result.cpu = CpuMeter.Usage.between(before, ctx.cpu().snapshot());
            BenchContext.settle();
            result.cpuItems = runs.executed();

            double seconds = (runs.lastNanos() - runs.firstNanos()) / 1e9;
            executionsPerSecond = runs.executed() > 1 && seconds > 0 ? (runs.executed() - 1) / seconds : 0;
            double endToEnd = (runs.lastNanos() - published.firstSendNanos()) / 1e9;
            result.headline = ScenarioResult.number(executionsPerSecond) + " executions/s";
            result.figures.put("executionsPerSecond", Math.round(executionsPerSecond));
            result.figures.put("firstToLastSeconds", seconds);
            result.figures.put(
                    "executionsPerSecondFromFirstPublish", Math.round(endToEnd > 0 ? runs.executed() / endToEnd : 0));
            result.figures.put(
                    "allOutcomesDurableAfterLastExecutionMs", recorded ? (recordedAt - runs.lastNanos()) / 1e6 : null);
            result.figures.put("publishAcknowledgedPerSecond", Math.round(published.acknowledgedPerSecond()));
            result.figures.put("publishFailed", published.failed());
            result.figures.put(
                    "firstExecutionAfterFirstPublishMs", (runs.firstNanos() - published.firstSendNanos()) / 1e6);
            result.figures.put("executedBySecondSinceFirstPublish", timeline);
            result.figures.put("executions", runs.executed());
            result.figures.put("distinctTasksRun", runs.distinctRan());
            result.figures.put("startedBeforeScheduledTime", runs.early());
            result.figures.put("latenessAtExecutor", ScenarioResult.percentiles(runs.lateness()));
            result.figures.put("latenessAtDispatch", ScenarioResult.percentiles(runs.dispatchLateness()));
            result.twiceNever(runs.ranTwice(), runs.neverRan());
            result.lateness(runs.lateness());
            result.notes.add("lateness here is time spent queued behind the other tasks due at once, not punctuality");
            if (published.failed() > 0) {
                result.clean = false;
                result.notes.add(published.failed() + " publications failed: " + published.firstFailure());
            }
        } finally {
            started.forEach(e -> ctx.close(e, result));
        }
        return result;
    }
}
