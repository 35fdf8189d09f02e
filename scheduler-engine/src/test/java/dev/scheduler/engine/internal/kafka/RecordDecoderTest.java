package dev.scheduler.engine.internal.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.client.TaskLimits;
import dev.scheduler.client.TaskPartitioner;
import dev.scheduler.client.wire.CancelTask;
import dev.scheduler.client.wire.RetryTask;
import dev.scheduler.client.wire.ScheduleTask;
import dev.scheduler.client.wire.TaskRecordCodec;
import dev.scheduler.engine.internal.store.RetryRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RecordDecoderTest {

    private static final int PARTITIONS = 8;
    private static final Instant AT = Instant.parse("2030-01-01T00:00:00Z");
    /** The records' Kafka timestamp. */
    private static final long STAMP = 1_900_000_000_000L;

    private final RecordDecoder decoder = new RecordDecoder(TaskLimits.defaults(), PARTITIONS);

    @Test
    void records_on_the_partition_of_their_ordering_id_are_decoded_by_kind() {
        TaskKey key = TaskKey.of("order-1", AT, "u");
        int p = TaskPartitioner.partitionFor(key, PARTITIONS);

        RecordDecoder.Decoded d = decoder.decode(
                p,
                List.of(
                        record(p, 0, TaskRecordCodec.encode(new ScheduleTask(Task.of(key, Map.of())))),
                        record(p, 1, TaskRecordCodec.encode(new CancelTask(key))),
                        record(p, 2, TaskRecordCodec.encode(new RetryTask(key)))));

        assertThat(d.tasks()).extracting(Task::key).containsExactly(key);
        assertThat(d.cancels()).containsExactly(key);
        assertThat(d.retries()).containsExactly(new RetryRequest(key, Instant.ofEpochMilli(STAMP)));
        assertThat(d.deadLetters()).isEmpty();
    }

    /** Issue 11, finding 13: a raw producer with another partitioner put an ordering id on the wrong partition. */
    @Test
    void a_record_on_another_partition_than_its_ordering_id_belongs_on_is_set_aside_with_the_reason() {
        TaskKey key = TaskKey.of("order-1", AT, "u");
        int right = TaskPartitioner.partitionFor(key, PARTITIONS);
        int wrong = (right + 1) % PARTITIONS;

        RecordDecoder.Decoded d = decoder.decode(
                wrong,
                List.of(
                        record(wrong, 7, TaskRecordCodec.encode(new ScheduleTask(Task.of(key, Map.of())))),
                        record(wrong, 8, TaskRecordCodec.encode(new CancelTask(key)))));

        assertThat(d.tasks()).isEmpty();
        assertThat(d.cancels()).isEmpty();
        assertThat(d.deadLetters()).hasSize(2);
        assertThat(d.deadLetters().get(0).offset()).isEqualTo(7);
        assertThat(d.deadLetters().get(0).reason())
                .contains("ordering id 'order-1' belongs on partition " + right + " of 8")
                .contains("not on partition " + wrong);
    }

    @Test
    void a_record_that_cannot_be_read_is_set_aside_and_the_next_one_is_still_decoded() {
        TaskKey key = TaskKey.of("order-1", AT, "u");
        int p = TaskPartitioner.partitionFor(key, PARTITIONS);

        RecordDecoder.Decoded d = decoder.decode(
                p,
                List.of(
                        record(p, 0, "not json".getBytes(StandardCharsets.UTF_8)),
                        record(p, 1, null),
                        record(p, 2, TaskRecordCodec.encode(new CancelTask(key)))));

        assertThat(d.deadLetters()).extracting(l -> l.offset()).containsExactly(0L, 1L);
        assertThat(d.deadLetters().get(1).reason()).contains("the record has no value");
        assertThat(d.cancels()).containsExactly(key);
    }

    private static ConsumerRecord<byte[], byte[]> record(int partition, long offset, byte[] value) {
        return new ConsumerRecord<>(
                "tasks",
                partition,
                offset,
                STAMP,
                TimestampType.CREATE_TIME,
                1,
                value == null ? 0 : value.length,
                "k".getBytes(StandardCharsets.UTF_8),
                value,
                new RecordHeaders(),
                Optional.empty());
    }
}
