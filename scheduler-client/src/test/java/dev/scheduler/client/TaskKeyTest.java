package dev.scheduler.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TaskKeyTest {

    private static final Instant T = Instant.parse("2026-11-27T05:20:37.123Z");

    @Test
    void scheduled_time_is_truncated_to_milliseconds_never_rounded() {
        TaskKey key = TaskKey.of("o", Instant.parse("2026-11-27T05:20:37.123999999Z"), "u");

        assertThat(key.scheduledTime()).isEqualTo(T);
    }

    @Test
    void scheduled_time_before_1970_is_truncated_to_the_earlier_millisecond() {
        TaskKey key = TaskKey.of("o", Instant.ofEpochSecond(-1, 999_999_999), "u");

        assertThat(key.scheduledTime().toEpochMilli()).isEqualTo(-1);
        assertThat(key.scheduledTime().getNano()).isEqualTo(999_000_000);
    }

    @Test
    void keys_that_differ_only_below_a_millisecond_are_the_same_task() {
        TaskKey a = TaskKey.of("o", T.plusNanos(1), "u");
        TaskKey b = TaskKey.of("o", T.plusNanos(999_999), "u");

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.compareTo(b)).isZero();
    }

    @Test
    void null_and_blank_fields_are_rejected_naming_the_field() {
        assertThatThrownBy(() -> TaskKey.of(null, T, "u"))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessage("orderingId must not be null");
        assertThatThrownBy(() -> TaskKey.of(" \t", T, "u"))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessage("orderingId must not be blank, was \" \\t\"");
        assertThatThrownBy(() -> TaskKey.of("o", null, "u"))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessage("scheduledTime must not be null");
        assertThatThrownBy(() -> TaskKey.of("o", T, null))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessage("uniquenessKey must not be null");
        assertThatThrownBy(() -> TaskKey.of("o", T, ""))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessage("uniquenessKey must not be blank, was \"\"");
    }

    @Test
    void unpaired_surrogates_are_rejected_because_they_have_no_utf8_encoding() {
        assertThatThrownBy(() -> TaskKey.of("ab\ud83d", T, "u"))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessage("orderingId has an unpaired surrogate U+D83D at index 2, so it cannot be encoded in UTF-8:"
                        + " \"ab\\ud83d\"");
        assertThatThrownBy(() -> TaskKey.of("o", T, "\ude00x"))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessageStartingWith("uniquenessKey has an unpaired surrogate U+DE00 at index 0");
    }

    @Test
    void any_other_character_is_allowed_in_ids() {
        String awkward = "a,b \"quoted\" \\ \n\t\u0000 \u2028 \ud83d\ude80 \uffff";

        TaskKey key = TaskKey.of(awkward, T, awkward);

        assertThat(key.orderingId()).isEqualTo(awkward);
        assertThat(key.uniquenessKey()).isEqualTo(awkward);
    }

    @Test
    void scheduled_time_must_fit_a_four_digit_year() {
        assertThat(TaskKey.of("o", TaskKey.MAX_SCHEDULED_TIME.plusNanos(999_999), "u")
                        .scheduledTime())
                .isEqualTo(TaskKey.MAX_SCHEDULED_TIME);
        assertThat(TaskKey.of("o", TaskKey.MIN_SCHEDULED_TIME, "u").scheduledTime())
                .isEqualTo(TaskKey.MIN_SCHEDULED_TIME);
        assertThatThrownBy(() -> TaskKey.of("o", TaskKey.MAX_SCHEDULED_TIME.plusMillis(1), "u"))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessage("scheduledTime +10000-01-01T00:00:00Z is outside the supported range"
                        + " 0000-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z");
        assertThatThrownBy(() -> TaskKey.of("o", Instant.MIN, "u")).isInstanceOf(InvalidTaskException.class);
    }

    @Test
    void keys_order_by_time_then_ordering_id_then_uniqueness_key() {
        TaskKey earliest = TaskKey.of("z", T, "z");
        TaskKey sameTimeLowerOrderingId = TaskKey.of("a", T.plusMillis(1), "z");
        TaskKey sameTimeHigherOrderingId = TaskKey.of("b", T.plusMillis(1), "a");
        TaskKey sameOrderingIdHigherUniquenessKey = TaskKey.of("b", T.plusMillis(1), "b");
        List<TaskKey> keys = new ArrayList<>(List.of(
                sameOrderingIdHigherUniquenessKey, sameTimeHigherOrderingId, earliest, sameTimeLowerOrderingId));

        keys.sort(null);

        assertThat(keys)
                .containsExactly(
                        earliest, sameTimeLowerOrderingId, sameTimeHigherOrderingId, sameOrderingIdHigherUniquenessKey);
    }

    @Test
    void ids_order_by_utf8_bytes_where_string_compare_to_does_not() {
        String emoji = "\ud83d\ude00"; // U+1F600: F0 9F 98 80 in UTF-8, a surrogate pair in UTF-16
        String lastBmpChar = "\uffff"; // EF BF BF in UTF-8

        assertThat(emoji.compareTo(lastBmpChar)).as("UTF-16 order").isNegative();
        assertThat(TaskKey.of(emoji, T, "u").compareTo(TaskKey.of(lastBmpChar, T, "u")))
                .isPositive();
        assertThat(TaskKey.of("o", T, emoji).compareTo(TaskKey.of("o", T, lastBmpChar)))
                .isPositive();
    }

    @Test
    void id_order_equals_unsigned_utf8_byte_order_for_random_strings() {
        Random random = new Random(20261127);
        for (int i = 0; i < 50_000; i++) {
            String a = RandomStrings.id(random, 8);
            // Half the pairs share a prefix, so comparisons reach past the first char.
            String b = random.nextBoolean()
                    ? a.substring(0, prefixLength(a, random)) + RandomStrings.any(random, 3)
                    : RandomStrings.id(random, 8);
            if (b.isBlank()) {
                b += "x";
            }
            int expected = Integer.signum(
                    Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));

            int actual = Integer.signum(TaskKey.of(a, T, "u").compareTo(TaskKey.of(b, T, "u")));

            assertThat(actual)
                    .as("compare %s with %s", codePoints(a), codePoints(b))
                    .isEqualTo(expected);
            assertThat(actual == 0).isEqualTo(a.equals(b));
        }
    }

    private static int prefixLength(String s, Random random) {
        int at = random.nextInt(s.length() + 1);
        // Never split a surrogate pair.
        return at > 0 && at < s.length() && Character.isLowSurrogate(s.charAt(at)) ? at - 1 : at;
    }

    private static String codePoints(String s) {
        return s.codePoints().mapToObj(Integer::toHexString).toList().toString();
    }

    @Test
    void to_string_shows_the_time_with_milliseconds_and_quotes_the_ids() {
        TaskKey key = TaskKey.of("order \"42\", eu", Instant.parse("2026-11-27T05:20:37Z"), "line\nbreak");

        assertThat(key).hasToString("TaskKey[2026-11-27T05:20:37.000Z, \"order \\\"42\\\", eu\", \"line\\nbreak\"]");
    }
}
