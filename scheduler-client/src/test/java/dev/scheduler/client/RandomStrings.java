package dev.scheduler.client;

import java.util.Random;

/** Strings that stress encoders and comparators: quotes, controls, BMP edges, surrogate pairs. */
public final class RandomStrings {

    private static final int[] AWKWARD = {
        '"', '\\', ',', '/', ' ', '\n', '\r', '\t', 0, 1, 0x1f, 0x7f, 0xa0, 0x2028, 0x2029, 0xd7ff, 0xe000, 0xfeff,
        0xfffd, 0xffff, 0x10000, 0x1f600, 0x1f680, 0x1f9d1, 0x10ffff
    };

    private RandomStrings() {}

    /** Up to {@code maxCodePoints} code points, never an unpaired surrogate, possibly empty or blank. */
    public static String any(Random random, int maxCodePoints) {
        int count = random.nextInt(maxCodePoints + 1);
        StringBuilder out = new StringBuilder(count * 2);
        for (int i = 0; i < count; i++) {
            out.appendCodePoint(codePoint(random));
        }
        return out.toString();
    }

    /** Like {@link #any}, but never blank, so it is a valid id. */
    public static String id(Random random, int maxCodePoints) {
        String s = any(random, maxCodePoints);
        return s.isBlank() ? s + (char) ('a' + random.nextInt(26)) : s;
    }

    private static int codePoint(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> 0x20 + random.nextInt(0x5f); // printable ASCII
            case 1 -> AWKWARD[random.nextInt(AWKWARD.length)];
            case 2 -> {
                int c = random.nextInt(0x10000 - 0x800);
                yield c < 0xd800 ? c : c + 0x800; // any BMP char but a surrogate
            }
            case 3 -> 0x10000 + random.nextInt(0x110000 - 0x10000); // supplementary: a surrogate pair
            default -> 0xe000 + random.nextInt(0x2000); // where UTF-16 order and code point order disagree
        };
    }
}
