package dev.scheduler.engine.internal.store;

import static dev.scheduler.engine.internal.store.Claims.claimAsRead;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.TaskStatus;
import dev.scheduler.testkit.SchedulerInfrastructure;
import dev.scheduler.testkit.SchedulerInfrastructureExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Cassandra store against the testkit's real Cassandra, for what a fake cannot show: what a compare-and-set
 * answers when it is sent again after it applied (a write that applied, then reported a failure or a timeout,
 * is retried as is by the actors).
 */
@ExtendWith(SchedulerInfrastructureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CassandraTaskStoreIT {

    private static final Instant AT =
            Instant.now().truncatedTo(ChronoUnit.MILLIS).plusSeconds(3_600);

    private final SchedulerInfrastructure infra;
    private CqlSession session;
    private String keyspace;
    private CassandraTaskStore store;
    /** A store whose finished and cancelled rows expire after 2 s. */
    private CassandraTaskStore shortRetention;

    CassandraTaskStoreIT(SchedulerInfrastructure infra) {
        this.infra = infra;
    }

    @BeforeAll
    void createKeyspace() {
        session = CassandraSessions.open(List.of(infra.cassandraContactPoint()), infra.cassandraLocalDatacenter());
        keyspace = infra.uniqueKeyspaceName("store");
        EngineSettings settings = EngineSettings.defaults();
        new SchemaSetup(session, keyspace, settings, Clock.systemUTC()).prepare("tasks-store", 4);
        store = new CassandraTaskStore(session, keyspace, settings, Clock.systemUTC());
        shortRetention = new CassandraTaskStore(
                session,
                keyspace,
                settings.toBuilder().retention(Duration.ofSeconds(2)).build(),
                Clock.systemUTC());
    }

    @AfterAll
    void closeSession() {
        session.close();
    }

    /**
     * Issue 11, finding 3: a cancel that applied and then reported a failure was retried; the retry found the
     * status set, answered "not applied", and the task ran although its cancel was stored.
     */
    @Test
    void a_cancel_sent_again_after_it_applied_still_answers_that_the_key_is_cancelled() throws Exception {
        TaskKey key = TaskKey.of("cancel-twice", AT, "u");
        store.persist(0, List.of(Task.of(key, Map.of("k", "v"))))
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);

        Set<TaskKey> first = store.cancel(0, List.of(key)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        Set<TaskKey> again = store.cancel(0, List.of(key)).toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(first).containsExactly(key);
        assertThat(again).as("the retried cancel").containsExactly(key);
        assertThat(store.read(0, key).toCompletableFuture().get(10, TimeUnit.SECONDS))
                .hasValueSatisfying(row -> assertThat(row.status()).isEqualTo(TaskStatus.CANCELLED));
    }

    @Test
    void a_cancel_of_a_finished_task_does_not_take_effect() throws Exception {
        TaskKey key = TaskKey.of("cancel-finished", AT, "u");
        Task task = Task.of(key, Map.of());
        store.persist(0, List.of(task)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        store.recordOutcomes(
                        0,
                        List.of(new AttemptOutcome(
                                task, 1, AT, AT, TaskStatus.SUCCEEDED, null, AttemptResult.SUCCEEDED, null, null)))
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);

        assertThat(store.cancel(0, List.of(key)).toCompletableFuture().get(10, TimeUnit.SECONDS))
                .isEmpty();
    }

    /**
     * Issue 11, finding 3 (retry half): a reset that applied and then reported a failure was retried, found the
     * status no longer FAILED, and the task never entered memory; the checkpoint passed it.
     */
    @Test
    void a_retry_request_sent_again_after_its_reset_applied_still_answers_the_reset_row() throws Exception {
        TaskKey key = failedTask("reset-twice", AT.minusSeconds(10));
        RetryRequest request = new RetryRequest(key, AT);

        assertThat(get(store.resetFailed(0, List.of(request))))
                .extracting(r -> r.task().key())
                .containsExactly(key);
        assertThat(get(store.resetFailed(0, List.of(request))))
                .as("the same request, sent again")
                .extracting(r -> r.task().key())
                .containsExactly(key);
        assertThat(get(store.read(0, key)))
                .hasValueSatisfying(row -> assertThat(row.status()).isEqualTo(TaskStatus.PENDING));
    }

    /** Issue 11, finding 11: two retry requests of one failure ran the task twice more. */
    @Test
    void two_retry_requests_of_one_failure_reset_it_once() throws Exception {
        TaskKey key = failedTask("reset-two-requests", AT.minusSeconds(10));

        RetryRequest second = new RetryRequest(key, AT.plusMillis(30));
        assertThat(get(store.resetFailed(0, List.of(new RetryRequest(key, AT)))))
                .hasSize(1);
        assertThat(get(store.resetFailed(0, List.of(second))))
                .as("the second request, 30 ms later, while the task is pending again")
                .isEmpty();
        recordFailed(key, 2, AT.plusMillis(50)); // the retry ran at once and failed again

        assertThat(get(store.resetFailed(0, List.of(second))))
                .as("the second request, read after the new failure (a slow poll, a replay)")
                .isEmpty();
    }

    @Test
    void a_retry_request_replayed_after_the_task_failed_again_does_not_reset_it_again() throws Exception {
        TaskKey key = failedTask("reset-replayed", AT.minusSeconds(10));
        RetryRequest request = new RetryRequest(key, AT);
        assertThat(get(store.resetFailed(0, List.of(request)))).hasSize(1);
        recordFailed(key, 2, AT.plusSeconds(5)); // the retry ran and failed again

        assertThat(get(store.resetFailed(0, List.of(request))))
                .as("the record read again")
                .isEmpty();
        assertThat(get(store.resetFailed(0, List.of(new RetryRequest(key, AT.plusSeconds(6))))))
                .as("a new request after the new failure")
                .hasSize(1);
    }

    @Test
    void a_retry_request_older_than_the_failure_does_not_apply() throws Exception {
        TaskKey key = failedTask("reset-too-old", AT);
        assertThat(get(store.resetFailed(0, List.of(new RetryRequest(key, AT.minusSeconds(1))))))
                .isEmpty();
    }

    /**
     * Issue 11, finding 5: a load took the first page of a bucket and, with fewer rows than asked, moved on to the
     * next bucket; the rows of the bucket's later pages were never loaded and the checkpoint passed them.
     */
    @Test
    void a_load_reads_every_page_of_a_bucket_when_pages_come_short() throws Exception {
        CassandraTaskStore shortPages =
                new CassandraTaskStore(session, keyspace, EngineSettings.defaults(), Clock.systemUTC(), 2);
        Instant minute = AT.truncatedTo(ChronoUnit.MINUTES).plusSeconds(600);
        List<Task> tasks = List.of(
                Task.of(TaskKey.of("page-a", minute.plusSeconds(1), "u"), Map.of()),
                Task.of(TaskKey.of("page-b", minute.plusSeconds(2), "u"), Map.of()),
                Task.of(TaskKey.of("page-c", minute.plusSeconds(3), "u"), Map.of()),
                Task.of(TaskKey.of("page-d", minute.plusSeconds(4), "u"), Map.of()),
                Task.of(TaskKey.of("page-e", minute.plusSeconds(5), "u"), Map.of()));
        get(shortPages.persist(1, tasks));

        LoadResult loaded = get(shortPages.load(
                1,
                LoadBound.before(minute.toEpochMilli()),
                minute.plusSeconds(120).toEpochMilli(),
                10));

        assertThat(loaded.rows())
                .extracting(r -> r.task().key())
                .containsExactlyElementsOf(tasks.stream().map(Task::key).toList());
        assertThat(loaded.loadedThrough())
                .isEqualTo(LoadBound.before(minute.plusSeconds(120).toEpochMilli()));
    }

    /**
     * Issue 11, finding 7: a record dated in year 1 (a raw producer) lowered the checkpoint to its time, and every
     * load from there read one empty bucket after another, one query each: the tasks due on its partition waited
     * behind a walk of two thousand years of minutes. With the index a load steps from one non-empty bucket to the
     * next.
     */
    @Test
    void a_load_from_year_1_finds_that_task_and_one_due_now_in_a_few_queries() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        assertLoadsInFewQueries(20, Instant.parse("0001-01-01T00:00:00Z"), now);
    }

    /** The same for a retry of a task 30 days old: 43,200 empty minutes, 4 s late after every restart before. */
    @Test
    void a_load_from_30_days_ago_finds_that_task_and_one_due_now_in_a_few_queries() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        assertLoadsInFewQueries(21, now.minus(Duration.ofDays(30)), now);
    }

    private void assertLoadsInFewQueries(int partition, Instant old, Instant now) throws Exception {
        try (CountingSession counting = CountingSession.open(infra)) {
            CassandraTaskStore counted =
                    new CassandraTaskStore(counting.session(), keyspace, EngineSettings.defaults(), Clock.systemUTC());
            get(claimAsRead(counted, partition, "it"));
            List<Task> tasks = List.of(
                    Task.of(TaskKey.of("long-ago", old, "u"), Map.of()),
                    Task.of(TaskKey.of("now", now, "u"), Map.of()));
            get(counted.persist(partition, tasks));

            long before = counting.requests();
            LoadResult loaded = counted.load(
                            partition,
                            LoadBound.before(old.toEpochMilli()),
                            now.plusSeconds(60).toEpochMilli(),
                            100)
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS); // before the index: a walk of one query per empty minute, for years
            long queries = counting.requests() - before;
            System.out.println("a load from " + old + " to now: " + queries + " queries");

            assertThat(loaded.rows())
                    .extracting(r -> r.task().key())
                    .containsExactly(tasks.get(0).key(), tasks.get(1).key());
            // The bucket of each task, an index query after each, a write of the recorded frontier: not one per minute.
            assertThat(queries).isLessThanOrEqualTo(6);
        }
    }

    /**
     * Rows written without index rows, as a version 2 engine wrote them (a keyspace upgraded from version 2, or an
     * older engine that owned the partition during a rolling upgrade), are found by a walk bucket by bucket, which
     * indexes them: the next claim finds them by the index, without walking again.
     */
    @Test
    void rows_written_without_index_rows_by_an_older_engine_are_walked_once_then_found_by_the_index() throws Exception {
        int partition = 22;
        Instant start = AT.truncatedTo(ChronoUnit.MINUTES).plusSeconds(3_600);
        claimAsVersion2(partition, 1);
        TaskKey first = writeAsVersion2(partition, TaskKey.of("v2-a", start.plusSeconds(5), "u"));
        TaskKey later = writeAsVersion2(partition, TaskKey.of("v2-b", start.plusSeconds(7 * 60), "u"));
        long upTo = start.plusSeconds(20 * 60).toEpochMilli();

        try (CountingSession counting = CountingSession.open(infra)) {
            CassandraTaskStore upgraded =
                    new CassandraTaskStore(counting.session(), keyspace, EngineSettings.defaults(), Clock.systemUTC());
            get(claimAsRead(upgraded, partition, "v3"));
            long before = counting.requests();
            LoadResult walked = get(upgraded.load(partition, LoadBound.before(start.toEpochMilli()), upTo, 100));
            long walkQueries = counting.requests() - before;
            assertThat(walked.rows()).extracting(r -> r.task().key()).containsExactly(first, later);
            assertThat(walkQueries)
                    .as("a walk: one query per bucket, and the index rows it writes")
                    .isGreaterThanOrEqualTo(20);

            // A restart: the next claim continues the run of indexing claims, so the walk recorded holds.
            CassandraTaskStore restarted =
                    new CassandraTaskStore(counting.session(), keyspace, EngineSettings.defaults(), Clock.systemUTC());
            get(claimAsRead(restarted, partition, "v3"));
            before = counting.requests();
            LoadResult indexed = get(restarted.load(partition, LoadBound.before(start.toEpochMilli()), upTo, 100));
            assertThat(indexed.rows()).extracting(r -> r.task().key()).containsExactly(first, later);
            assertThat(counting.requests() - before).as("by the index").isLessThanOrEqualTo(6);
        }
    }

    /**
     * An older engine that owned the partition between two claims of this version wrote rows without index rows;
     * its claim does not write {@code indexed_epoch}, so the next claim walks from its bound again and finds them.
     */
    @Test
    void a_claim_by_an_older_engine_in_between_makes_the_next_owner_walk_again() throws Exception {
        int partition = 23;
        Instant start = AT.truncatedTo(ChronoUnit.MINUTES).plusSeconds(7_200);
        long upTo = start.plusSeconds(20 * 60).toEpochMilli();
        CassandraTaskStore first =
                new CassandraTaskStore(session, keyspace, EngineSettings.defaults(), Clock.systemUTC());
        get(claimAsRead(first, partition, "v3"));
        TaskKey indexed = TaskKey.of("v3-task", start.plusSeconds(1), "u");
        get(first.persist(partition, List.of(Task.of(indexed, Map.of()))));
        assertThat(get(first.load(partition, LoadBound.before(start.toEpochMilli()), upTo, 100))
                        .rows())
                .hasSize(1);

        claimAsVersion2(partition, 2); // a rolling upgrade rolled back, or an old instance restarted meanwhile
        TaskKey unindexed = writeAsVersion2(partition, TaskKey.of("v2-task", start.plusSeconds(9 * 60), "u"));

        CassandraTaskStore next =
                new CassandraTaskStore(session, keyspace, EngineSettings.defaults(), Clock.systemUTC());
        get(claimAsRead(next, partition, "v3"));
        assertThat(get(next.load(partition, LoadBound.before(start.toEpochMilli()), upTo, 100))
                        .rows())
                .extracting(r -> r.task().key())
                .containsExactly(indexed, unindexed);
    }

    /** A claim as engines before schema version 3 make it: {@code indexed_epoch} and {@code indexed_since} untouched. */
    private void claimAsVersion2(int partition, long epoch) {
        session.execute(
                "UPDATE " + keyspace + ".partition_owners SET epoch = ?, owner = 'v2', claimed_at = ?,"
                        + " released = false WHERE partition = ?",
                epoch,
                Instant.now(),
                partition);
    }

    /** A task row as engines before schema version 3 wrote it: no index row. */
    private TaskKey writeAsVersion2(int partition, TaskKey key) {
        session.execute(
                "UPDATE " + keyspace + ".tasks SET task_data = {'k': 'v'} WHERE partition = ? AND bucket = ?"
                        + " AND scheduled_time = ? AND ordering_id = ? AND uniqueness_key = ?",
                partition,
                Buckets.of(EngineSettings.defaults().bucketSize())
                        .bucketOf(key.scheduledTime().toEpochMilli()),
                key.scheduledTime(),
                key.orderingId(),
                key.uniquenessKey());
        return key;
    }

    /** A retry request or a cancel of a key never stored answers without failing (its answer has no columns). */
    @Test
    void a_retry_request_for_a_key_never_stored_is_not_applied_and_does_not_fail() throws Exception {
        TaskKey never = TaskKey.of("never-stored", AT, "u");
        assertThat(get(store.resetFailed(0, List.of(new RetryRequest(never, AT)))))
                .isEmpty();
    }

    /**
     * Issue 11, finding 4: a cancel set a TTL on the status alone; once it expired, the task's data was left and
     * the row read as pending, so a cancelled task due later than the retention ran at its time. Cancelled twice,
     * as a replayed cancel record does.
     */
    @Test
    void a_cancelled_task_due_later_than_the_retention_expires_whole() throws Exception {
        TaskKey key = TaskKey.of(
                "cancel-expires", Instant.now().truncatedTo(ChronoUnit.MILLIS).plusSeconds(4), "u");
        get(shortRetention.persist(0, List.of(Task.of(key, Map.of("k", "v")))));

        assertThat(get(shortRetention.cancel(0, List.of(key)))).containsExactly(key);
        assertThat(get(shortRetention.cancel(0, List.of(key)))).as("sent again").containsExactly(key);

        awaitExpiredWhole(key);
        assertThat(get(shortRetention.read(0, key))).isEmpty();
        assertThat(get(shortRetention.load(
                                0,
                                LoadBound.before(key.scheduledTime().toEpochMilli() - 1_000),
                                key.scheduledTime().toEpochMilli() + 1_000,
                                10))
                        .rows())
                .isEmpty();
    }

    /**
     * A cancel whose compare-and-set applied but whose rewrite of the row never happened (the engine failed
     * between the two writes) is replayed from Kafka: the replay finds the key cancelled and does the rewrite.
     */
    @Test
    void a_cancel_replayed_after_its_rewrite_failed_still_expires_whole() throws Exception {
        TaskKey key = TaskKey.of(
                "cancel-half-done", Instant.now().truncatedTo(ChronoUnit.MILLIS).plusSeconds(60), "u");
        get(shortRetention.persist(0, List.of(Task.of(key, Map.of("k", "v")))));
        session.execute(com.datastax.oss.driver.api.core.cql.SimpleStatement.newInstance(
                "UPDATE " + keyspace + ".tasks USING TTL 2 SET status = 'CANCELLED' WHERE partition = 0"
                        + " AND bucket = ? AND scheduled_time = ? AND ordering_id = ? AND uniqueness_key = ?"
                        + " IF status = null",
                bucket(key),
                key.scheduledTime(),
                key.orderingId(),
                key.uniquenessKey()));

        assertThat(get(shortRetention.cancel(0, List.of(key)))).as("the replay").containsExactly(key);

        awaitExpiredWhole(key);
    }

    /**
     * Issue 11, finding 4: a finished key scheduled again had its data rewritten without a TTL, so the row read as
     * pending once the finished status expired. A load that meets it, or a read, makes the data expire with the
     * status.
     */
    @Test
    void a_finished_key_scheduled_again_expires_whole_once_loaded_or_read() throws Exception {
        Instant due = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(5);
        TaskKey loaded = TaskKey.of("finished-again-loaded", due, "u");
        TaskKey read = TaskKey.of("finished-again-read", due, "u");
        for (TaskKey key : List.of(loaded, read)) {
            Task task = Task.of(key, Map.of("k", "v"));
            get(shortRetention.persist(0, List.of(task)));
            get(shortRetention.recordOutcomes(
                    0,
                    List.of(new AttemptOutcome(
                            task, 1, due, due, TaskStatus.SUCCEEDED, null, AttemptResult.SUCCEEDED, null, null))));
            get(shortRetention.persist(0, List.of(task))); // scheduled again: a producer's retry, a replay
        }

        assertThat(get(shortRetention.load(0, LoadBound.before(due.toEpochMilli()), due.toEpochMilli() + 1, 10))
                        .rows())
                .filteredOn(r -> r.task().key().equals(loaded))
                .singleElement()
                .satisfies(r -> assertThat(r.status()).isEqualTo(TaskStatus.SUCCEEDED));
        assertThat(get(shortRetention.read(0, read)))
                .hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(TaskStatus.SUCCEEDED));

        awaitExpiredWhole(loaded);
        awaitExpiredWhole(read);
    }

    /**
     * A cancel of a task due further ahead than the retention is kept until the retention after the task's time:
     * a schedule of the key that comes after the cancel writes data without a TTL, and the loader, which reaches
     * the key near its time, must still find it cancelled to make that data expire.
     */
    @Test
    void a_cancel_is_kept_until_the_retention_after_the_task_time() throws Exception {
        TaskKey key = TaskKey.of(
                "cancel-kept", Instant.now().truncatedTo(ChronoUnit.MILLIS).plusSeconds(600), "u");
        assertThat(get(shortRetention.cancel(0, List.of(key)))).containsExactly(key); // before it is scheduled
        get(shortRetention.persist(0, List.of(Task.of(key, Map.of("k", "v")))));

        Row row = rawRow(key);
        assertThat(row.getInt("status_ttl")).as("the status's TTL, in seconds").isGreaterThan(500);
        assertThat(get(shortRetention.read(0, key)))
                .hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(TaskStatus.CANCELLED));
        assertThat(rawRow(key).isNull("data_ttl"))
                .as("the data has a TTL once read")
                .isFalse();
    }

    /**
     * A FAILED row was written with the retention's TTL; an operator's retry set its status to null alone, so the
     * data of a task that then waited longer than the rest of the retention expired, and it ran with none.
     */
    @Test
    void a_task_reset_by_a_retry_keeps_its_data_however_long_it_waits() throws Exception {
        TaskKey key = TaskKey.of("reset-keeps-data", AT.minusSeconds(60), "u");
        Task task = Task.of(key, Map.of("k", "v"));
        get(shortRetention.persist(0, List.of(task)));
        Instant failedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        get(shortRetention.recordOutcomes(
                0,
                List.of(new AttemptOutcome(
                        task, 1, failedAt, failedAt, TaskStatus.FAILED, null, AttemptResult.FAILED, "E", "down"))));
        Instant written = Instant.now();
        await().atMost(Duration.ofSeconds(1)).until(() -> Instant.now().isAfter(written.plusMillis(2)));

        assertThat(get(shortRetention.resetFailed(0, List.of(new RetryRequest(key, failedAt.plusMillis(1))))))
                .singleElement()
                .satisfies(r -> assertThat(r.task().data()).containsEntry("k", "v"));

        Row row = rawRow(key);
        assertThat(row.isNull("status")).isTrue();
        assertThat(row.isNull("data_ttl"))
                .as("the data's TTL once pending again")
                .isTrue();
    }

    /**
     * Polls the row, without the store's reads (which would repair it), until it is gone, and fails at once if
     * it ever reads as pending: a status gone with data left.
     */
    private void awaitExpiredWhole(TaskKey key) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    Row row = rawRow(key);
                    if (row != null) {
                        assertThat(row.getString("status"))
                                .as("the status of %s while its row is there", key)
                                .isNotNull();
                    }
                    return row == null;
                });
    }

    private Row rawRow(TaskKey key) {
        return session.execute(com.datastax.oss.driver.api.core.cql.SimpleStatement.newInstance(
                        "SELECT status, task_data, TTL(status) AS status_ttl, TTL(task_data) AS data_ttl FROM "
                                + keyspace + ".tasks WHERE partition = 0 AND bucket = ? AND scheduled_time = ?"
                                + " AND ordering_id = ? AND uniqueness_key = ?",
                        bucket(key),
                        key.scheduledTime(),
                        key.orderingId(),
                        key.uniquenessKey()))
                .one();
    }

    private static long bucket(TaskKey key) {
        return Buckets.of(EngineSettings.defaults().bucketSize())
                .bucketOf(key.scheduledTime().toEpochMilli());
    }

    private TaskKey failedTask(String orderingId, Instant failedAt) throws Exception {
        TaskKey key = TaskKey.of(orderingId, AT.minusSeconds(60), "u");
        get(store.persist(0, List.of(Task.of(key, Map.of()))));
        recordFailed(key, 1, failedAt);
        return key;
    }

    private void recordFailed(TaskKey key, int attempt, Instant finishedAt) throws Exception {
        get(store.recordOutcomes(
                0,
                List.of(new AttemptOutcome(
                        Task.of(key, Map.of()),
                        attempt,
                        finishedAt.minusMillis(5),
                        finishedAt,
                        TaskStatus.FAILED,
                        null,
                        AttemptResult.FAILED,
                        IllegalStateException.class.getName(),
                        "down"))));
        // The reset that follows is a compare-and-set, timestamped by the server at millisecond precision; this
        // write was timestamped by the driver in microseconds. Within one millisecond the reset could lose to it
        // (Cassandra's caveat on mixing the two on one cell); an operator's retry comes much later than this.
        Instant written = Instant.now();
        await().atMost(Duration.ofSeconds(1)).until(() -> Instant.now().isAfter(written.plusMillis(2)));
    }

    private static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Issue 13: an idle engine's renewals were 80 % of its requests to Cassandra; they now go as one read. */
    @Test
    void lease_renewals_of_many_partitions_asked_at_once_are_one_request_and_each_reads_its_own_row() throws Exception {
        try (CountingSession counting = CountingSession.open(infra)) {
            CassandraTaskStore counted =
                    new CassandraTaskStore(counting.session(), keyspace, EngineSettings.defaults(), Clock.systemUTC());
            int first = 200;
            for (int p = first; p < first + 16; p++) {
                claimAsRead(counted, p, "owner-" + p).toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            // Once first, so that no class loading or compiling of the first call stretches the loop past the window.
            counted.readOwnerForLease(first).toCompletableFuture().get(10, TimeUnit.SECONDS);
            long before = counting.requests();
            List<CompletableFuture<Optional<OwnerRow>>> reads = new ArrayList<>();
            for (int p = first; p < first + 17; p++) { // the last one has no row
                reads.add(counted.readOwnerForLease(p).toCompletableFuture());
            }
            for (int p = first; p < first + 16; p++) {
                OwnerRow row = reads.get(p - first).get(10, TimeUnit.SECONDS).orElseThrow();
                assertThat(row.owner()).isEqualTo("owner-" + p);
                assertThat(row.epoch()).isEqualTo(1);
            }
            assertThat(reads.get(16).get(10, TimeUnit.SECONDS)).isEmpty();
            // One, unless a pause of this JVM split the 5 ms window in two (17 without the grouping).
            assertThat(counting.requests() - before)
                    .as("requests for 17 renewals")
                    .isBetween(1L, 2L);
        }
    }
}
