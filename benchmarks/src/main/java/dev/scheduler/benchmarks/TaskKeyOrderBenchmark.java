package dev.scheduler.benchmarks;

import dev.scheduler.client.TaskKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * {@link TaskKey#compareTo}: time, then ordering id, then uniqueness key, strings in UTF-8 byte order (code point
 * order, as Cassandra sorts them). Every in-memory schedule operation makes about log2(n) of these. The keys are
 * random and all due in the same millisecond, as in a burst, so that every comparison goes past the time to the
 * strings (ids share a 9-character prefix, then 4 to 12 random characters); {@code alphabet} {@code nonBmp} mixes
 * emoji and CJK into the ids, so that the surrogate branch runs. {@code stringCompareTo} is the baseline: the same
 * pairs of ordering ids with {@link String#compareTo}.
 *
 * <pre>
 * mvn -B -q install -DskipTests
 * mvn -B -q -Pjmh -pl benchmarks package
 * java -jar benchmarks/target/benchmarks.jar TaskKeyOrderBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TaskKeyOrderBenchmark {

    static final int KEYS = 4_096;

    @Param({"ascii", "nonBmp"})
    String alphabet;

    private TaskKey[] keys;

    @Setup
    public void setUp() {
        keys = randomKeys(KEYS, alphabet.equals("nonBmp"), 1, new SplittableRandom(42));
    }

    /** {@code count} random keys; ids of a shared prefix and 4 to 12 random characters. */
    static TaskKey[] randomKeys(int count, boolean nonBmp, int distinctMillis, SplittableRandom random) {
        String[] ascii = {"a", "b", "c", "x", "y", "z", "0", "1", "9", "-", "_"};
        String[] wide = {"a", "z", "0", "é", "ß", "中", "文", "\uE000", "\uFFFD", "😀", "🚀", "𝄞"};
        String[] alphabet = nonBmp ? wide : ascii;
        Instant base = Instant.parse("2026-11-27T05:20:00Z");
        TaskKey[] keys = new TaskKey[count];
        for (int i = 0; i < count; i++) {
            keys[i] = TaskKey.of(
                    "customer-" + word(alphabet, random),
                    base.plusMillis(random.nextInt(distinctMillis)),
                    "reminder-" + word(alphabet, random));
        }
        return keys;
    }

    private static String word(String[] alphabet, SplittableRandom random) {
        StringBuilder s = new StringBuilder();
        int length = 4 + random.nextInt(9);
        for (int i = 0; i < length; i++) {
            s.append(alphabet[random.nextInt(alphabet.length)]);
        }
        return s.toString();
    }

    @Benchmark
    @OperationsPerInvocation(KEYS)
    public int compareTo() {
        int sum = 0;
        TaskKey previous = keys[KEYS - 1];
        for (TaskKey key : keys) {
            sum += key.compareTo(previous);
            previous = key;
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(KEYS)
    public int stringCompareTo() {
        int sum = 0;
        TaskKey previous = keys[KEYS - 1];
        for (TaskKey key : keys) {
            sum += key.orderingId().compareTo(previous.orderingId());
            previous = key;
        }
        return sum;
    }

    /** Sorting the 4,096 keys, per key: what a load of a batch of rows into the schedule costs in comparisons. */
    @Benchmark
    @OperationsPerInvocation(KEYS)
    public TaskKey[] sort() {
        TaskKey[] copy = keys.clone();
        Arrays.sort(copy);
        return copy;
    }
}
