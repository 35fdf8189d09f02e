package dev.scheduler.examples;

import dev.scheduler.engine.PartitionState;
import dev.scheduler.engine.SchedulerEngine;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What {@link IncidentNotifier} prints at the end: what happened, and whether each guarantee held. */
final class Summary {

    private static final int MAX_PROBLEMS_SHOWN = 10;

    private final OnCallNotifier notifier;
    private final IncidentStream stream;
    private final Map<String, SchedulerEngine> running;
    private final Failover failover;
    private final String elapsed;
    private final List<String> failures = new ArrayList<>();

    /**
     * @param running the engines running at the end, by name
     * @param failover the failover, finished, or null when it was turned off
     */
    Summary(
            OnCallNotifier notifier,
            IncidentStream stream,
            Map<String, SchedulerEngine> running,
            Failover failover,
            String elapsed) {
        this.notifier = notifier;
        this.stream = stream;
        this.running = running;
        this.failover = failover;
        this.elapsed = elapsed;
    }

    /** Prints the summary; true when every check passed. */
    boolean print(PrintStream out, boolean allRanInTime) {
        long expected = stream.scheduled() - stream.cancelled();
        long missing = notifier.missing();
        Lateness lateness = notifier.lateness();
        List<Failover.Window> moving = failover == null ? List.of() : failover.windows();
        List<Incident.CancelledRun> cancelledRuns = notifier.cancelledRuns();
        List<Incident.CancelledRun> shouldHaveWon = cancelledRuns.stream()
                .filter(r -> r.shouldHaveWon(IncidentStream.CANCEL_LEAD, moving))
                .toList();
        long overtaken = cancelledRuns.size() - shouldHaveWon.size();
        out.println();
        out.printf("Summary after %s%n", elapsed);
        out.printf("  incidents opened         %6d, %d acknowledged%n", stream.opened(), stream.acknowledged());
        out.printf("  tasks scheduled          %6d%n", stream.scheduled());
        check(
                out,
                "tasks run",
                notifier.runs() - notifier.runsOfCancelled(),
                "of " + expected + " expected",
                missing == 0 && allRanInTime,
                missing + " scheduled tasks never ran");
        check(
                out,
                "cancelled tasks run",
                shouldHaveWon.size(),
                "of " + (stream.cancelled() - overtaken) + " cancelled in time",
                shouldHaveWon.isEmpty(),
                shouldHaveWon.size() + " tasks ran although cancelled in time");
        if (overtaken > 0) {
            out.printf(
                    "  cancels overtaken        %6d  by their task: published late or while partitions moved;"
                            + " allowed%n",
                    overtaken);
        }
        check(
                out,
                "tasks run twice",
                notifier.problems("duplicate"),
                "",
                notifier.problems("duplicate") == 0,
                notifier.problems("duplicate") + " tasks ran twice");
        check(
                out,
                "tasks run early",
                notifier.problems("early"),
                "",
                notifier.problems("early") == 0,
                notifier.problems("early") + " tasks ran before their time");
        check(
                out,
                "ordering violations",
                notifier.problems("order"),
                notifier.heldBehindEarlierStep() + " steps waited for an earlier step's retry",
                notifier.problems("order") == 0,
                notifier.problems("order") + " steps ran out of order or alongside another step");
        check(
                out,
                "unexpected tasks",
                notifier.problems("unexpected"),
                "",
                notifier.problems("unexpected") == 0,
                notifier.problems("unexpected") + " tasks ran that this run never scheduled");
        check(
                out,
                "publish failures",
                stream.publishFailures(),
                "",
                stream.publishFailures() == 0,
                stream.publishFailures() + " records were not published: " + stream.firstPublishFailure());
        out.printf(
                "  retried                  %6d  after %d first pages failed on purpose%n",
                notifier.retries(), notifier.failuresInjected());
        out.printf(
                "  lateness                 p50 %s, p99 %s, max %s; %d of %d tasks more than %d ms late%n",
                Lateness.format(lateness.percentile(50)),
                Lateness.format(lateness.percentile(99)),
                Lateness.format(lateness.max()),
                lateness.lateCount(),
                lateness.count(),
                Lateness.LATE.toMillis());
        if (!lateness.worst().isEmpty()) {
            out.printf("  latest starts            %s%n", String.join("; ", lateness.worst()));
        }
        if (failover != null) {
            printFailover(out, failover.result());
        }
        List<String> byEngine = new ArrayList<>();
        for (Map.Entry<String, Long> e : notifier.runsByEngine().entrySet()) {
            SchedulerEngine engine = running.get(e.getKey());
            String partitions = engine == null
                    ? "stopped"
                    : "partitions "
                            + engine.partitions().stream()
                                    .map(PartitionState::partition)
                                    .toList();
            byEngine.add(e.getKey() + " ran " + e.getValue() + " (" + partitions + ")");
        }
        out.printf("  by engine                %s%n", String.join(", ", byEngine));
        List<String> problems = new ArrayList<>(notifier.problemsShown());
        shouldHaveWon.stream().limit(MAX_PROBLEMS_SHOWN).forEach(r -> problems.add(r.describe()));
        if (!problems.isEmpty()) {
            out.println("  first problems seen:");
            problems.stream().limit(MAX_PROBLEMS_SHOWN).forEach(p -> out.println("    " + p));
        }
        if (failures.isEmpty()) {
            out.println("All checks passed.");
            return true;
        }
        out.println("FAILED: " + String.join("; ", failures));
        return false;
    }

    private void printFailover(PrintStream out, Failover.Result failover) {
        boolean handedOver = failover.handoverNanos() >= 0;
        String detail = handedOver
                ? Failover.STOPS + " -> " + Failover.STAYS + " in " + Failover.seconds(failover.handoverNanos())
                        + (failover.spreadBackNanos() >= 0
                                ? ", back in " + Failover.seconds(failover.spreadBackNanos())
                                : "")
                : "not handed over";
        check(
                out,
                "partitions handed over",
                failover.moved(),
                detail,
                handedOver && failover.failure() == null,
                "failover: " + failover.failure());
        if (failover.stoppedAtNanos() >= 0) {
            out.printf(
                    "  failover                 %s stopped at %d s (close() took %s), %s%n",
                    Failover.STOPS,
                    failover.stoppedAtNanos() / 1_000_000_000,
                    failover.closeNanos() < 0 ? "too long" : Failover.seconds(failover.closeNanos()),
                    failover.restartedAtNanos() >= 0
                            ? "started again at " + failover.restartedAtNanos() / 1_000_000_000 + " s"
                            : "not started again");
        }
    }

    private void check(PrintStream out, String what, long count, String detail, boolean ok, String failure) {
        out.printf("  %-24s %6d  %-52s %s%n", what, count, detail, ok ? "ok" : "FAILED");
        if (!ok) {
            failures.add(failure);
        }
    }
}
