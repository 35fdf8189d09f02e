package dev.scheduler.examples.bench;

import dev.scheduler.client.SchedulerClient;
import dev.scheduler.client.Task;
import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.SchedulerEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The hot ordering id: {@code --hot-tasks} tasks of one ordering id, all due the moment they are published, published
 * as fast as Kafka acknowledges. The engine runs them one at a time in key order (each starts once the previous
 * one's outcome is durable), so the figure is how many tasks one entity can run a second: executions per second,
 * first start to last. The executor checks the order: uniqueness keys are zero-padded task numbers, so key order
 * is publication order, and a start of a lower number than one already started is counted out of order.
 */
final class HotOrderingIdScenario {

    static final String ORDERING_ID = "hot";

    private final BenchContext ctx;

    HotOrderingIdScenario(BenchContext ctx) {
        this.ctx = ctx;
    }

    static String uniquenessKey(long number) {
        return String.format("h%09d", number);
    }

    ScenarioResult run() {
        int tasks = ctx.options().hotTasks();
        ScenarioResult result = new ScenarioResult(
                "hot-id", "hot ordering id (" + String.format("%,d", tasks) + " tasks of one id, due now)");
        String topic = ctx.newTopic("hotid");
        String keyspace = ctx.keyspace("hotid");
        EngineSettings settings = BenchContext.engineSettings().build();
        result.settings.put("topic", topic);
        result.settings.put("keyspace", keyspace);
        result.settings.put("partitions", ctx.options().partitions());
        result.settings.put("tasks", tasks);
        result.settings.put("orderingIds", 1);
        result.settings.put("executor", "no-op TaskExecutor (records the start, checks the order)");
        result.settings.put("engine", settings.toString());
        result.settings.put("client", ctx.clientSettings());

        Executions runs = new Executions("h", tasks);
        AtomicInteger lastStarted = new AtomicInteger(-1);
        LongAdder outOfOrder = new LongAdder();
        AtomicInteger running = new AtomicInteger();
        LongAdder concurrent = new LongAdder();
        SchedulerEngine engine = ctx.startEngine(
                topic,
                keyspace,
                settings,
                c -> {
                    if (running.incrementAndGet() > 1) {
                        concurrent.increment(); // two tasks of the one id at once
                    }
                    try {
                        if (runs.recordStart(c.key())) {
                            int number =
                                    Integer.parseInt(c.key().uniquenessKey().substring(1));
                            if (lastStarted.getAndAccumulate(number, Math::max) > number) {
                                outOfOrder.increment();
                            }
                        }
                    } finally {
                        running.decrementAndGet();
                    }
                },
                runs.dispatchListener(),
                true);
        try (SchedulerClient client = ctx.client(topic)) {
            CpuMeter.Snapshot before = ctx.cpu().snapshot();
            long start = System.nanoTime();
            Publisher.Outcome published = new Publisher(client, ctx.options().inFlight())
                    .asFastAsPossible(
                            tasks, i -> Task.of(ORDERING_ID, Instant.now(), uniquenessKey(i), BenchContext.data(i)));
            List<Long> timeline = new ArrayList<>();
            ctx.awaitCount(runs::executed, tasks, start, timeline);
            boolean recorded =
                    BenchContext.awaitCondition(Duration.ofSeconds(60), () -> BenchContext.tasksInMemory(engine) == 0);
            result.cpu = CpuMeter.Usage.between(before, ctx.cpu().snapshot());
            BenchContext.settle();
            result.cpuItems = runs.executed();

            double seconds = (runs.lastNanos() - runs.firstNanos()) / 1e9;
            double perSecond = runs.executed() > 1 && seconds > 0 ? (runs.executed() - 1) / seconds : 0;
            result.headline = ScenarioResult.number(perSecond) + " executions/s of one ordering id";
            result.figures.put("executionsPerSecond", Math.round(perSecond));
            result.figures.put("firstToLastSeconds", seconds);
            result.figures.put("meanMicrosBetweenStarts", Math.round(seconds * 1e6 / Math.max(1, runs.executed() - 1)));
            result.figures.put("publishAcknowledgedPerSecond", Math.round(published.acknowledgedPerSecond()));
            result.figures.put("publishFailed", published.failed());
            result.figures.put("executedBySecondSinceFirstPublish", timeline);
            result.figures.put("executions", runs.executed());
            result.figures.put("startedOutOfOrder", outOfOrder.sum());
            result.figures.put("startedWhileAnotherRan", concurrent.sum());
            result.figures.put("allOutcomesDurable", recorded);
            result.twiceNever(runs.ranTwice(), runs.neverRan());
            result.lateness(runs.lateness());
            result.notes.add("lateness here is time spent queued behind the earlier tasks of the same id");
            if (outOfOrder.sum() > 0) {
                result.clean = false;
                result.notes.add(outOfOrder.sum() + " tasks started after a later task of the same ordering id");
            }
            if (concurrent.sum() > 0) {
                result.clean = false;
                result.notes.add(concurrent.sum() + " tasks started while another of the same ordering id ran");
            }
            if (published.failed() > 0) {
                result.clean = false;
                result.notes.add(published.failed() + " publications failed: " + published.firstFailure());
            }
        } finally {
            ctx.close(engine, result);
        }
        return result;
    }
}
