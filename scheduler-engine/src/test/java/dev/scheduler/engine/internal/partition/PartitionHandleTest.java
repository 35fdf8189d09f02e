package dev.scheduler.engine.internal.partition;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PartitionHandleTest {

    @Test
    void a_batch_after_dropped_records_of_its_generation_never_moves_the_durable_offset_past_them() {
        PartitionHandle handle = new PartitionHandle(3, 18, "local");
        int generation = handle.generation();
        handle.recordsHandedOver(45);
        handle.dropped(generation); // offsets 18..62 were dropped by an actor that was not started yet
        handle.recordsHandedOver(1);
        handle.markDurable(generation, 64, 1); // offset 63, stored later in the same generation
        assertThat(handle.durableOffset()).isEqualTo(18);

        handle.requestRewind();
        assertThat(handle.takeRewindRequest()).isTrue();
        assertThat(handle.generation()).isEqualTo(generation + 1);
        assertThat(handle.unpersisted()).isZero();
        handle.recordsHandedOver(46);
        handle.markDurable(handle.generation(), 64, 46); // 18..63 again, after the rewind
        assertThat(handle.durableOffset()).isEqualTo(64);
        assertThat(handle.unpersisted()).isZero();
    }

    @Test
    void batches_of_an_earlier_generation_do_not_count_after_a_rewind() {
        PartitionHandle handle = new PartitionHandle(0, 100, "local");
        int old = handle.generation();
        handle.requestRewind();
        handle.takeRewindRequest();
        handle.markDurable(old, 150, 50);
        assertThat(handle.durableOffset()).isEqualTo(100);
    }

    @Test
    void a_partition_is_caught_up_once_its_position_passed_the_end_at_assignment_and_nothing_handed_over_is_pending() {
        PartitionHandle handle = new PartitionHandle(0, 10, "local");
        handle.catchUpTo(13);
        assertThat(handle.caughtUp()).isFalse();

        handle.recordsHandedOver(2); // offsets 10 and 11; offset 12 is a transaction marker, no record
        handle.handedOver(10, 12);
        assertThat(handle.noteCaughtUp(13))
                .as("the position passed the end, two records not durable")
                .isFalse();
        handle.markDurable(handle.generation(), 12, 2);
        assertThat(handle.noteCaughtUp(13)).isTrue();
        assertThat(handle.caughtUp()).isTrue();
        assertThat(handle.noteCaughtUp(13)).as("reported once").isFalse();

        handle.requestRewind(); // a new incarnation catches up again
        assertThat(handle.caughtUp()).isFalse();
    }

    /** Newer records handed over in every poll, never all durable at once, must not keep the partition waiting. */
    @Test
    void a_steady_stream_of_newer_records_does_not_keep_a_partition_from_catching_up() {
        PartitionHandle handle = new PartitionHandle(0, 0, "local");
        handle.catchUpTo(5);
        handle.recordsHandedOver(5);
        handle.handedOver(0, 5);
        handle.markDurable(handle.generation(), 5, 5);
        handle.recordsHandedOver(3); // newer records, not durable yet
        handle.handedOver(5, 8);

        assertThat(handle.noteCaughtUp(8)).isTrue();
    }

    /** The rewind a new incarnation asks for sets the offset anew: until the poll thread applies it, no catch-up. */
    @Test
    void a_requested_rewind_not_yet_applied_keeps_the_partition_from_counting_as_caught_up() {
        PartitionHandle handle = new PartitionHandle(0, 0, "local");
        handle.catchUpTo(0);
        handle.requestRewind();

        assertThat(handle.noteCaughtUp(0)).isFalse();
        assertThat(handle.takeRewindRequest()).isTrue();
        handle.catchUpTo(0);
        assertThat(handle.noteCaughtUp(0)).isTrue();
    }
}
