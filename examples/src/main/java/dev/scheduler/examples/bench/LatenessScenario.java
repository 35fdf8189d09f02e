package dev.scheduler.examples.bench;

import dev.scheduler.client.SchedulerClient;
import dev.scheduler.client.Task;
import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.SchedulerEngine;
import java.time.Duration;
import java.time.Instant;

/**
 * Scenarios 3 and 4, lateness, and due-now: one engine in this JVM, running and idle; then a steady {@code rate}
 * tasks per second for {@code --duration}, each scheduled {@code --ahead} after the moment it is published (due-now:
 * at that moment, and the start is measured from Kafka's acknowledgement too), over
 * {@code --ordering-ids} ordering ids; a no-op executor. The figures are lateness percentiles (scheduled time to
 * executor start, HdrHistogram, microsecond resolution) of the tasks scheduled after the first {@code --warmup}
 * seconds, and how many tasks ran twice or never (all of them counted). Engine settings: the defaults (see
 * {@link BenchContext#engineSettings()}).
 */
final class LatenessScenario {

    private final BenchContext ctx;
    private final String scenario;
    private final double rate;
    private final String label;
    private final Duration ahead;

    /**
     * @param scenario "lateness" or "lateness-load"
     * @param rate tasks per second
     * @param label the table's name of the run
     */
    LatenessScenario(BenchContext ctx, String scenario, double rate, String label) {
        this(ctx, scenario, rate, label, ctx.options().ahead());
    }

    /** @param ahead how far ahead of its publication each task is due; zero for the due-now scenario */
    LatenessScenario(BenchContext ctx, String scenario, double rate, String label, Duration ahead) {
        this.ctx = ctx;
        this.scenario = scenario;
        this.rate = rate;
        this.label = label;
        this.ahead = ahead;
    }

    ScenarioResult run() {
        BenchOptions o = ctx.options();
        long tasks = Math.round(rate * o.duration().toNanos() / 1e9);
        ScenarioResult result = new ScenarioResult(scenario, label);
        String name = scenario.replace("-", "") + Math.round(rate);
        String topic = ctx.newTopic(name);
        String keyspace = ctx.keyspace(name);
        EngineSettings settings = BenchContext.engineSettings().build();
        result.settings.put("topic", topic);
        result.settings.put("keyspace", keyspace);
        result.settings.put("partitions", o.partitions());
        result.settings.put("ratePerSecond", rate);
        result.settings.put("durationSeconds", o.duration().toSeconds());
        result.settings.put("aheadSeconds", ahead.toSeconds());
        result.settings.put("warmupSeconds", o.warmup().toSeconds());
        result.settings.put("tasks", tasks);
        result.settings.put("orderingIds", o.orderingIds());
        result.settings.put("executor", "no-op TaskExecutor (records the start)");
        result.settings.put("engine", settings.toString());
        result.settings.put("client", ctx.clientSettings());

        Executions runs = new Executions("t", (int) tasks);
        boolean dueNow = ahead.isZero();
        if (dueNow) {
            runs.trackAcknowledgements();
        }
        SchedulerEngine engine = ctx.startEngine(
                topic, keyspace, settings, c -> runs.recordStart(c.key()), runs.dispatchListener(), true);
        try (SchedulerClient client = ctx.client(topic)) {
            Instant start = Instant.now();
            runs.steadyFrom(start.plus(o.warmup()).plus(ahead).toEpochMilli());
            CpuMeter.Snapshot before = ctx.cpu().snapshot();
            Publisher.Outcome published = new Publisher(
                            client, o.inFlight(), dueNow ? runs::recordAcknowledged : i -> {})
                    .atRate(
                            rate,
                            o.duration(),
                            i -> Task.of(
                                    ctx.orderingId(i),
                                    Instant.now().plus(ahead),
                                    runs.uniquenessKey(i),
                                    BenchContext.data(i)));
            long lastDueNanos = published.lastSendNanos() + ahead.toNanos();
            ctx.awaitCount(runs::executed, tasks, lastDueNanos);
            result.cpu = CpuMeter.Usage.between(before, ctx.cpu().snapshot());
            BenchContext.settle();
            result.cpuItems = runs.executed();

            result.headline =
                    ScenarioResult.number(rate) + " tasks/s for " + o.duration().toSeconds() + " s";
            if (published.sentPerSecond() < rate * 0.98) {
                result.headline += " (published only " + ScenarioResult.number(published.sentPerSecond()) + "/s)";
                result.notes.add("the publisher fell behind the requested rate");
            }
            result.figures.put("publishedPerSecond", Math.round(published.sentPerSecond()));
            result.figures.put("publishFailed", published.failed());
            result.figures.put("acknowledgedAfterCall", ScenarioResult.percentiles(published.acknowledgementMicros()));
            result.figures.put("executions", runs.executed());
            result.figures.put("startedBeforeScheduledTime", runs.early());
            result.figures.put("latenessAfterWarmup", ScenarioResult.percentiles(runs.steadyLateness()));
            result.figures.put("latenessAll", ScenarioResult.percentiles(runs.lateness()));
            result.figures.put("latenessAtDispatch", ScenarioResult.percentiles(runs.dispatchLateness()));
            result.lateness(runs.steadyLateness());
            if (dueNow) {
                result.figures.put(
                        "latenessSinceAcknowledgedAfterWarmup", ScenarioResult.percentiles(runs.sinceAcknowledged()));
                result.figures.put("startedBeforeAcknowledgementSeen", runs.startedBeforeAcknowledged());
                result.headline += "; from the acknowledgement: " + ScenarioResult.summary(runs.sinceAcknowledged())
                        + "; call to acknowledgement: " + ScenarioResult.summary(published.acknowledgementMicros());
                result.notes.add("lateness counts from the scheduled time, the scheduleTask call truncated to the "
                        + "millisecond (up to 1 ms more than from the call itself)");
            }
            result.twiceNever(runs.ranTwice(), runs.neverRan());
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
