package dev.scheduler.examples.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * The benchmark harness: runs the scenarios of issue 7 against real Kafka and Cassandra and prints one table row
 * per run, writing a JSON file per run (machine, versions, settings, figures) to {@code --out}.
 *
 * <pre>
 * mvn -B -q install -DskipTests
 * mvn -B -q -pl examples exec:exec -Pbench -Dbench.args="--scenario all"
 * </pre>
 *
 * <p>By default it forks a Kafka broker and a Cassandra node on this machine, each in a JVM of its own, so that
 * the CPU time of each can be read from {@code /proc}; the engines and the client run in this JVM, whose heap is
 * what the backlog scenario measures. {@code --kafka}, {@code --cassandra} and {@code --datacenter} use existing
 * clusters instead. Every scenario gets a topic and a keyspace of its own. {@code --help} lists the options;
 * {@code docs/performance.md} explains the scenarios and holds the figures.
 *
 * <p>Exit status: 0 when every run was clean (no failure, no task run twice or never), 1 otherwise, 2 for a bad
 * command line.
 */
public final class Benchmark {

    private final BenchOptions options;
    private final PrintStream out = System.out;
    private final String runId = LocalDateTime.now(ZoneOffset.UTC)
            .format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss"))
            .toLowerCase();
    private final List<ScenarioResult> results = new ArrayList<>();
    private final String[] args;

    private Benchmark(BenchOptions options, String[] args) {
        this.options = options;
        this.args = args.clone();
    }

    public static void main(String[] args) {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (dev.scheduler.examples.FlagValues.UsageException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println();
            System.err.println(BenchOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.println(BenchOptions.USAGE);
            System.exit(0);
        }
        int status;
        try {
            status = new Benchmark(options, args).run();
        } catch (RuntimeException e) {
            System.err.println("error: " + e.getMessage());
            e.printStackTrace();
            status = 1;
        }
        System.exit(status); // Kafka and Pekko may leave non-daemon threads behind
    }

    private int run() {
        Path outDir = options.out().toAbsolutePath();
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + outDir, e);
        }
        Map<String, Object> machine = Machine.describe();
        out.printf(
                "Benchmark run %s: %s cores, %s MiB, %s; %s; load average %.2f%n",
                runId,
                machine.get("cores"),
                machine.get("memoryMiB"),
                machine.get("java"),
                machine.get("os"),
                CpuMeter.loadAverage());
        out.println("Scenarios: " + String.join(", ", options.scenarios()));
        try (Infrastructure infrastructure = Infrastructure.start(options, out)) {
            BenchContext ctx = new BenchContext(options, infrastructure, runId, out);
            Map<String, Object> common = new LinkedHashMap<>();
            common.put("runId", runId);
            common.put("date", ZonedDateTime.now(ZoneOffset.UTC).toString());
            common.put("arguments", List.of(args));
            common.put("machine", machine);
            common.put("versions", Machine.versions(infrastructure.cassandraVersion()));
            common.put("infrastructure", describe(infrastructure));
            warmUp(ctx);
            ThroughputScenario throughput = null;
            for (String scenario : options.scenarios()) {
                double quiet = ctx.quiesce();
                double load = CpuMeter.loadAverage();
                out.printf(
                        "%n== %s (load average %.2f; waited %.0f s for the servers to go quiet)%n",
                        scenario, load, quiet);
                Recording recording = startRecording();
                List<ScenarioResult> produced = new ArrayList<>();
                try {
                    switch (scenario) {
                        case "ingest" -> produced.add(new IngestScenario(ctx).run());
                        case "throughput" -> {
                            throughput = new ThroughputScenario(ctx, "throughput", options.tasks());
                            produced.add(throughput.run());
                        }
                        case "lateness" ->
                            produced.add(new LatenessScenario(
                                            ctx,
                                            "lateness",
                                            options.rate(),
                                            "lateness @ " + ScenarioResult.number(options.rate()) + "/s")
                                    .run());
                        case "lateness-load" -> produced.addAll(underLoad(ctx, throughput));
                        case "due-now" ->
                            produced.add(new LatenessScenario(
                                            ctx,
                                            "due-now",
                                            options.rate(),
                                            "due now @ " + ScenarioResult.number(options.rate()) + "/s",
                                            Duration.ZERO)
                                    .run());
                        case "hot-id" -> produced.add(new HotOrderingIdScenario(ctx).run());
                        case "scaling" -> produced.addAll(scaling(infrastructure));
                        case "backlog" -> produced.addAll(new BacklogScenario(ctx).run());
                        case "store" -> produced.addAll(new StoreCostScenario(ctx).run());
                        case "store-rate" -> produced.addAll(new StoreRateScenario(ctx).run());
                        case "idle" -> produced.addAll(new IdleScenario(ctx).run());
                        default -> throw new IllegalArgumentException(scenario);
                    }
                } catch (RuntimeException e) {
                    ScenarioResult failed = new ScenarioResult(scenario, scenario);
                    failed.failed(e);
                    produced.add(failed);
                    e.printStackTrace(out);
                } finally {
                    stopRecording(recording, outDir.resolve(runId + "-" + scenario + ".jfr"));
                }
                for (ScenarioResult r : produced) {
                    Map<String, Object> json = new LinkedHashMap<>(common);
                    json.put("loadAverageAtStart", load);
                    results.add(r);
                    Path file = outDir.resolve(String.format("%s-%02d-%s.json", runId, results.size(), r.scenario));
                    write(file, Json.write(r.toJson(json)));
                    out.println(ScenarioResult.HEADER);
                    out.println(ScenarioResult.RULE);
                    out.println(r.row());
                    r.notes.forEach(n -> out.println("  note: " + n));
                    out.println("  " + file);
                }
            }
        }
        writeCharts(outDir);
        String table = table();
        out.println();
        out.println(table);
        Path tableFile = outDir.resolve(runId + "-table.md");
        write(tableFile, table);
        out.println("Written to " + tableFile.getParent());
        return results.stream().allMatch(r -> r.clean) ? 0 : 1;
    }

    /**
     * Runs {@code --warmup-tasks} tasks through an engine, unreported, so that the JIT compilers of this JVM, Kafka
     * and Cassandra have compiled the hot paths before anything is measured.
     */
    private void warmUp(BenchContext ctx) {
        if (options.warmupTasks() == 0) {
            return;
        }
        out.printf("%n== warm-up: %,d tasks through an engine, not reported%n", options.warmupTasks());
        ScenarioResult r = new ThroughputScenario(ctx, "warmup", options.warmupTasks()).run();
        out.println("  " + r.headline + (r.clean ? "" : " (not clean: " + r.notes + ")"));
    }

    /** Scenario 4: lateness at 50 % and 80 % of the measured (or given) throughput. */
    private List<ScenarioResult> underLoad(BenchContext ctx, ThroughputScenario throughput) {
        double base;
        String source;
        if (options.loadThroughput() != null) {
            base = options.loadThroughput();
            source = "--load-throughput";
        } else if (throughput != null && throughput.executionsPerSecond() > 0) {
            base = throughput.executionsPerSecond();
            source = "throughput scenario of this run";
        } else {
            throw new IllegalStateException("lateness-load needs a throughput: run the throughput scenario first, "
                    + "or give --load-throughput");
        }
        List<ScenarioResult> produced = new ArrayList<>();
        for (double share : new double[] {0.5, 0.8}) {
            double rate = Math.floor(base * share);
            out.printf(
                    "  %.0f %% of %s executions/s (%s): %s tasks/s%n",
                    share * 100, ScenarioResult.number(base), source, ScenarioResult.number(rate));
            ScenarioResult r = new LatenessScenario(
                            ctx,
                            "lateness-load",
                            rate,
                            "lateness @ " + ScenarioResult.number(rate) + "/s (" + Math.round(share * 100)
                                    + " % of throughput)")
                    .run();
            r.settings.put("throughputBase", Math.round(base));
            r.settings.put("throughputBaseSource", source);
            r.settings.put("shareOfThroughput", share);
            produced.add(r);
        }
        return produced;
    }

    /** The partition counts of the scaling scenario. */
    static final int[] SCALING_PARTITIONS = {16, 64, 256};
    /** Its ordering id counts besides the default 10,000 (at 16 partitions). */
    static final int[] SCALING_ORDERING_IDS = {100, 1_000_000};
    /** Its engine counts besides one (16 partitions, 10,000 ordering ids). */
    static final int[] SCALING_ENGINES = {2, 3};

    /**
     * The throughput scenario one dimension at a time from the default (16 partitions, 10,000 ordering ids, one
     * engine): topics of 16, 64 and 256 partitions; 100 and 1,000,000 ordering ids; 2 and 3 engines of one group in
     * this JVM.
     */
    private List<ScenarioResult> scaling(Infrastructure infrastructure) {
        List<ScenarioResult> produced = new ArrayList<>();
        BenchOptions base = options.withPartitions(16).withOrderingIds(10_000);
        for (int partitions : SCALING_PARTITIONS) {
            ScenarioResult r = scalingRun(infrastructure, base.withPartitions(partitions), "p" + partitions, 1);
            r.settings.put("scalingPartitions", partitions);
            produced.add(r);
        }
        for (int ids : SCALING_ORDERING_IDS) {
            ScenarioResult r = scalingRun(infrastructure, base.withOrderingIds(ids), "ids" + ids, 1);
            r.settings.put("scalingOrderingIds", ids);
            produced.add(r);
        }
        for (int engines : SCALING_ENGINES) {
            ScenarioResult r = scalingRun(infrastructure, base, "engines" + engines, engines);
            r.settings.put("scalingEngines", engines);
            produced.add(r);
        }
        return produced;
    }

    private ScenarioResult scalingRun(Infrastructure infrastructure, BenchOptions at, String name, int engines) {
        BenchContext ctx = new BenchContext(at, infrastructure, runId, out);
        ctx.quiesce();
        ScenarioResult r;
        try {
            r = new ThroughputScenario(ctx, "scaling-" + name, at.tasks(), engines).run();
        } catch (RuntimeException e) { // the other runs still count
            r = new ScenarioResult("scaling-" + name, "scaling-" + name);
            r.failed(e);
        }
        out.printf("  %s: %s%n", name, r.headline);
        return r;
    }

    /**
     * Next to the JSON files: executions/s against partitions (the scaling scenario) and lateness percentiles against
     * the rate (lateness and lateness under load), when the run has two points of either.
     */
    private void writeCharts(Path outDir) {
        List<double[]> scaling = new ArrayList<>();
        List<double[]> p50 = new ArrayList<>();
        List<double[]> p99 = new ArrayList<>();
        List<double[]> p999 = new ArrayList<>();
        for (ScenarioResult r : results) {
            if (r.settings.get("scalingPartitions") instanceof Integer partitions
                    && r.figures.get("executionsPerSecond") instanceof Number perSecond) {
                scaling.add(new double[] {partitions, perSecond.doubleValue()});
            }
            if ((r.scenario.equals("lateness") || r.scenario.equals("lateness-load"))
                    && r.settings.get("ratePerSecond") instanceof Number rate
                    && r.figures.get("latenessAfterWarmup") instanceof Map<?, ?> l
                    && l.get("p99Ms") instanceof Number) {
                p50.add(new double[] {rate.doubleValue(), ((Number) l.get("p50Ms")).doubleValue()});
                p99.add(new double[] {rate.doubleValue(), ((Number) l.get("p99Ms")).doubleValue()});
                p999.add(new double[] {rate.doubleValue(), ((Number) l.get("p999Ms")).doubleValue()});
            }
        }
        if (scaling.size() >= 2) {
            scaling.sort(java.util.Comparator.comparingDouble(p -> p[0]));
            Path file = outDir.resolve(runId + "-scaling.svg");
            write(
                    file,
                    Charts.lineChart(
                            "Executions/s against partitions (" + String.format("%,d", options.tasks()) + " tasks)",
                            "partitions",
                            "executions/s",
                            List.of(new Charts.Series("executions/s", scaling)),
                            true));
            out.println("Chart: " + file);
        }
        if (p99.size() >= 2) {
            java.util.Comparator<double[]> byRate = java.util.Comparator.comparingDouble(p -> p[0]);
            p50.sort(byRate);
            p99.sort(byRate);
            p999.sort(byRate);
            Path file = outDir.resolve(runId + "-lateness.svg");
            write(
                    file,
                    Charts.lineChart(
                            "Lateness against load",
                            "tasks/s",
                            "lateness, ms",
                            List.of(
                                    new Charts.Series("p50", p50),
                                    new Charts.Series("p99", p99),
                                    new Charts.Series("p99.9", p999)),
                            false));
            out.println("Chart: " + file);
        }
    }

    private Map<String, Object> describe(Infrastructure infrastructure) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(
                "kafka",
                options.forkKafka()
                        ? "ForkedKafka: one KRaft broker+controller on 127.0.0.1, own JVM, -Xmx512m, pid "
                                + infrastructure.kafkaPid().getAsLong()
                        : "external: " + options.kafka());
        m.put(
                "cassandra",
                options.forkCassandra()
                        ? "ForkedCassandra: one node on 127.0.0.1, own JVM, 512m heap, commitlog_sync batch, pid "
                                + infrastructure.cassandraPid().getAsLong()
                        : "external: " + infrastructure.contactPoint() + ", datacenter " + infrastructure.datacenter());
        m.put("replication", "topics: 1 replica, min.insync.replicas=1; keyspaces: SimpleStrategy 1");
        m.put("engineJvm", "this JVM: engine, client and bookkeeping");
        return m;
    }

    private String table() {
        StringBuilder t = new StringBuilder();
        t.append(ScenarioResult.HEADER).append('\n').append(ScenarioResult.RULE).append('\n');
        for (ScenarioResult r : results) {
            t.append(r.row()).append('\n');
        }
        return t.toString();
    }

    private Recording startRecording() {
        if (!options.jfr()) {
            return null;
        }
        try {
            Recording recording = new Recording(Configuration.getConfiguration("profile"));
            recording.start();
            return recording;
        } catch (IOException | ParseException e) {
            out.println("  cannot start a JFR recording: " + e);
            return null;
        }
    }

    private void stopRecording(Recording recording, Path file) {
        if (recording == null) {
            return;
        }
        try {
            recording.stop();
            recording.dump(file);
            out.println("  JFR recording: " + file);
        } catch (IOException e) {
            out.println("  cannot write the JFR recording: " + e);
        } finally {
            recording.close();
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
