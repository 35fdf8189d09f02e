package dev.scheduler.examples.bench;

import dev.scheduler.examples.FlagValues;
import dev.scheduler.examples.FlagValues.UsageException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The command line of {@link Benchmark}. {@link #parse} fails on the first bad argument with a
 * {@link UsageException} that names it.
 *
 * @param scenarios the scenarios to run, in the order of {@link #ALL_SCENARIOS}
 * @param kafka Kafka bootstrap servers to use, or null to fork a broker
 * @param cassandra a Cassandra contact point to use, or null to fork a node
 * @param datacenter the local datacenter of {@code cassandra}
 * @param partitions partitions of every scenario's topic
 * @param tasks tasks of the ingest and throughput scenarios
 * @param orderingIds distinct ordering ids the tasks are spread over
 * @param inFlight most {@code scheduleTask} calls not yet acknowledged, when publishing as fast as possible
 * @param rate tasks per second of the lateness scenario
 * @param duration how long the lateness scenarios publish
 * @param ahead how far ahead of its publication a lateness task is scheduled
 * @param warmup the first part of a lateness run left out of its percentiles (still checked for duplicates)
 * @param loadThroughput executions per second that "lateness under load" takes 50 % and 80 % of, or null to take
 *     the throughput scenario's figure
 * @param backlogTasks future tasks stored before the heap is measured
 * @param drainTasks tasks of the overdue backlog drained after a restart
 * @param hotTasks tasks of the one ordering id of the hot-id scenario
 * @param warmupTasks tasks run through an engine before the scenarios, unreported, to warm up every JVM
 * @param compression the clients' {@code compression.type}, or null for the client's default (lz4)
 * @param out directory of the JSON files
 * @param jfr whether a JFR recording of the benchmark JVM is written per scenario
 * @param help whether {@code --help} was given
 */
record BenchOptions(
        List<String> scenarios,
        String kafka,
        InetSocketAddress cassandra,
        String datacenter,
        int partitions,
        int tasks,
        int orderingIds,
        int inFlight,
        double rate,
        Duration duration,
        Duration ahead,
        Duration warmup,
        Double loadThroughput,
        int backlogTasks,
        int drainTasks,
        int hotTasks,
        int warmupTasks,
        String compression,
        Path out,
        boolean jfr,
        boolean help) {

    static final List<String> ALL_SCENARIOS =
            List.of("ingest", "throughput", "lateness", "lateness-load", "due-now", "hot-id", "backlog");
    /** Diagnosis scenarios, run only when named. */
    static final List<String> EXTRA_SCENARIOS = List.of("scaling", "store", "store-rate", "idle");

    static final String USAGE = String.join(
            System.lineSeparator(),
            "Usage: Benchmark [options]",
            "",
            "Measures the scheduler on real Kafka and Cassandra (forked on this machine unless given) and prints",
            "a table; each scenario also writes a JSON file (machine, versions, settings, figures) to --out.",
            "",
            "Scenarios (--scenario, comma-separated, default all):",
            "  ingest         --tasks scheduleTask calls from one client, --in-flight at once: acknowledged/s",
            "  throughput     --tasks tasks due now over --ordering-ids ids, no-op executor: executions/s,",
            "                 and how many ran twice or never",
            "  lateness       --rate tasks/s for --duration, each --ahead in the future: lateness percentiles",
            "  lateness-load  the same at 50 % and 80 % of the throughput (--load-throughput, or measured)",
            "  due-now        --rate tasks/s for --duration, each due the moment it is published: lateness from",
            "                 the scheduled time and from Kafka's acknowledgement",
            "  hot-id         --hot-tasks tasks of one ordering id, due now: executions/s of one entity, in order",
            "  backlog        heap with --backlog-tasks future tasks stored; drain rate of --drain-tasks",
            "                 overdue tasks after a restart",
            "  scaling        (only when named) the throughput scenario with topics of 16, 64 and 256",
            "                 partitions, then over 100 and 1,000,000 ordering ids, then with 2 and 3 engines:",
            "                 executions/s and CPU per task, one dimension at a time, and a chart",
            "  idle           (only when named) an engine owning --partitions partitions with nothing due, for",
            "                 --duration (at most 60 s), against the servers alone: its cores above that baseline",
            "  store          (diagnosis, only when named) Cassandra CPU per task of each write the engine",
            "                 makes per task, --tasks tasks each",
            "  store-rate     (diagnosis, only when named) Cassandra CPU per row at --rate rows/s, by rows per",
            "                 request (1 to 16, across partitions), --duration (at most 30 s) each",
            "",
            "Options:",
            "  --kafka HOST:PORT[,...]    use this Kafka cluster (default: fork a broker)",
            "  --cassandra HOST:PORT      use this Cassandra cluster (default: fork a node)",
            "  --datacenter NAME          local datacenter of --cassandra (default: datacenter1)",
            "  --partitions N             partitions of each scenario's topic (default: 16)",
            "  --tasks N                  tasks of ingest and throughput (default: 200000)",
            "  --ordering-ids N           distinct ordering ids (default: 10000)",
            "  --in-flight N              unacknowledged scheduleTask calls at most (default: 10000)",
            "  --rate N                   lateness: tasks per second (default: 1000)",
            "  --duration SECONDS         lateness: how long tasks are published (default: 60)",
            "  --ahead SECONDS            lateness: how far ahead tasks are scheduled (default: 5)",
            "  --warmup SECONDS           lateness: first seconds left out of the percentiles (default: 5)",
            "  --load-throughput N        lateness-load: executions/s to take 50 % and 80 % of",
            "                             (default: the figure of the throughput scenario of this run)",
            "  --backlog-tasks N          backlog: future tasks stored (default: 1000000)",
            "  --drain-tasks N            backlog: overdue tasks drained after a restart (default: 100000)",
            "  --hot-tasks N              hot-id: tasks of the one ordering id (default: 10000)",
            "  --warmup-tasks N           tasks run before the scenarios to warm up every JVM, not reported",
            "                             (default: 50000; 0 for none)",
            "  --compression TYPE         the clients' compression.type: none, gzip, snappy, lz4, zstd",
            "                             (default: the client's default, lz4)",
            "  --out DIR                  where the JSON files go (default: target/bench)",
            "  --jfr                      record each scenario with JFR into --out",
            "  --help                     print this and exit",
            "",
            "A quick smoke run: --tasks 20000 --duration 10 --backlog-tasks 50000 --drain-tasks 10000",
            "                   --warmup-tasks 10000");

    /** Parses {@code --flag value} and {@code --flag=value} arguments. */
    static BenchOptions parse(String... args) throws UsageException {
        Set<String> scenarios = new LinkedHashSet<>(ALL_SCENARIOS);
        String kafka = null;
        InetSocketAddress cassandra = null;
        String datacenter = null;
        int partitions = 16;
        int tasks = 200_000;
        int orderingIds = 10_000;
        int inFlight = 10_000;
        double rate = 1_000;
        Duration duration = Duration.ofSeconds(60);
        Duration ahead = Duration.ofSeconds(5);
        Duration warmup = Duration.ofSeconds(5);
        Double loadThroughput = null;
        int backlogTasks = 1_000_000;
        int drainTasks = 100_000;
        int hotTasks = 10_000;
        int warmupTasks = 50_000;
        String compression = null;
        Path out = Path.of("target", "bench");
        boolean jfr = false;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "'; options start with --");
            }
            int eq = arg.indexOf('=');
            String flag = eq < 0 ? arg : arg.substring(0, eq);
            if (flag.equals("--help") || flag.equals("--jfr")) {
                if (eq >= 0) {
                    throw new UsageException(flag + " takes no value");
                }
                help |= flag.equals("--help");
                jfr |= flag.equals("--jfr");
                continue;
            }
            String value;
            if (eq >= 0) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                throw new UsageException(flag + " needs a value");
            }
            switch (flag) {
                case "--scenario" -> scenarios = scenarios(flag, value);
                case "--kafka" -> kafka = FlagValues.bootstrapServers(flag, value);
                case "--cassandra" -> cassandra = resolved(FlagValues.contactPoint(flag, value));
                case "--datacenter" -> datacenter = FlagValues.datacenter(flag, value);
                case "--partitions" -> partitions = (int) whole(flag, value, 1, 1_024);
                case "--tasks" -> tasks = (int) whole(flag, value, 1, 10_000_000);
                case "--ordering-ids" -> orderingIds = (int) whole(flag, value, 1, 10_000_000);
                case "--in-flight" -> inFlight = (int) whole(flag, value, 1, 1_000_000);
                case "--rate" -> rate = whole(flag, value, 1, 1_000_000);
                case "--duration" -> duration = FlagValues.seconds(flag, value, Duration.ofHours(2));
                case "--ahead" -> ahead = FlagValues.seconds(flag, value, Duration.ofHours(2));
                case "--warmup" -> warmup = Duration.ofSeconds(whole(flag, value, 0, 3_600));
                case "--load-throughput" -> loadThroughput = (double) whole(flag, value, 1, 10_000_000);
                case "--backlog-tasks" -> backlogTasks = (int) whole(flag, value, 1, 100_000_000);
                case "--drain-tasks" -> drainTasks = (int) whole(flag, value, 1, 10_000_000);
                case "--hot-tasks" -> hotTasks = (int) whole(flag, value, 2, 10_000_000);
                case "--warmup-tasks" -> warmupTasks = (int) whole(flag, value, 0, 10_000_000);
                case "--compression" -> compression = compression(flag, value);
                case "--out" -> out = Path.of(value);
                default -> throw new UsageException("unknown flag " + flag);
            }
        }
        if (datacenter != null && cassandra == null) {
            throw new UsageException("--datacenter is only used with --cassandra");
        }
        if (warmup.compareTo(duration) >= 0) {
            throw new UsageException("--warmup (" + warmup.toSeconds() + " s) must be shorter than --duration ("
                    + duration.toSeconds() + " s)");
        }
        return new BenchOptions(
                List.copyOf(scenarios),
                kafka,
                cassandra,
                datacenter == null ? "datacenter1" : datacenter,
                partitions,
                tasks,
                orderingIds,
                inFlight,
                rate,
                duration,
                ahead,
                warmup,
                loadThroughput,
                backlogTasks,
                drainTasks,
                hotTasks,
                warmupTasks,
                compression,
                out,
                jfr,
                help);
    }

    /** The same options with another number of ordering ids (the scaling scenario's runs). */
    BenchOptions withOrderingIds(int n) {
        return with(partitions, n);
    }

    /** The same options with another partition count (the scaling scenario's runs). */
    BenchOptions withPartitions(int n) {
        return with(n, orderingIds);
    }

    private BenchOptions with(int partitions, int orderingIds) {
        return new BenchOptions(
                scenarios,
                kafka,
                cassandra,
                datacenter,
                partitions,
                tasks,
                orderingIds,
                inFlight,
                rate,
                duration,
                ahead,
                warmup,
                loadThroughput,
                backlogTasks,
                drainTasks,
                hotTasks,
                warmupTasks,
                compression,
                out,
                jfr,
                help);
    }

    boolean forkKafka() {
        return kafka == null;
    }

    boolean forkCassandra() {
        return cassandra == null;
    }

    private static Set<String> scenarios(String flag, String value) throws UsageException {
        Set<String> wanted = new LinkedHashSet<>();
        for (String name : value.toLowerCase(Locale.ROOT).split(",", -1)) {
            String trimmed = name.trim();
            if (trimmed.equals("all")) {
                wanted.addAll(ALL_SCENARIOS);
            } else if (ALL_SCENARIOS.contains(trimmed) || EXTRA_SCENARIOS.contains(trimmed)) {
                wanted.add(trimmed);
            } else {
                throw new UsageException(flag + ": unknown scenario '" + trimmed + "'; known: all, "
                        + String.join(", ", ALL_SCENARIOS) + ", " + String.join(", ", EXTRA_SCENARIOS));
            }
        }
        List<String> ordered = new ArrayList<>(ALL_SCENARIOS);
        ordered.addAll(EXTRA_SCENARIOS);
        ordered.retainAll(wanted);
        return new LinkedHashSet<>(ordered);
    }

    private static String compression(String flag, String value) throws UsageException {
        if (!List.of("none", "gzip", "snappy", "lz4", "zstd").contains(value)) {
            throw new UsageException(flag + " expects none, gzip, snappy, lz4 or zstd, was '" + value + "'");
        }
        return value;
    }

    private static InetSocketAddress resolved(InetSocketAddress unresolved) {
        return new InetSocketAddress(unresolved.getHostString(), unresolved.getPort());
    }

    private static long whole(String flag, String value, long min, long max) throws UsageException {
        long n;
        try {
            n = Long.parseLong(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " expects a whole number, was '" + value + "'");
        }
        if (n < min || n > max) {
            throw new UsageException(flag + " must be between " + min + " and " + max + ", was " + n);
        }
        return n;
    }
}
