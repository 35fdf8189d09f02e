package dev.scheduler.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class TaskPartitionerTest {

    @Test
    void partition_equals_kafkas_built_in_partitioner_for_keyed_records() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            String orderingId = RandomStrings.id(random, 12);
            int partitionCount = 1 + random.nextInt(256);

            assertThat(TaskPartitioner.partitionFor(orderingId, partitionCount))
                    .as("partition of %s among %d", orderingId, partitionCount)
                    .isEqualTo(BuiltInPartitioner.partitionForKey(
                            orderingId.getBytes(StandardCharsets.UTF_8), partitionCount));
        }
    }

    @Test
    void partition_is_within_range_and_depends_only_on_the_ordering_id() {
        TaskKey early = TaskKey.of("order-42", Instant.EPOCH, "a");
        TaskKey late = TaskKey.of("order-42", Instant.parse("2030-01-01T00:00:00Z"), "b");

        assertThat(TaskPartitioner.partitionFor(early, 16))
                .isEqualTo(TaskPartitioner.partitionFor(late, 16))
                .isBetween(0, 15);
        assertThat(TaskPartitioner.partitionFor("anything", 1)).isZero();
    }

    @Test
    void a_partition_count_below_one_is_refused() {
        assertThatThrownBy(() -> TaskPartitioner.partitionFor("o", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("partitionCount must be at least 1, was 0");
        assertThatThrownBy(() -> TaskPartitioner.partitionFor((String) null, 3))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessage("orderingId must not be null");
    }
}
