package dev.scheduler.examples;

import dev.scheduler.examples.FlagValues.UsageException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The command line of {@link IncidentNotifier}. {@link #parse} fails on the first bad argument with a
 * {@link UsageException} that names it.
 *
 * @param kafka Kafka bootstrap servers to use, or null to start an embedded broker
 * @param cassandra a Cassandra contact point to use, or null to start a forked node
 * @param datacenter the local datacenter of {@code cassandra}
 * @param duration how long new incidents are opened
 * @param rate incidents opened per second
 * @param delay from an incident opening to its first notification
 * @param failover whether engine-b is stopped halfway through and started again ({@code --no-failover}: not)
 * @param help whether {@code --help} was given
 */
record NotifierOptions(
        String kafka,
        InetSocketAddress cassandra,
        String datacenter,
        Duration duration,
        double rate,
        Duration delay,
        boolean failover,
        boolean help) {

    static final Duration DEFAULT_DURATION = Duration.ofSeconds(30);
    static final double DEFAULT_RATE = 20;
    static final Duration DEFAULT_DELAY = Duration.ofSeconds(5);
    static final String DEFAULT_DATACENTER = "datacenter1";

    static final String USAGE = String.join(
            System.lineSeparator(),
            "Usage: IncidentNotifier [options]",
            "",
            "Opens incidents at a steady rate and schedules, for each, three escalation notifications",
            "(primary on-call, secondary on-call, engineering manager, one second apart) that run",
            "--delay-seconds after it opened unless the incident is acknowledged first. Checks that",
            "every notification ran once, on time and in order, then exits 0 (or 1 if a check failed).",
            "Halfway through, it stops one of its two engines, which hands its partitions to the other,",
            "and later starts it again.",
            "",
            "Options:",
            "  --kafka HOST:PORT[,HOST:PORT...]  use this Kafka cluster (default: start an embedded broker)",
            "  --cassandra HOST:PORT             use this Cassandra cluster (default: start a forked node)",
            "  --datacenter NAME                 local datacenter of --cassandra (default: " + DEFAULT_DATACENTER + ")",
            "  --duration SECONDS                how long incidents are opened, e.g. 30, 30s or 2m (default: "
                    + DEFAULT_DURATION.toSeconds() + "s)",
            "  --rate N                          incidents opened per second (default: " + (int) DEFAULT_RATE + ")",
            "  --delay-seconds N                 from an incident opening to its first notification (default: "
                    + DEFAULT_DELAY.toSeconds() + ")",
            "  --no-failover                     keep both engines running throughout",
            "  --help                            print this and exit",
            "",
            "Each run uses a new topic and keyspace, named after the run.");

    private static final double MAX_RATE = 2_000;
    private static final long MAX_DELAY_SECONDS = 3_600;

    /**
     * Every option at its default: embedded servers, 30 s of 20 incidents per second, a 5 s delay, and a failover
     * halfway through.
     */
    static NotifierOptions defaults() {
        return new NotifierOptions(
                null, null, DEFAULT_DATACENTER, DEFAULT_DURATION, DEFAULT_RATE, DEFAULT_DELAY, true, false);
    }

    /** Parses {@code --flag value} and {@code --flag=value} arguments. */
    static NotifierOptions parse(String... args) throws UsageException {
        String kafka = null;
        InetSocketAddress cassandra = null;
        String datacenter = null;
        Duration duration = DEFAULT_DURATION;
        double rate = DEFAULT_RATE;
        Duration delay = DEFAULT_DELAY;
        boolean failover = true;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("-")) {
                throw new UsageException("unexpected argument '" + arg + "'; options start with --");
            }
            int eq = arg.indexOf('=');
            String flag = eq < 0 ? arg : arg.substring(0, eq);
            if (isSwitch(flag)) {
                if (eq >= 0) {
                    throw new UsageException(flag + " takes no value");
                }
                switch (flag) {
                    case "--no-failover" -> failover = false;
                    default -> help = true;
                }
                continue;
            }
            if (!isKnown(flag)) {
                throw new UsageException("unknown flag " + flag);
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
                case "--kafka" -> kafka = FlagValues.bootstrapServers(flag, value);
                case "--cassandra" -> cassandra = FlagValues.contactPoint(flag, value);
                case "--datacenter" -> datacenter = FlagValues.datacenter(flag, value);
                case "--duration" -> duration = FlagValues.seconds(flag, value, Duration.ofHours(24));
                case "--rate" -> rate = rate(flag, value);
                case "--delay-seconds" -> delay = Duration.ofSeconds(wholeNumber(flag, value, 1, MAX_DELAY_SECONDS));
                default -> throw new AssertionError(flag);
            }
        }
        if (datacenter != null && cassandra == null) {
            throw new UsageException("--datacenter is only used with --cassandra");
        }
        return new NotifierOptions(
                kafka,
                cassandra,
                datacenter == null ? DEFAULT_DATACENTER : datacenter,
                duration,
                rate,
                delay,
                failover,
                help);
    }

    /** A flag that takes no value. */
    private static boolean isSwitch(String flag) {
        return switch (flag) {
            case "--help", "-h", "--no-failover" -> true;
            default -> false;
        };
    }

    private static boolean isKnown(String flag) {
        return switch (flag) {
            case "--kafka", "--cassandra", "--datacenter", "--duration", "--rate", "--delay-seconds" -> true;
            default -> false;
        };
    }

    private static double rate(String flag, String value) throws UsageException {
        double rate;
        try {
            rate = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " expects a number of incidents per second, was '" + value + "'");
        }
        if (!(rate > 0 && rate <= MAX_RATE)) {
            throw new UsageException(flag + " must be more than 0 and at most " + (int) MAX_RATE + ", was " + value);
        }
        return rate;
    }

    private static long wholeNumber(String flag, String value, long min, long max) throws UsageException {
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " expects a whole number, was '" + value + "'");
        }
        if (n < min || n > max) {
            throw new UsageException(flag + " must be between " + min + " and " + max + ", was " + n);
        }
        return n;
    }

    /** Whether the Kafka broker is started by the example. */
    boolean embeddedKafka() {
        return kafka == null;
    }

    /** Whether the Cassandra node is started by the example. */
    boolean embeddedCassandra() {
        return cassandra == null;
    }
}
