package dev.scheduler.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CancelledRunTest {

    private static final Duration LEAD = Duration.ofSeconds(2);
    private static final Instant T = Instant.parse("2026-11-27T06:00:00Z");

    private static Incident.CancelledRun run(Instant cancelOnTopicAt, Instant startedAt) {
        return new Incident.CancelledRun("task", "engine-a partition 1", cancelOnTopicAt, startedAt);
    }

    @Test
    void a_cancel_on_the_topic_well_before_the_start_of_a_steady_cluster_should_have_won() {
        assertThat(run(T, T.plusSeconds(3)).shouldHaveWon(LEAD, List.of())).isTrue();
    }

    @Test
    void a_cancel_published_less_than_the_lead_before_the_start_may_lose() {
        assertThat(run(T, T.plusMillis(1_999)).shouldHaveWon(LEAD, List.of())).isFalse();
        assertThat(run(null, T).shouldHaveWon(LEAD, List.of())).isFalse();
    }

    @Test
    void a_cancel_whose_wait_overlaps_a_move_of_partitions_may_lose() {
        Failover.Window moved = new Failover.Window(T.plusSeconds(1), T.plusSeconds(2));

        assertThat(run(T, T.plusSeconds(5)).shouldHaveWon(LEAD, List.of(moved))).isFalse();
        assertThat(run(T.plusMillis(1_500), T.plusSeconds(5)).shouldHaveWon(LEAD, List.of(moved)))
                .isFalse();
    }

    @Test
    void a_move_before_the_cancel_or_after_the_start_does_not_excuse_it() {
        Failover.Window before = new Failover.Window(T.minusSeconds(5), T.minusSeconds(1));
        Failover.Window after = new Failover.Window(T.plusSeconds(6), T.plusSeconds(8));

        assertThat(run(T, T.plusSeconds(5)).shouldHaveWon(LEAD, List.of(before, after)))
                .isTrue();
    }

    @Test
    void a_move_still_under_way_excuses_every_cancel_from_its_start_on() {
        Failover.Window open = new Failover.Window(T.plusSeconds(1), null);

        assertThat(run(T.plusSeconds(10), T.plusSeconds(20)).shouldHaveWon(LEAD, List.of(open)))
                .isFalse();
        assertThat(run(T.minusSeconds(10), T.minusSeconds(5)).shouldHaveWon(LEAD, List.of(open)))
                .isTrue();
    }
}
