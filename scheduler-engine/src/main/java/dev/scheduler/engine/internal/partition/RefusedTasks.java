package dev.scheduler.engine.internal.partition;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.client.wire.ScheduleTask;
import dev.scheduler.client.wire.TaskRecordCodec;
import dev.scheduler.engine.internal.store.DeadLetter;
import dev.scheduler.engine.internal.store.RejectedTasksException;
import dev.scheduler.engine.internal.store.TaskStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;

/**
 * What {@link TaskPersister} does with tasks Cassandra refuses every time ({@link RejectedTasksException}): it sets
 * their records aside as dead letters, as the poll thread does with records it cannot read, so that the rest of
 * the batch is reported durable and the partition's offset moves on. Retrying them would stall the partition
 * forever.
 */
final class RefusedTasks {

    /** A dead letter keeps the record's bytes up to this size; beyond it, Kafka keeps them at the offset. */
    static final int MAX_RAW_BYTES = 256 * 1024;

    private final int partition;
    private final TaskStore store;
    private final Logger log;

    RefusedTasks(int partition, TaskStore store, Logger log) {
        this.partition = partition;
        this.store = store;
        this.log = log;
    }

    /**
     * The keys set aside when {@code error} says the store refused some of {@code tasks} and stored the others;
     * otherwise the error again, so that the write is retried as a whole.
     *
     * @param offsets each task's Kafka offset, in the order of {@code tasks}
     */
    CompletableFuture<Set<TaskKey>> setAside(Throwable error, List<Task> tasks, List<Long> offsets) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (!(cause instanceof RejectedTasksException refused)) {
            return CompletableFuture.failedFuture(cause);
        }
        List<DeadLetter> letters = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            Task t = tasks.get(i);
            String reason = refused.reasons().get(t.key());
            if (reason != null) {
                long offset = i < offsets.size() ? offsets.get(i) : -1;
                letters.add(letter(t, offset, reason));
            }
        }
        return store.deadLetter(letters).toCompletableFuture().thenApply(v -> {
            letters.forEach(d -> log.warn(
                    "partition {} offset {}: task refused by Cassandra every time, set aside: {}",
                    partition,
                    d.offset(),
                    d.reason()));
            return refused.reasons().keySet();
        });
    }

    private DeadLetter letter(Task t, long offset, String reason) {
        byte[] raw = TaskRecordCodec.encode(new ScheduleTask(t));
        String why = "refused by Cassandra: " + reason;
        if (raw.length > MAX_RAW_BYTES) {
            why += " (the record, " + raw.length + " bytes encoded, is not kept here: read it from Kafka at offset "
                    + offset + ")";
            raw = null;
        }
        return new DeadLetter(partition, offset, t.key().orderingId(), raw, why);
    }

    /** {@code tasks} without those of the refused keys. */
    static List<Task> without(List<Task> tasks, Set<TaskKey> refused) {
        return refused.isEmpty()
                ? tasks
                : tasks.stream().filter(t -> !refused.contains(t.key())).toList();
    }
}
