package dev.scheduler.engine.admin;

import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskInfo;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * What an operator can see of the scheduler and do to it, from any instance of the service, without a rebalance
 * or a restart: get it from {@code SchedulerEngine.admin()}. The admin HTTP server ({@link AdminServer}) is a
 * JSON face of this interface.
 *
 * <p>Reads go to Cassandra (at the engine's read consistency) and see every partition, wherever it is owned;
 * what only an owner knows (tasks in memory, consumer lag) is given for the partitions this instance owns.
 * Cancels and retries are published to the topic like a client's, so that the partition's owner carries them
 * out in order with the task's other records.
 *
 * <p>Every method returning a stage completes it exceptionally rather than throwing: with
 * {@link IllegalArgumentException} for a bad argument (a page token of another query, a partition the topic
 * does not have), with {@link AdminException} for a request that cannot be carried out, or with the store's
 * or Kafka's exception. Blocking reads run on the engine's admin threads, never the caller's. Thread-safe.
 */
public interface AdminService {

    /** One task with its attempt history, or empty when no task with that key is stored. */
    CompletionStage<Optional<TaskInfo>> task(TaskKey key);

    /** A page of the tasks that {@code query} selects; see {@link TaskQuery} for what a page reads. */
    CompletionStage<TaskPage> tasks(TaskQuery query);

    /**
     * A page of the records set aside as unreadable or invalid, by partition and offset.
     *
     * @param partition one partition only, or null for all
     * @param pageSize 1 to {@value TaskQuery#MAX_PAGE_SIZE}
     * @param pageToken from the previous page, or null
     */
    CompletionStage<DeadLetterPage> deadLetters(Integer partition, int pageSize, String pageToken);

    /**
     * Cancels a task that has not finished, through {@code SchedulerEngine.cancelTask}: it will not start (an
     * attempt already running finishes). Fails with
     * {@link AdminException} NOT_FOUND for an unknown key and CONFLICT for a finished task.
     *
     * @return completes once Kafka acknowledged the cancel; the owner applies it within moments
     */
    CompletionStage<Void> cancel(TaskKey key);

    /**
     * Runs a FAILED task again now, through {@code SchedulerEngine.retryTask}. Fails with {@link AdminException}
     * NOT_FOUND for an unknown key and CONFLICT for a task that did not fail.
     *
     * @return completes once Kafka acknowledged the request; the owner starts the task within moments
     */
    CompletionStage<Void> retry(TaskKey key);

    /**
     * Every partition of the topic: owner, checkpoint, overdue tasks, and for owned ones their in-memory state.
     *
     * @param overdueAfter a task counts as overdue once it is this late and unfinished
     */
    CompletionStage<List<PartitionView>> partitions(Duration overdueAfter);

    /** Liveness and readiness of this instance; answered from memory, without I/O. */
    Health health();

    /** This instance at a glance; answered from memory, without I/O. */
    Overview overview();

    /** The registry's Prometheus text exposition, when the engine records metrics in a Prometheus registry. */
    Optional<String> prometheusScrape();
}
