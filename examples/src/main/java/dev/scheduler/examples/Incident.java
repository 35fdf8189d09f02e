package dev.scheduler.examples;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One incident and its escalation: step 1 pages the primary on-call engineer {@code delay} after the incident
 * opened, step 2 the secondary one {@link #STEP_SPACING} later, step 3 the engineering manager after that. All
 * three are tasks with the incident id as ordering id, so the engine runs them one at a time, in order.
 *
 * <p>Also what the example saw happen to each step, to check the engine's guarantees. Thread-safe: the engine's
 * executor threads and the thread acknowledging incidents both update it.
 */
final class Incident {

    static final Duration STEP_SPACING = Duration.ofSeconds(1);
    static final List<String> RECIPIENTS = List.of("primary on-call", "secondary on-call", "engineering manager");
    private static final List<String> SERVICES = List.of("checkout", "search", "payments", "login", "billing");

    private final String id;
    private final List<Task> steps;
    private final boolean flaky;
    private final boolean[] published;
    private final boolean[] cancelled;
    private final Instant[] cancelOnTopicAt;
    private final boolean[] succeeded;
    private final int[] attemptsSeen;
    private int running = -1;
    private Instant lastSuccessAt = Instant.MIN;

    /**
     * @param flaky whether the first attempt of step 1 fails, to show a retry (which also holds steps 2 and 3
     *     back until it succeeds)
     */
    Incident(String id, Instant openedAt, Duration delay, boolean flaky, int serviceIndex) {
        this.id = id;
        this.flaky = flaky;
        List<Task> tasks = new ArrayList<>();
        for (int step = 0; step < RECIPIENTS.size(); step++) {
            Instant due = openedAt.plus(delay).plus(STEP_SPACING.multipliedBy(step));
            tasks.add(Task.of(
                    id,
                    due,
                    "step-" + (step + 1),
                    Map.of(
                            "step", Integer.toString(step + 1),
                            "notify", RECIPIENTS.get(step),
                            "service", SERVICES.get(Math.floorMod(serviceIndex, SERVICES.size())),
                            "summary", "error rate above 5% for 2 minutes")));
        }
        this.steps = List.copyOf(tasks);
        this.published = new boolean[tasks.size()];
        this.cancelled = new boolean[tasks.size()];
        this.cancelOnTopicAt = new Instant[tasks.size()];
        this.succeeded = new boolean[tasks.size()];
        this.attemptsSeen = new int[tasks.size()];
    }

    String id() {
        return id;
    }

    List<Task> steps() {
        return steps;
    }

    boolean flaky() {
        return flaky;
    }

    /** The step (0-based) a task key of this incident names, or -1. */
    int stepOf(TaskKey key) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).key().equals(key)) {
                return i;
            }
        }
        return -1;
    }

    synchronized void published(int step) {
        published[step] = true;
    }

    /**
     * The incident was acknowledged at {@code now}: marks as cancelled, and returns, the steps due at least
     * {@code lead} from now. Later steps are left to run: a cancel published just before a task's time may lose
     * the race with it, which the engine allows (a cancel wins only if it is stored before the task starts).
     */
    synchronized List<TaskKey> acknowledge(Instant now, Duration lead) {
        List<TaskKey> keys = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            TaskKey key = steps.get(i).key();
            if (attemptsSeen[i] == 0 && !key.scheduledTime().isBefore(now.plus(lead))) {
                cancelled[i] = true;
                keys.add(key);
            }
        }
        return keys;
    }

    /** Kafka acknowledged the cancel of {@code key} at {@code at}. */
    synchronized void cancelOnTopic(TaskKey key, Instant at) {
        int step = stepOf(key);
        if (step >= 0) {
            cancelOnTopicAt[step] = at;
        }
    }

    /**
     * An attempt of {@code step} is starting at {@code at}, on {@code where} (an engine and a partition, to
     * describe a problem). Returns what is wrong with that (empty when nothing), and the instant the step became
     * free to run: its time, or later if an earlier step finished after it.
     */
    synchronized Start start(int step, int attempt, Instant at, String where) {
        List<String> problems = new ArrayList<>();
        String name = steps.get(step).key().toString();
        CancelledRun cancelledRun = cancelled[step] ? new CancelledRun(name, where, cancelOnTopicAt[step], at) : null;
        if (succeeded[step] || attempt <= attemptsSeen[step]) {
            problems.add("duplicate:" + name + " attempt " + attempt + " ran twice");
        }
        if (running >= 0) {
            problems.add("order:" + name + " started while step " + (running + 1) + " of the same incident ran");
        }
        for (int earlier = 0; earlier < step; earlier++) {
            if (!succeeded[earlier] && !cancelled[earlier]) {
                problems.add("order:" + name + " started before step " + (earlier + 1) + " had run");
            }
        }
        attemptsSeen[step] = Math.max(attemptsSeen[step], attempt);
        running = step;
        Instant due = steps.get(step).key().scheduledTime();
        return new Start(
                problems, lastSuccessAt.isAfter(due) ? lastSuccessAt : due, lastSuccessAt.isAfter(due), cancelledRun);
    }

    /**
     * What {@link #start} found.
     *
     * @param cancelledRun set when the step was cancelled; whether that cancel should have won is decided at the
     *     end, once the failover's windows are known
     */
    record Start(
            List<String> problems, Instant freeToRunAt, boolean heldBehindEarlierStep, CancelledRun cancelledRun) {}

    /**
     * A step that started although its incident was acknowledged in time to cancel it.
     *
     * @param cancelOnTopicAt when Kafka acknowledged the cancel, or null if it had not yet when the step started
     */
    record CancelledRun(String task, String where, Instant cancelOnTopicAt, Instant startedAt) {

        /**
         * Whether the cancel should have won: it was on the topic at least {@code lead} before the step started,
         * and no partition moved meanwhile. The engine promises only that a cancel stored before the start wins;
         * on a steady cluster a cancel is stored within milliseconds, but while partitions move, their records
         * wait on the topic until the new owner has caught up.
         */
        boolean shouldHaveWon(Duration lead, List<Failover.Window> partitionsMoving) {
            if (cancelOnTopicAt == null || cancelOnTopicAt.plus(lead).isAfter(startedAt)) {
                return false;
            }
            return partitionsMoving.stream().noneMatch(w -> w.overlaps(cancelOnTopicAt, startedAt));
        }

        String describe() {
            return task + " ran on " + where + " although its cancel was on the topic "
                    + Duration.between(cancelOnTopicAt, startedAt).toMillis() + " ms before";
        }
    }

    synchronized void failed(int step) {
        if (running == step) {
            running = -1;
        }
    }

    synchronized void succeeded(int step, Instant at) {
        if (running == step) {
            running = -1;
        }
        succeeded[step] = true;
        lastSuccessAt = at;
    }

    /** Steps published, not cancelled, and not run (yet). */
    synchronized int missing() {
        int n = 0;
        for (int i = 0; i < steps.size(); i++) {
            if (published[i] && !cancelled[i] && !succeeded[i]) {
                n++;
            }
        }
        return n;
    }
}
