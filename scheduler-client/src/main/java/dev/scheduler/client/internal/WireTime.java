package dev.scheduler.client.internal;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The wire format's timestamps: written as {@code yyyy-MM-dd'T'HH:mm:ss.SSS'Z'}, read in any ISO-8601
 * date-time with an offset. Both directions have a fast path for the written form, because
 * {@link DateTimeFormatter} is slow and allocates heavily.
 *
 * <p>Internal: no compatibility promise.
 */
public final class WireTime {

    /** The length of {@code yyyy-MM-ddTHH:mm:ss.SSSZ}. */
    private static final int WRITTEN_LENGTH = 24;

    private WireTime() {}

    /**
     * Formats {@code t} as {@code yyyy-MM-dd'T'HH:mm:ss.SSS'Z'}, always with three fraction digits.
     * Anything below a millisecond is dropped.
     *
     * @throws DateTimeException if the year is outside 0000..9999, which four digits cannot hold
     */
    public static String format(Instant t) {
        LocalDateTime utc = LocalDateTime.ofEpochSecond(t.getEpochSecond(), t.getNano(), ZoneOffset.UTC);
        int year = utc.getYear();
        if (year < 0 || year > 9999) {
            throw new DateTimeException("year " + year + " of " + t + " does not fit the wire format's four digits");
        }
        char[] out = new char[WRITTEN_LENGTH];
        digits(out, 0, year, 4);
        out[4] = '-';
        digits(out, 5, utc.getMonthValue(), 2);
        out[7] = '-';
        digits(out, 8, utc.getDayOfMonth(), 2);
        out[10] = 'T';
        digits(out, 11, utc.getHour(), 2);
        out[13] = ':';
        digits(out, 14, utc.getMinute(), 2);
        out[16] = ':';
        digits(out, 17, utc.getSecond(), 2);
        out[19] = '.';
        digits(out, 20, utc.getNano() / 1_000_000, 3);
        out[23] = 'Z';
        return new String(out);
    }

    private static void digits(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /**
     * Parses an ISO-8601 date-time with an offset ({@code Z}, {@code +02:00}, ...) and any number of
     * fraction digits, as {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} reads it. Precision is kept; the
     * caller truncates.
     *
     * @throws DateTimeException if {@code s} is no such date-time
     */
    public static Instant parse(String s) {
        if (s.length() == WRITTEN_LENGTH && hasWrittenShape(s)) {
            return LocalDateTime.of(
                            number(s, 0, 4),
                            number(s, 5, 2),
                            number(s, 8, 2),
                            number(s, 11, 2),
                            number(s, 14, 2),
                            number(s, 17, 2),
                            number(s, 20, 3) * 1_000_000)
                    .toInstant(ZoneOffset.UTC);
        }
        return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    }

    private static boolean hasWrittenShape(String s) {
        for (int i = 0; i < WRITTEN_LENGTH; i++) {
            char c = s.charAt(i);
            boolean ok = switch (i) {
                case 4, 7 -> c == '-';
                case 10 -> c == 'T';
                case 13, 16 -> c == ':';
                case 19 -> c == '.';
                case 23 -> c == 'Z';
                default -> c >= '0' && c <= '9';
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static int number(String s, int at, int width) {
        int value = 0;
        for (int i = at; i < at + width; i++) {
            value = value * 10 + (s.charAt(i) - '0');
        }
        return value;
    }
}
