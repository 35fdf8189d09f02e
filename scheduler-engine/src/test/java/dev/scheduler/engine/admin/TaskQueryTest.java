package dev.scheduler.engine.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.engine.TaskStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TaskQueryTest {

    private static final Instant FROM = Instant.parse("2026-11-27T05:00:00Z");
    private static final Instant TO = Instant.parse("2026-11-27T06:00:00Z");

    @Test
    void a_query_starts_with_every_status_and_the_default_page_size() {
        TaskQuery q = TaskQuery.between(FROM, TO);
        assertThat(q.statuses()).isEmpty();
        assertThat(q.pageSize()).isEqualTo(TaskQuery.DEFAULT_PAGE_SIZE);
        assertThat(q.withStatuses(TaskStatus.FAILED)
                        .withOrderingId("order-42")
                        .withPageSize(500)
                        .statuses())
                .containsExactly(TaskStatus.FAILED);
    }

    @Test
    void wrong_arguments_fail_at_once_naming_the_field_and_the_limit() {
        TaskQuery q = TaskQuery.between(FROM, TO);
        assertThatThrownBy(() -> q.withPageSize(501)).hasMessage("pageSize must be between 1 and 500, was 501");
        assertThatThrownBy(() -> q.withPageSize(0)).hasMessage("pageSize must be between 1 and 500, was 0");
        assertThatThrownBy(() -> TaskQuery.between(TO, FROM))
                .hasMessage("from (2026-11-27T06:00:00Z) must be before to (2026-11-27T05:00:00Z)");
        assertThatThrownBy(() -> q.withStatuses(TaskStatus.RUNNING))
                .hasMessageStartingWith("status RUNNING cannot be listed");
        assertThatThrownBy(() -> q.withPartition(-1)).hasMessage("partition must be 0 or more, was -1");
        assertThatThrownBy(() -> q.withOrderingId(" ")).hasMessage("orderingId must not be blank when given");
    }
}
