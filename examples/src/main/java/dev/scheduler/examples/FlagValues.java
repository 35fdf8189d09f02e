package dev.scheduler.examples;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the values of the command-line flags the example and the benchmark share (servers, datacenter,
 * durations); every bad value fails with a {@link UsageException} that names the flag and what it expects.
 */
public final class FlagValues {

    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9a-fA-F:.]+]|[^\\s:,\\[\\]]+):(\\d{1,5})");
    private static final Pattern SECONDS = Pattern.compile("(\\d{1,6})(s|m)?");
    private static final Pattern DATACENTER = Pattern.compile("[A-Za-z0-9_.\\-]+");

    private FlagValues() {}

    /** Thrown for a bad command line; the message names the argument at fault. */
    public static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }
    }

    /** A comma-separated list of HOST:PORT, returned as given once every entry is checked. */
    public static String bootstrapServers(String flag, String value) throws UsageException {
        for (String server : value.split(",", -1)) {
            hostAndPort(flag, server.trim());
        }
        return value;
    }

    /** One HOST:PORT (an IPv6 host in brackets), unresolved: the driver resolves it when it connects. */
    public static InetSocketAddress contactPoint(String flag, String value) throws UsageException {
        Matcher m = hostAndPort(flag, value);
        String host =
                m.group(1).startsWith("[") ? m.group(1).substring(1, m.group(1).length() - 1) : m.group(1);
        return InetSocketAddress.createUnresolved(host, Integer.parseInt(m.group(2)));
    }

    /** A Cassandra datacenter name. */
    public static String datacenter(String flag, String value) throws UsageException {
        if (!DATACENTER.matcher(value).matches()) {
            throw new UsageException(flag + " expects a datacenter name such as dc1, was '" + value + "'");
        }
        return value;
    }

    /** Seconds, as {@code 30}, {@code 30s} or {@code 2m}, from 1 second up to {@code max}. */
    public static Duration seconds(String flag, String value, Duration max) throws UsageException {
        Matcher m = SECONDS.matcher(value.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new UsageException(flag + " expects seconds, such as 30, 30s or 2m, was '" + value + "'");
        }
        long amount = Long.parseLong(m.group(1));
        Duration d = "m".equals(m.group(2)) ? Duration.ofMinutes(amount) : Duration.ofSeconds(amount);
        if (d.isZero() || d.compareTo(max) > 0) {
            throw new UsageException(flag + " must be between 1 second and " + describe(max) + ", was '" + value + "'");
        }
        return d;
    }

    private static String describe(Duration d) {
        return d.toMinutes() >= 60 && d.toMinutes() % 60 == 0 ? d.toHours() + " hours" : d.toSeconds() + " seconds";
    }

    private static Matcher hostAndPort(String flag, String value) throws UsageException {
        Matcher m = HOST_PORT.matcher(value);
        if (!m.matches()) {
            throw new UsageException(flag + " expects HOST:PORT, for example 127.0.0.1:9092, was '" + value + "'");
        }
        int port = Integer.parseInt(m.group(2));
        if (port < 1 || port > 65_535) {
            throw new UsageException(flag + ": port must be between 1 and 65535, was " + port + " in '" + value + "'");
        }
        return m;
    }
}
