package dev.scheduler.client.internal;

/**
 * UTF-8 facts about Java strings, computed on the chars without encoding them.
 *
 * <p>Internal: no compatibility promise.
 */
public final class Utf8 {

    private Utf8() {}

    /**
     * Compares two strings in the order of their UTF-8 bytes compared unsigned, which is Unicode code point
     * order and the order Cassandra sorts {@code text} clustering columns in. {@link String#compareTo}
     * compares UTF-16 chars and differs from it when a supplementary character (a surrogate pair,
     * U+D800..U+DFFF in UTF-16) meets a char in U+E000..U+FFFF: UTF-16 sorts the pair first, code point
     * order sorts it last. Allocates nothing.
     */
    public static int compare(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char ca = a.charAt(i);
            char cb = b.charAt(i);
            if (ca != cb) {
                if (ca >= Character.MIN_SURROGATE && cb >= Character.MIN_SURROGATE) {
                    return codePointRank(ca) - codePointRank(cb);
                }
                return ca - cb;
            }
        }
        // A prefix in chars is a prefix in bytes, and a prefix sorts first in both orders.
        return a.length() - b.length();
    }

    /**
     * Moves surrogates above U+E000..U+FFFF, where the code points they encode belong. Valid only for chars
     * at the first difference of two well-formed strings: there both are high surrogates, both low
     * surrogates, or neither is a surrogate.
     */
    private static int codePointRank(char c) {
        return c >= 0xE000 ? c - 0x800 : c + 0x2000;
    }

    /** The length of {@code s} encoded in UTF-8, for a string without unpaired surrogates. */
    public static int encodedLength(String s) {
        int length = s.length();
        int bytes = length;
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    bytes += 1;
                } else if (Character.isHighSurrogate(c)) {
                    bytes += 2; // the pair's two chars make four bytes
                    i++;
                } else {
                    bytes += 2;
                }
            }
        }
        return bytes;
    }

    /**
     * The index of the first surrogate char that is not part of a high-low pair, or -1 if there is none.
     * Such a char encodes no code point, so the string has no UTF-8 encoding.
     */
    public static int unpairedSurrogateIndex(String s) {
        int length = s.length();
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            }
        }
        return -1;
    }
}
