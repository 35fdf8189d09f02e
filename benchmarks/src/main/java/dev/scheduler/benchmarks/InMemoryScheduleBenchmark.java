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
 * when they arrive or are loaded, and taken from with {@code pollFirstEntry} when due. {@code size} is the number of
 * waiting tasks: 1,000, or 50,000 (the default {@code maxTasksInMemoryPerPartition}).
 *
 * <ul>
 *   <li>{@code putThenPollFirst}: steady state, per task: the earliest task is taken and a new one, due one
 *       window later, put (a new {@link TaskKey} each time, as decoding a record makes one).</li>
 *   <li>{@code loadThenDrain}: per task, {@code size} tasks put into an empty schedule in random order, then all
 *       taken in order: a load of a batch of rows, then each fired when due.</li>
 * </ul>
 *
 * <pre>
 * mvn -B -q install -DskipTests
 * mvn -B -q -Pjmh -pl benchmarks package
 * java -jar benchmarks/target/benchmarks.jar InMemoryScheduleBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class InMemoryScheduleBenchmark {

    /** Scheduled times spread over this window; a re-put task moves one window later, behind every waiting one. */
    private static final long WINDOW_MS = 60_000;

    @Param({"1000", "50000"})
    int size;

    private TreeMap<TaskKey, Task> schedule;
    private TaskKey[] fresh;

    @Setup(Level.Iteration)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(7);
        TaskKey[] keys = TaskKeyOrderBenchmark.randomKeys(size * 2, false, (int) WINDOW_MS, random);
        schedule = new TreeMap<>();
        for (int i = 0; i < size; i++) {
            schedule.put(keys[i], Task.of(keys[i], Map.of()));
        }
        fresh = new TaskKey[size];
        System.arraycopy(keys, size, fresh, 0, size);
    }

    @Benchmark
    public TaskKey putThenPollFirst() {
        Map.Entry<TaskKey, Task> first = schedule.pollFirstEntry();
        TaskKey due = first.getKey();
        TaskKey later = TaskKey.of(due.orderingId(), due.scheduledTime().plusMillis(WINDOW_MS), due.uniquenessKey());
        schedule.put(later, first.getValue());
        return due;
    }

    /**
     * Per task: {@code size} tasks in random order put into an empty schedule (a load of that many rows), then all
     * taken in order with {@code pollFirstEntry} (each fired when due).
     */
    @Benchmark
    public int loadThenDrain() {
        TreeMap<TaskKey, Task> loaded = new TreeMap<>();
        for (TaskKey key : fresh) {
            loaded.put(key, Task.of(key, Map.of()));
        }
        int fired = 0;
        while (loaded.pollFirstEntry() != null) {
            fired++;
        }
        return fired;
    }
}
