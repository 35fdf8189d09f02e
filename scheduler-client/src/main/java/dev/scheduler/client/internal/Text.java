package dev.scheduler.client.internal;

import java.time.Duration;
import java.util.Locale;

/**
 * Renders values for messages and {@code toString}.
 *
 * <p>Internal: no compatibility promise.
 */
public final class Text {

    private Text() {}

    /**
     * {@code s} in double quotes, with quotes, backslashes and control characters escaped as in Java
     * source, so ids holding commas, quotes or newlines stay readable and unambiguous in a log line.
     */
    public static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) && !isPaired(s, i)) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static boolean isPaired(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    /** A duration as {@code 10s}, {@code 1m30.5s} or {@code 2h}, shorter than ISO-8601's {@code PT10S}. */
    public static String duration(Duration d) {
        return d.toString().substring(2).toLowerCase(Locale.ROOT);
    }
}
