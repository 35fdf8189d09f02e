package dev.scheduler.benchmarks;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The in-memory schedule as a partition's actor keeps it: a {@code TreeMap<TaskKey, ...>} that tasks are put into
 * when they arrive or are loaded, and taken from with {@code pollFirstEntry} when due.
 *
 * <ul>
 *   <li>{@code putThenPollFirst}: steady state, per task, with {@code size} tasks waiting (1,000, or 50,000, the
 *       default {@code maxTasksInMemoryPerPartition}): the earliest task is taken and a new one, due one window
 *       later, is put (a new {@link TaskKey} each time, as decoding a record makes one).</li>
 *   <li>{@code loadThenDrain}: per task, a load of 2,000 rows (the default {@code loadBatchSize}) put into an
 *       empty schedule in random order, then all taken in order, as each is fired when due.</li>
 * </ul>
 *
 * <pre>
 * mvn -B -q install -DskipTests
 * mvn -B -q -Pjmh -pl benchmarks package
 * java -jar benchmarks/target/benchmarks.jar InMemoryScheduleBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class InMemoryScheduleBenchmark {

    /** Scheduled times spread over this window; a re-put task moves one window later, behind every waiting one. */
    private static final long WINDOW_MS = 60_000;

    private static final int LOAD = 2_000;

    /** A schedule of {@code size} waiting tasks. */
    @State(Scope.Benchmark)
    public static class Waiting {
        @Param({"1000", "50000"})
        int size;

        TreeMap<TaskKey, Task> schedule;

        @Setup(Level.Iteration)
        public void setUp() {
            schedule = new TreeMap<>();
            for (TaskKey key :
                    TaskKeyOrderBenchmark.randomKeys(size, false, (int) WINDOW_MS, new SplittableRandom(7))) {
                schedule.put(key, Task.of(key, Map.of()));
            }
        }
    }

    /** The rows of one load, in random order. */
    @State(Scope.Benchmark)
    public static class Load {
        Task[] rows;

        @Setup
        public void setUp() {
            TaskKey[] keys = TaskKeyOrderBenchmark.randomKeys(LOAD, false, (int) WINDOW_MS, new SplittableRandom(11));
            rows = new Task[LOAD];
            for (int i = 0; i < LOAD; i++) {
                rows[i] = Task.of(keys[i], Map.of());
            }
        }
    }

    @Benchmark
    public TaskKey putThenPollFirst(Waiting waiting) {
        Map.Entry<TaskKey, Task> first = waiting.schedule.pollFirstEntry();
        TaskKey due = first.getKey();
        TaskKey later = TaskKey.of(due.orderingId(), due.scheduledTime().plusMillis(WINDOW_MS), due.uniquenessKey());
        waiting.schedule.put(later, first.getValue());
        return due;
    }

    @Benchmark
    @OperationsPerInvocation(LOAD)
    public int loadThenDrain(Load load) {
        TreeMap<TaskKey, Task> schedule = new TreeMap<>();
        for (Task row : load.rows) {
            schedule.put(row.key(), row);
        }
        int fired = 0;
        while (schedule.pollFirstEntry() != null) {
            fired++;
        }
        return fired;
    }
}
