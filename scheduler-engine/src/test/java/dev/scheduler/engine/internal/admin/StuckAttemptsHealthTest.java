package dev.scheduler.engine.internal.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.internal.partition.PartitionHandle;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StuckAttemptsHealthTest {

    private static final TaskKey A = TaskKey.of("a", Instant.parse("2030-01-01T00:00:00Z"), "1");
    private static final TaskKey B = TaskKey.of("b", Instant.parse("2030-01-01T00:00:00Z"), "2");

    private final PartitionHandle p0 = new PartitionHandle(0, 0, "me");
    private final PartitionHandle p1 = new PartitionHandle(1, 0, "me");
    private final List<String> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    @Test
    void no_stuck_attempt_no_warning() {
        StuckAttemptsHealth.check(List.of(p0, p1), 4, problems, warnings);
        assertThat(problems).isEmpty();
        assertThat(warnings).isEmpty();
    }

    @Test
    void a_stuck_attempt_is_a_warning_naming_its_key_while_it_holds_less_than_half_the_threads() {
        p1.attemptStuck(A);
        StuckAttemptsHealth.check(List.of(p0, p1), 4, problems, warnings);
        assertThat(problems).isEmpty();
        assertThat(warnings)
                .singleElement()
                .asString()
                .startsWith("partition 1: 1 attempts stuck")
                .contains(A.toString());
    }

    @Test
    void stuck_attempts_holding_half_the_execution_threads_make_the_instance_unready() {
        p0.attemptStuck(A);
        p1.attemptStuck(B);
        StuckAttemptsHealth.check(List.of(p0, p1), 4, problems, warnings);
        assertThat(warnings).hasSize(2);
        assertThat(problems).singleElement().asString().startsWith("2 stuck attempts hold at least half of the 4");

        p1.attemptReturned(B);
        problems.clear();
        warnings.clear();
        StuckAttemptsHealth.check(List.of(p0, p1), 4, problems, warnings);
        assertThat(problems).isEmpty();
        assertThat(warnings).hasSize(1);
    }
}
