package dev.scheduler.examples;

import dev.scheduler.engine.PartitionState;
import dev.scheduler.engine.SchedulerEngine;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What {@link IncidentNotifier} prints at the end: what happened, and whether each guarantee held. */
final class Summary {

    private final OnCallNotifier notifier;
    private final IncidentStream stream;
    private final List<SchedulerEngine> engines;
    private final String elapsed;
    private final List<String> failures = new ArrayList<>();

    Summary(OnCallNotifier notifier, IncidentStream stream, List<SchedulerEngine> engines, String elapsed) {
        this.notifier = notifier;
        this.stream = stream;
        this.engines = engines;
        this.elapsed = elapsed;
    }

    /** Prints the summary; true when every check passed. */
    boolean print(PrintStream out, boolean allRanInTime) {
        long expected = stream.scheduled() - stream.cancelled();
        long missing = notifier.missing();
        Lateness lateness = notifier.lateness();
        out.println();
        out.printf("Summary after %s%n", elapsed);
        out.printf("  incidents opened         %6d, %d acknowledged%n", stream.opened(), stream.acknowledged());
        out.printf("  tasks scheduled          %6d%n", stream.scheduled());
        check(out, "tasks run", notifier.runs(), "of " + expected + " expected",
                missing == 0 && allRanInTime, missing + " scheduled tasks never ran");
        check(out, "cancelled tasks run", notifier.problems("cancelled"), "of " + stream.cancelled()
                + " cancelled by acknowledgements", notifier.problems("cancelled") == 0,
                notifier.problems("cancelled") + " tasks ran although cancelled in time");
        check(out, "tasks run twice", notifier.problems("duplicate"), "", notifier.problems("duplicate") == 0,
                notifier.problems("duplicate") + " tasks ran twice");
        check(out, "tasks run early", notifier.problems("early"), "", notifier.problems("early") == 0,
                notifier.problems("early") + " tasks ran before their time");
        check(out, "ordering violations", notifier.problems("order"), notifier.heldBehindEarlierStep()
                        + " steps waited for an earlier step's retry", notifier.problems("order") == 0,
                notifier.problems("order") + " steps ran out of order or alongside another step");
        check(out, "unexpected tasks", notifier.problems("unexpected"), "", notifier.problems("unexpected") == 0,
                notifier.problems("unexpected") + " tasks ran that this run never scheduled");
        check(out, "publish failures", stream.publishFailures(), "", stream.publishFailures() == 0,
                stream.publishFailures() + " records were not published: " + stream.firstPublishFailure());
        out.printf("  retried                  %6d  after %d first pages failed on purpose%n", notifier.retries(),
                notifier.failuresInjected());
        out.printf("  lateness                 p50 %s, p99 %s, max %s; %d of %d tasks more than %d ms late%n",
                Lateness.format(lateness.percentile(50)), Lateness.format(lateness.percentile(99)),
                Lateness.format(lateness.max()), lateness.lateCount(), lateness.count(), Lateness.LATE.toMillis());
        List<String> byEngine = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, Long> e : notifier.runsByEngine().entrySet()) {
            List<Integer> partitions = i < engines.size()
                    ? engines.get(i).partitions().stream().map(PartitionState::partition).toList() : List.of();
            byEngine.add(e.getKey() + " ran " + e.getValue() + " (partitions " + partitions + ")");
            i++;
        }
        out.printf("  by engine                %s%n", String.join(", ", byEngine));
        if (!notifier.problemsShown().isEmpty()) {
            out.println("  first problems seen:");
            notifier.problemsShown().forEach(p -> out.println("    " + p));
        }
        if (failures.isEmpty()) {
            out.println("All checks passed.");
            return true;
        }
        out.println("FAILED: " + String.join("; ", failures));
        return false;
    }

    private void check(PrintStream out, String what, long count, String detail, boolean ok, String failure) {
        out.printf("  %-24s %6d  %-52s %s%n", what, count, detail, ok ? "ok" : "FAILED");
        if (!ok) {
            failures.add(failure);
        }
    }
}
