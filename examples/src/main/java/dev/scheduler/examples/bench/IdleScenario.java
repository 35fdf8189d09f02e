package dev.scheduler.examples.bench;

import dev.scheduler.engine.SchedulerEngine;
import dev.scheduler.engine.TaskListener;
import java.time.Duration;
import java.util.List;

/**
 * Idle cost: what an engine that owns every partition and has nothing due costs, with its lease renewals,
 * heartbeats, load ticks and Kafka polls. Two windows of {@code --duration} each (at most a minute): first the
 * servers and this JVM with no engine at all, the baseline; then the same with one started engine, measured
 * once it has settled for {@link #SETTLE} after owning every partition. The row shows the second window; the
 * figures hold both and the difference, which is the engine's cost.
 */
final class IdleScenario {

    /** After the engine owns every partition: its start (claims, first loads, the group's rebalance) is over. */
    static final Duration SETTLE = Duration.ofSeconds(10);

    private final BenchContext ctx;

    IdleScenario(BenchContext ctx) {
        this.ctx = ctx;
    }

    List<ScenarioResult> run() {
        BenchOptions o = ctx.options();
        Duration window = o.duration().compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : o.duration();
        ScenarioResult baseline = new ScenarioResult("idle-baseline", "idle: servers, no engine");
        ScenarioResult idle =
                new ScenarioResult("idle", "idle: engine with " + o.partitions() + " partitions, nothing due");
        CpuMeter.Snapshot before = ctx.cpu().snapshot();
        BenchContext.sleep(window.toMillis());
        baseline.cpu = CpuMeter.Usage.between(before, ctx.cpu().snapshot());
        baseline.headline = "for " + window.toSeconds() + " s";

        String topic = ctx.newTopic("idle");
        String keyspace = ctx.keyspace("idle");
        var settings = BenchContext.engineSettings().build();
        idle.settings.put("topic", topic);
        idle.settings.put("keyspace", keyspace);
        idle.settings.put("partitions", o.partitions());
        idle.settings.put("windowSeconds", window.toSeconds());
        idle.settings.put("settleSeconds", SETTLE.toSeconds());
        idle.settings.put("engine", settings.toString());
        SchedulerEngine engine = ctx.startEngine(topic, keyspace, settings, c -> {}, new TaskListener() {}, true);
        try {
            BenchContext.sleep(SETTLE.toMillis());
            CpuMeter.Snapshot from = ctx.cpu().snapshot();
            BenchContext.sleep(window.toMillis());
            idle.cpu = CpuMeter.Usage.between(from, ctx.cpu().snapshot());
            CpuMeter.Usage base = baseline.cpu;
            double engineCores = idle.cpu.engine() - base.engine();
            double cassandraCores = idle.cpu.cassandra() - base.cassandra();
            double kafkaCores = idle.cpu.kafka() - base.kafka();
            idle.headline = String.format(
                    "engine +%.3f core, Cassandra +%.3f, Kafka +%.3f over the baseline (%.3f / %.3f / %.3f)",
                    engineCores, cassandraCores, kafkaCores, base.engine(), base.cassandra(), base.kafka());
            idle.figures.put("engineJvmCoresAboveBaseline", round(engineCores));
            idle.figures.put("cassandraCoresAboveBaseline", round(cassandraCores));
            idle.figures.put("kafkaCoresAboveBaseline", round(kafkaCores));
            idle.figures.put("baseline", base.toJson());
            if (idle.cpu.other() > 0.1 || base.other() > 0.1) {
                idle.notes.add(String.format(
                        "other work took %.2f / %.2f core during the windows: the difference is less certain",
                        base.other(), idle.cpu.other()));
            }
        } finally {
            ctx.close(engine, idle);
        }
        return List.of(baseline, idle);
    }

    private static double round(double d) {
        return Math.round(d * 1000) / 1000.0;
    }
}
