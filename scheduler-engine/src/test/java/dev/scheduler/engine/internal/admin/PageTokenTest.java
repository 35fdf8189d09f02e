package dev.scheduler.engine.internal.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.client.TaskKey;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PageTokenTest {

    private static final String FILTERS = "1|2|[FAILED]||||false";

    @Test
    void a_token_round_trips_with_a_unicode_key() {
        TaskKey after = TaskKey.of("ordre-é-🚀", Instant.parse("2026-11-27T05:20:37.123Z"), "clé, \"quoted\"");
        PageToken token = new PageToken(PageToken.checksum(FILTERS), 3, 29_000_123L, after);
        String text = token.encode();
        assertThat(text).matches("[A-Za-z0-9_-]+");
        assertThat(PageToken.decode(text, FILTERS, "filters")).isEqualTo(token);
    }

    @Test
    void a_token_at_a_bucket_start_has_no_key() {
        PageToken token = new PageToken(PageToken.checksum(FILTERS), 0, -1, null);
        assertThat(PageToken.decode(token.encode(), FILTERS, "filters")).isEqualTo(token);
    }

    @Test
    void a_token_of_other_filters_is_refused_with_a_message_naming_them() {
        String text = new PageToken(PageToken.checksum(FILTERS), 0, 5, null).encode();
        assertThatThrownBy(() -> PageToken.decode(text, "1|2|[PENDING]||||false", "from, to and status"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pageToken belongs to a listing with other filters: a token is valid only with the from, "
                        + "to and status of the request that returned it");
    }

    @Test
    void garbage_and_a_cut_token_are_refused() {
        String text = new PageToken(PageToken.checksum(FILTERS), 0, 5, TaskKey.of("a", Instant.EPOCH, "b")).encode();
        for (String bad : new String[] {"not a token!", "AAAA", text.substring(0, text.length() - 3)}) {
            assertThatThrownBy(() -> PageToken.decode(bad, FILTERS, "filters"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not a page token of this API");
        }
    }
}
