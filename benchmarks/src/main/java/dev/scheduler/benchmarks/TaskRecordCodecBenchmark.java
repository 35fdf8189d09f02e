package dev.scheduler.benchmarks;

import dev.scheduler.client.Task;
import dev.scheduler.client.wire.ScheduleTask;
import dev.scheduler.client.wire.TaskRecord;
import dev.scheduler.client.wire.TaskRecordCodec;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The wire codec: what the client pays per {@code scheduleTask} to encode a task, and the engine's poll thread per
 * record to decode it. {@code entries} is the number of task data entries (each a 12-character name and a
 * 40-character value); 1 is what the benchmark harness's tasks carry.
 *
 * <pre>
 * mvn -B -q install -DskipTests
 * mvn -B -q -Pjmh -pl benchmarks package
 * java -jar benchmarks/target/benchmarks.jar TaskRecordCodecBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TaskRecordCodecBenchmark {

    @Param({"0", "1", "10"})
    int entries;

    private ScheduleTask record;
    private byte[] encoded;

    @Setup
    public void setUp() {
        Map<String, String> data = new LinkedHashMap<>();
        for (int i = 0; i < entries; i++) {
            data.put(String.format("field-%06d", i), String.format("value-%034d", i));
        }
        record = new ScheduleTask(
                Task.of("order-1234567", Instant.parse("2026-11-27T05:20:37.123Z"), "reminder-42", data));
        encoded = TaskRecordCodec.encode(record);
    }

    @Benchmark
    public byte[] encode() {
        return TaskRecordCodec.encode(record);
    }

    @Benchmark
    public TaskRecord decode() {
        return TaskRecordCodec.decode(encoded);
    }
}
