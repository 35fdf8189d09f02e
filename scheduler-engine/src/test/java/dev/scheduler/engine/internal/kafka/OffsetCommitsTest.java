package dev.scheduler.engine.internal.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OffsetCommitsTest {

    private final OffsetCommits commits = new OffsetCommits();

    @Test
    void an_offset_is_sent_once_and_a_newer_one_is_sent_again() {
        assertThat(commits.take(Map.of(0, 10L, 1, 5L))).isEqualTo(Map.of(0, 10L, 1, 5L));
        assertThat(commits.take(Map.of(0, 10L, 1, 5L))).isEmpty();
        assertThat(commits.take(Map.of(0, 12L, 1, 5L))).isEqualTo(Map.of(0, 12L));
    }

    /**
     * Issue 11, finding 11: a failed asynchronous commit was never retried for a partition whose durable offset
     * did not move on: its records were read again after every rebalance (a replayed retry record could re-run a
     * FAILED task).
     */
    @Test
    void an_offset_whose_commit_failed_is_sent_again_even_when_the_partition_is_idle() {
        Map<Integer, Long> first = commits.take(Map.of(0, 10L));
        commits.failed(first);

        assertThat(commits.take(Map.of(0, 10L))).isEqualTo(Map.of(0, 10L));
    }

    @Test
    void a_failure_of_an_older_commit_does_not_resend_what_a_newer_one_covers() {
        Map<Integer, Long> first = commits.take(Map.of(0, 10L));
        commits.succeeded(first);
        Map<Integer, Long> second = commits.take(Map.of(0, 12L));
        Map<Integer, Long> third = commits.take(Map.of(0, 15L));

        commits.failed(second); // 15 is in flight: 12 needs no resend
        assertThat(commits.take(Map.of(0, 15L))).isEmpty();
        commits.failed(third); // back to the last confirmed, 10: 15 is due again
        assertThat(commits.take(Map.of(0, 15L))).isEqualTo(Map.of(0, 15L));
    }

    @Test
    void a_partition_owned_again_commits_from_scratch() {
        commits.succeeded(commits.take(Map.of(3, 7L)));
        commits.forget(3);
        assertThat(commits.take(Map.of(3, 7L))).isEqualTo(Map.of(3, 7L));
    }
}
