package dev.scheduler.examples.bench;

import dev.scheduler.client.SchedulerClient;
import dev.scheduler.client.Task;
import dev.scheduler.client.wire.ScheduleTask;
import dev.scheduler.client.wire.TaskRecordCodec;
import java.time.Duration;
import java.time.Instant;

/**
 * Scenario 1, ingest: {@code --tasks} {@code scheduleTask} calls from one client and one thread, with up to
 * {@code --in-flight} unacknowledged, on a topic no engine consumes. The figure is calls acknowledged by Kafka
 * per second, from the first call to the last acknowledgement. Tasks are due in an hour or more, spread over an
 * hour, with {@code --ordering-ids} ordering ids. A warm-up of a tenth of the tasks (at most 20,000) on the same
 * client comes first and is not counted.
 */
final class IngestScenario {

    private final BenchContext ctx;

    IngestScenario(BenchContext ctx) {
        this.ctx = ctx;
    }

    ScenarioResult run() {
        int tasks = ctx.options().tasks();
        ScenarioResult result = new ScenarioResult("ingest", "ingest (" + String.format("%,d", tasks) + " tasks)");
        String topic = ctx.newTopic("ingest");
        Instant base = Instant.now().plus(Duration.ofHours(1));
        result.settings.put("topic", topic);
        result.settings.put("partitions", ctx.options().partitions());
        result.settings.put("tasks", tasks);
        result.settings.put("orderingIds", ctx.options().orderingIds());
        result.settings.put("maxInFlight", ctx.options().inFlight());
        result.settings.put("client", ctx.clientSettings());
        result.settings.put("encodedRecordBytes", TaskRecordCodec.encode(new ScheduleTask(task(base, 123_456))).length);
        try (SchedulerClient client = ctx.client(topic)) {
            int warmup = Math.min(20_000, Math.max(1, tasks / 10));
            new Publisher(client, ctx.options().inFlight()).asFastAsPossible(warmup, i -> task(base, -1 - i));
            result.settings.put("warmupTasks", warmup);

            CpuMeter.Snapshot before = ctx.cpu().snapshot();
            Publisher.Outcome outcome =
                    new Publisher(client, ctx.options().inFlight()).asFastAsPossible(tasks, i -> task(base, i));
            result.cpu = CpuMeter.Usage.between(before, ctx.cpu().snapshot());
            result.cpuItems = outcome.acknowledged();

            double perSecond = outcome.acknowledgedPerSecond();
            result.headline = ScenarioResult.number(perSecond) + " acks/s";
            result.figures.put("acknowledgedPerSecond", Math.round(perSecond));
            result.figures.put("callsPerSecond", Math.round(outcome.sentPerSecond()));
            result.figures.put("acknowledged", outcome.acknowledged());
            result.figures.put("failed", outcome.failed());
            result.figures.put("seconds", (outcome.lastAckNanos() - outcome.firstSendNanos()) / 1e9);
            if (outcome.failed() > 0) {
                result.clean = false;
                result.notes.add(outcome.failed() + " calls failed, the first with " + outcome.firstFailure());
            }
        }
        return result;
    }

    private Task task(Instant base, long number) {
        // Spread over an hour of scheduled times, so that records look like a real day's.
        Instant time = base.plusMillis(Math.floorMod(number * 7_919, 3_600_000L));
        return Task.of(
                ctx.orderingId(Math.abs(number)),
                time,
                Executions.uniquenessKey(number < 0 ? "w" : "t", Math.abs(number)),
                BenchContext.data(number));
    }
}
