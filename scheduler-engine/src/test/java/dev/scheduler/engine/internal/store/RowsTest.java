package dev.scheduler.engine.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.cql.Row;
import dev.scheduler.engine.TaskStatus;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, finding 10: a row whose status string this engine does not know made {@code Rows.status} throw,
 * which failed every load of its window, forever. It reads as finished now, and loads set it aside.
 */
class RowsTest {

    @Test
    void an_unknown_status_reads_as_finished_and_marks_the_row_to_be_set_aside() {
        Row row = rowWithStatus("ARCHIVED");

        assertThat(Rows.status(row)).isEqualTo(TaskStatus.FAILED);
        assertThat(Rows.status(row).isTerminal()).as("never run").isTrue();
        assertThat(Rows.knownStatus(row)).isFalse();
    }

    @Test
    void known_statuses_and_a_null_status_read_as_before() {
        assertThat(Rows.status(rowWithStatus(null))).isEqualTo(TaskStatus.PENDING);
        assertThat(Rows.knownStatus(rowWithStatus(null))).isTrue();
        for (TaskStatus status : TaskStatus.values()) {
            assertThat(Rows.status(rowWithStatus(status.name()))).isEqualTo(status);
            assertThat(Rows.knownStatus(rowWithStatus(status.name()))).isTrue();
        }
    }

    /** A driver row that answers only its status column. */
    private static Row rowWithStatus(String status) {
        return (Row) Proxy.newProxyInstance(Row.class.getClassLoader(), new Class<?>[] {Row.class}, (p, m, args) -> {
            if (m.getName().equals("getString") && "status".equals(args[0])) {
                return status;
            }
            throw new UnsupportedOperationException(m.getName());
        });
    }
}
