package dev.scheduler.testkit.internal;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/** Unique topic and keyspace names: a caller's prefix, a per-JVM counter and a random part (for several JVMs). */
public final class UniqueNames {

    /** Cassandra's limit on keyspace names. */
    static final int MAX_KEYSPACE_LENGTH = 48;

    static final int MAX_TOPIC_PREFIX_LENGTH = 200;

    private static final Pattern TOPIC_PREFIX = Pattern.compile("[a-zA-Z0-9._-]+");
    private static final Pattern KEYSPACE_PREFIX = Pattern.compile("[a-z][a-z0-9_]*");
    private static final AtomicLong COUNTER = new AtomicLong();

    private UniqueNames() {}

    public static String topic(String prefix) {
        if (prefix == null || !TOPIC_PREFIX.matcher(prefix).matches() || prefix.length() > MAX_TOPIC_PREFIX_LENGTH) {
            throw new IllegalArgumentException("topic prefix must be 1 to " + MAX_TOPIC_PREFIX_LENGTH
                    + " letters, digits, '.', '_' or '-', was " + quote(prefix));
        }
        return prefix + "-" + suffix("-");
    }

    public static String keyspace(String prefix) {
        String lower = prefix == null ? null : prefix.toLowerCase(Locale.ROOT);
        if (lower == null || !KEYSPACE_PREFIX.matcher(lower).matches()) {
            throw new IllegalArgumentException("keyspace prefix must start with a letter and hold only letters, "
                    + "digits and '_', was " + quote(prefix));
        }
        String suffix = "_" + suffix("_");
        int room = MAX_KEYSPACE_LENGTH - suffix.length();
        return (lower.length() > room ? lower.substring(0, room) : lower) + suffix;
    }

    private static String suffix(String separator) {
        String random = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
        return Long.toString(COUNTER.incrementAndGet(), 36) + separator + "0".repeat(4 - random.length()) + random;
    }

    private static String quote(String value) {
        return value == null ? "null" : "\"" + value + "\"";
    }
}
