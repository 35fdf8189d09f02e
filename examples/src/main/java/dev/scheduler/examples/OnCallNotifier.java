package dev.scheduler.examples;

import dev.scheduler.engine.TaskContext;
import dev.scheduler.engine.TaskExecutor;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * The {@link TaskExecutor} of the example: "pages" whoever an escalation step names, and checks, as it goes, what
 * the engine promises: a task runs once, not before its time, one at a time per incident and in step order, never
 * after a timely cancel. For some incidents the first page fails, to show a retry. Thread-safe.
 */
final class OnCallNotifier {

    private static final int MAX_PROBLEMS_SHOWN = 10;

    private final Map<String, Incident> incidents = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> runsByEngine = new ConcurrentHashMap<>();
    private final Lateness lateness = new Lateness();
    private final LongAdder runs = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder failuresInjected = new LongAdder();
    private final LongAdder heldBehindEarlierStep = new LongAdder();
    private final LongAdder early = new LongAdder();
    private final LongAdder runsOfCancelled = new LongAdder();
    private final List<Incident.CancelledRun> cancelledRuns = new ArrayList<>();
    private final Map<String, LongAdder> problemCounts = new ConcurrentHashMap<>();
    private final List<String> problemsShown = new ArrayList<>();

    /** Registers an incident before its tasks are published, so that its steps are recognised when they run. */
    void track(Incident incident) {
        incidents.put(incident.id(), incident);
    }

    /** The executor one engine runs; {@code engineName} only labels the runs it makes. */
    TaskExecutor executorFor(String engineName) {
        LongAdder engineRuns = runsByEngine.computeIfAbsent(engineName, n -> new LongAdder());
        return context -> page(context, engineName, engineRuns);
    }

    private void page(TaskContext context, String engineName, LongAdder engineRuns)
            throws IOException, InterruptedException {
        Instant startedAt = Instant.now();
        Incident incident = incidents.get(context.key().orderingId());
        int step = incident == null ? -1 : incident.stepOf(context.key());
        if (step < 0) {
            problem("unexpected:" + context.key() + " is not a task of this run");
            return;
        }
        Incident.Start start =
                incident.start(step, context.attempt(), startedAt, engineName + " partition " + context.partition());
        start.problems().forEach(this::problem);
        if (start.cancelledRun() != null) {
            synchronized (cancelledRuns) {
                cancelledRuns.add(start.cancelledRun());
            }
        }
        if (context.attempt() == 1) {
            if (startedAt.isBefore(context.key().scheduledTime())) {
                early.increment();
                problem("early:" + context.key() + " started "
                        + Duration.between(startedAt, context.key().scheduledTime())
                                .toMillis() + " ms before its time");
            }
            lateness.record(
                    Duration.between(start.freeToRunAt(), startedAt), engineName + " partition " + context.partition());
            if (start.heldBehindEarlierStep()) {
                heldBehindEarlierStep.increment();
            }
        } else {
            retries.increment();
        }
        // The call to the paging provider.
        Thread.sleep(ThreadLocalRandom.current().nextInt(1, 5));
        if (incident.flaky() && step == 0 && context.attempt() == 1) {
            failuresInjected.increment();
            incident.failed(step);
            throw new IOException("paging provider timed out (a failure the example injects)");
        }
        incident.succeeded(step, Instant.now());
        runs.increment();
        if (start.cancelledRun() != null) {
            runsOfCancelled.increment();
        }
        engineRuns.increment();
    }

    private void problem(String kindAndMessage) {
        int colon = kindAndMessage.indexOf(':');
        problemCounts
                .computeIfAbsent(kindAndMessage.substring(0, colon), k -> new LongAdder())
                .increment();
        synchronized (problemsShown) {
            if (problemsShown.size() < MAX_PROBLEMS_SHOWN) {
                problemsShown.add(kindAndMessage.substring(colon + 1));
            }
        }
    }

    /** Tasks run successfully, each counted once. */
    long runs() {
        return runs.sum();
    }

    /** Of {@link #runs()}, those of tasks that were cancelled. */
    long runsOfCancelled() {
        return runsOfCancelled.sum();
    }

    /** Attempts that started although their task was cancelled. */
    List<Incident.CancelledRun> cancelledRuns() {
        synchronized (cancelledRuns) {
            return List.copyOf(cancelledRuns);
        }
    }

    /** Attempts after a failed one. */
    long retries() {
        return retries.sum();
    }

    long failuresInjected() {
        return failuresInjected.sum();
    }

    long heldBehindEarlierStep() {
        return heldBehindEarlierStep.sum();
    }

    Lateness lateness() {
        return lateness;
    }

    /**
     * How many problems of a kind were seen: {@code duplicate}, {@code order}, {@code early} or {@code unexpected}.
     * Cancelled tasks that ran are in {@link #cancelledRuns()}.
     */
    long problems(String kind) {
        LongAdder n = problemCounts.get(kind);
        return n == null ? 0 : n.sum();
    }

    /** The first few problems, described. */
    List<String> problemsShown() {
        synchronized (problemsShown) {
            return List.copyOf(problemsShown);
        }
    }

    /** Published, not cancelled and not run, over every incident. */
    long missing() {
        return incidents.values().stream().mapToLong(Incident::missing).sum();
    }

    /** Runs by engine name, sorted by name. */
    Map<String, Long> runsByEngine() {
        Map<String, Long> result = new TreeMap<>();
        runsByEngine.forEach((name, n) -> result.put(name, n.sum()));
        return result;
    }
}
