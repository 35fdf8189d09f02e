package dev.scheduler.examples.bench;

import dev.scheduler.client.SchedulerClient;
import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.SchedulerEngine;
import dev.scheduler.engine.TaskExecutor;
import dev.scheduler.engine.TaskListener;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * Scenario 5, backlog, in two parts on one topic and keyspace.
 *
 * <ol>
 *   <li>Heap: an engine in this JVM stores {@code --backlog-tasks} tasks due two to three hours ahead (published
 *       as fast as one client can, then awaited until durable in Cassandra). The used heap of this JVM after a
 *       full GC is read before, at each quarter of the load, and after; the client is closed first, so its buffers
 *       are not counted. The rate at which the engine made them durable is reported too.</li>
 *   <li>Drain: {@code --drain-tasks} tasks due a few seconds ahead are published and awaited until durable; the
 *       engine is closed before they are due, and once they are all overdue a new engine starts. The figures are
 *       the time from its {@code start()} to the first execution, and executions per second from first to last.
 *       The future tasks must not run at all.</li>
 * </ol>
 * Engine settings: the defaults (see {@link BenchContext#engineSettings()}), so 60 s look-ahead and at most
 * 50,000 tasks in memory per partition.
 */
final class BacklogScenario {

    private static final Duration FUTURE_OFFSET = Duration.ofHours(2);
    private static final long FUTURE_SPREAD_MS = Duration.ofHours(1).toMillis();
    private static final Duration DURABLE_TIMEOUT = Duration.ofMinutes(5);

    private final BenchContext ctx;

    BacklogScenario(BenchContext ctx) {
        this.ctx = ctx;
    }

    List<ScenarioResult> run() {
        BenchOptions o = ctx.options();
        String topic = ctx.newTopic("backlog");
        String keyspace = ctx.keyspace("backlog");
        EngineSettings settings = BenchContext.engineSettings().build();
        Executions future = new Executions("h", 0);
        Executions drain = new Executions("d", o.drainTasks());
        LongAdder strays = new LongAdder();
        TaskExecutor executor = c -> {
            if (!drain.recordStart(c.key()) && !future.recordStart(c.key())) {
                strays.increment();
            }
        };
        TaskListener listener = new TaskListener() {
            @Override
            public void attemptStarted(TaskKey key, int attempt, Duration lateness) {
                drain.recordDispatch(key, lateness);
            }
        };

        ScenarioResult heap = new ScenarioResult(
                "backlog-heap", "backlog: heap with " + String.format("%,d", o.backlogTasks()) + " future tasks");
        ScenarioResult drained = new ScenarioResult(
                "backlog-drain", "backlog: drain " + String.format("%,d", o.drainTasks()) + " overdue after restart");
        for (ScenarioResult r : List.of(heap, drained)) {
            r.settings.put("topic", topic);
            r.settings.put("keyspace", keyspace);
            r.settings.put("partitions", o.partitions());
            r.settings.put("futureTasks", o.backlogTasks());
            r.settings.put(
                    "futureTasksDue",
                    "from " + FUTURE_OFFSET.toHours() + " h to " + (FUTURE_OFFSET.toHours() + 1) + " h ahead");
            r.settings.put("drainTasks", o.drainTasks());
            r.settings.put("orderingIds", o.orderingIds());
            r.settings.put("executor", "no-op TaskExecutor (records the start)");
            r.settings.put("engine", settings.toString());
            r.settings.put("client", ctx.clientSettings());
        }

        SchedulerEngine first = ctx.startEngine(topic, keyspace, settings, executor, listener, true);
        boolean firstClosed = false;
        try {
            storeFuture(first, topic, heap);
            Instant due = storeDrainTasks(first, topic, drained);
            long closeStart = System.nanoTime();
            first.close();
            firstClosed = true;
            long ranBeforeRestart = drain.executed();
            drained.figures.put("firstEngineCloseSeconds", (System.nanoTime() - closeStart) / 1e9);
            if (ranBeforeRestart > 0 || Instant.now().isAfter(due)) {
                drained.notes.add("the first engine closed after the drain tasks were due; " + ranBeforeRestart
                        + " ran before the restart: raise the lead time");
            }
            // All overdue by at least two seconds before the new engine starts.
            Instant overdue = due.plusMillis(1_000 + 2_000);
            BenchContext.sleep(
                    Math.max(0, Duration.between(Instant.now(), overdue).toMillis()));
            drainAfterRestart(topic, keyspace, settings, executor, listener, drain, future, ranBeforeRestart, drained);
        } finally {
            if (!firstClosed) {
                first.close();
            }
        }
        heap.figures.put("futureTasksRun", future.executed());
        drained.figures.put("futureTasksRun", future.executed());
        drained.figures.put("unknownTasksRun", strays.sum());
        if (future.executed() > 0 || strays.sum() > 0) {
            heap.clean = false;
            drained.clean = false;
            drained.notes.add(future.executed() + " future tasks and " + strays.sum() + " unknown tasks ran");
        }
        return List.of(heap, drained);
    }

    /** Part 1: stores the future tasks and measures the heap along the way. */
    private void storeFuture(SchedulerEngine engine, String topic, ScenarioResult result) {
        BenchOptions o = ctx.options();
        long tasks = o.backlogTasks();
        long heapBefore = BenchContext.heapAfterGc();
        Instant base = Instant.now().plus(FUTURE_OFFSET);
        CpuMeter.Snapshot before = ctx.cpu().snapshot();
        long start = System.nanoTime();
        SchedulerClient client = ctx.client(topic);
        CompletableFuture<Publisher.Outcome> publishing =
                CompletableFuture.supplyAsync(() -> new Publisher(client, o.inFlight())
                        .asFastAsPossible(
                                tasks,
                                i -> Task.of(
                                        ctx.orderingId(i),
                                        base.plusMillis(i * FUTURE_SPREAD_MS / tasks),
                                        Executions.uniquenessKey("h", i),
                                        BenchContext.data(i))));
        Map<String, Object> heapByStored = new LinkedHashMap<>();
        heapByStored.put("0", mib(heapBefore));
        List<Long> quarters = new ArrayList<>(List.of(tasks / 4, tasks / 2, tasks * 3 / 4));
        long deadline = System.nanoTime() + DURABLE_TIMEOUT.toNanos();
        long durable;
        while ((durable = BenchContext.durableRecords(engine)) < tasks && System.nanoTime() - deadline < 0) {
            if (!quarters.isEmpty() && durable >= quarters.get(0)) {
                // Measured while the load goes on: the client's buffers are in these figures, not in the last one.
                heapByStored.put(Long.toString(quarters.remove(0)) + " (loading)", mib(BenchContext.heapAfterGc()));
            }
            BenchContext.sleep(20);
        }
        long storedAt = System.nanoTime();
        result.cpu = CpuMeter.Usage.between(before, ctx.cpu().snapshot());
        result.cpuItems = durable;
        Publisher.Outcome published = publishing.join();
        client.close();
        long heapAfter = BenchContext.heapAfterGc();
        heapByStored.put(Long.toString(tasks), mib(heapAfter));
        double storedPerSecond = durable / ((storedAt - start) / 1e9);
        result.headline = String.format(
                "%.0f MiB used heap after GC (%+.0f MiB); stored %s/s",
                mib(heapAfter), mib(heapAfter - heapBefore), ScenarioResult.number(storedPerSecond));
        result.figures.put("usedHeapAfterGcMiB", mib(heapAfter));
        result.figures.put("usedHeapBeforeLoadMiB", mib(heapBefore));
        result.figures.put("heapGrowthMiB", mib(heapAfter - heapBefore));
        result.figures.put("usedHeapAfterGcMiBByTasksStored", heapByStored);
        result.figures.put("tasksInMemoryAfterLoad", BenchContext.tasksInMemory(engine));
        result.figures.put("tasksStored", durable);
        result.figures.put("storedPerSecond", Math.round(storedPerSecond));
        result.figures.put("publishAcknowledgedPerSecond", Math.round(published.acknowledgedPerSecond()));
        result.figures.put("publishFailed", published.failed());
        result.figures.put("benchmarkJvmMaxHeapMiB", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        result.notes.add("heap is this whole JVM's (engine plus the benchmark's own bookkeeping, client closed)");
        if (durable < tasks || published.failed() > 0) {
            result.clean = false;
            result.notes.add("only " + durable + " of " + tasks + " tasks were durable after "
                    + DURABLE_TIMEOUT.toMinutes() + " min; " + published.failed() + " publications failed");
        }
    }

    /** Part 2a: stores the drain tasks, due a few seconds ahead; returns when the last of them is due. */
    private Instant storeDrainTasks(SchedulerEngine engine, String topic, ScenarioResult result) {
        BenchOptions o = ctx.options();
        long tasks = o.drainTasks();
        long alreadyDurable = BenchContext.durableRecords(engine);
        // Time to publish them and make them durable, with room to spare: 5 s plus 100 µs per task.
        Duration lead = Duration.ofSeconds(5).plusNanos(tasks * 100_000L);
        Instant due = Instant.now().plus(lead);
        result.settings.put("drainTasksDue", "spread over 1 s, " + lead.toMillis() + " ms after publishing began");
        try (SchedulerClient client = ctx.client(topic)) {
            new Publisher(client, o.inFlight())
                    .asFastAsPossible(
                            tasks,
                            i -> Task.of(
                                    ctx.orderingId(i),
                                    due.plusMillis(i * 1_000 / tasks),
                                    Executions.uniquenessKey("d", i),
                                    BenchContext.data(i)));
        }
        boolean durable = BenchContext.awaitCondition(
                DURABLE_TIMEOUT, () -> BenchContext.durableRecords(engine) >= alreadyDurable + tasks);
        if (!durable) {
            result.clean = false;
            result.notes.add("the drain tasks were not all durable after " + DURABLE_TIMEOUT.toMinutes() + " min");
        }
        return due.plusMillis(1_000);
    }

    /** Part 2b: a new engine drains the overdue tasks. */
    private void drainAfterRestart(
            String topic,
            String keyspace,
            EngineSettings settings,
            TaskExecutor executor,
            TaskListener listener,
            Executions drain,
            Executions future,
            long ranBefore,
            ScenarioResult result) {
        long tasks = ctx.options().drainTasks();
        CpuMeter.Snapshot before = ctx.cpu().snapshot();
        long start = System.nanoTime();
        SchedulerEngine second = ctx.startEngine(topic, keyspace, settings, executor, listener, false);
        try {
            long startReturned = System.nanoTime();
            List<Long> timeline = new ArrayList<>();
            ctx.awaitCount(drain::executed, tasks, start, timeline);
            // Drained when every outcome is durable too: the engine then holds no task in memory.
            boolean recorded =
                    BenchContext.awaitCondition(Duration.ofSeconds(60), () -> BenchContext.tasksInMemory(second) == 0);
            long recordedAt = System.nanoTime();
            result.cpu = CpuMeter.Usage.between(before, ctx.cpu().snapshot());
            BenchContext.settle();
            result.cpuItems = drain.executed() - ranBefore;
            double seconds = (drain.lastNanos() - drain.firstNanos()) / 1e9;
            double perSecond = drain.executed() > 1 && seconds > 0 ? (drain.executed() - 1) / seconds : 0;
            double fromStart = (drain.lastNanos() - start) / 1e9;
            result.headline = ScenarioResult.number(perSecond) + " executions/s; first "
                    + Math.round((drain.firstNanos() - start) / 1e6) + " ms after start()";
            result.figures.put("executionsPerSecond", Math.round(perSecond));
            result.figures.put("executionsPerSecondFromStart", Math.round(fromStart > 0 ? tasks / fromStart : 0));
            result.figures.put("allOutcomesDurableAfterStartMs", recorded ? (recordedAt - start) / 1e6 : null);
            result.figures.put("startCallMs", (startReturned - start) / 1e6);
            result.figures.put("firstExecutionAfterStartMs", (drain.firstNanos() - start) / 1e6);
            result.figures.put("lastExecutionAfterStartMs", (drain.lastNanos() - start) / 1e6);
            result.figures.put("executions", drain.executed());
            result.figures.put("ranBeforeRestart", ranBefore);
            result.figures.put("executedBySecondSinceStart", timeline);
            result.figures.put("latenessAtExecutor", ScenarioResult.percentiles(drain.lateness()));
            result.twiceNever(drain.ranTwice(), drain.neverRan());
            result.lateness(drain.lateness());
            result.notes.add("lateness here is how long the tasks were overdue when they ran, restart included");
        } finally {
            ctx.close(second, result);
        }
    }

    private static double mib(long bytes) {
        return Math.round(bytes / 1024.0 / 1024.0 * 10) / 10.0;
    }
}
