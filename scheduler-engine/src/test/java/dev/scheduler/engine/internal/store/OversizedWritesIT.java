package dev.scheduler.engine.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.EngineSettings;
import dev.scheduler.testkit.ForkedCassandra;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Writes larger than Cassandra takes (issue 11, finding 10), on a node of their own: after the module's other
 * integration tests, the shared node (512 MiB heap, exits on an out-of-memory error) did not survive them, and every
 * test after them failed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OversizedWritesIT {

    private static final Instant AT =
            Instant.now().truncatedTo(ChronoUnit.MILLIS).plusSeconds(3_600);

    private ForkedCassandra cassandra;
    private CqlSession session;
    private CassandraTaskStore store;

    @BeforeAll
    void start() {
        cassandra = ForkedCassandra.builder().start();
        session = CassandraSessions.open(List.of(cassandra.contactPoint()), cassandra.localDatacenter());
        String keyspace = "oversized";
        EngineSettings settings = EngineSettings.defaults();
        new SchemaSetup(session, keyspace, settings, Clock.systemUTC()).prepare("tasks-oversized", 4);
        store = new CassandraTaskStore(session, keyspace, settings, Clock.systemUTC());
    }

    @AfterAll
    void stop() {
        if (session != null) {
            session.close();
        }
        if (cassandra != null) {
            cassandra.close();
        }
    }

    /**
     * Issue 11, finding 10: one batch of a bucket's tasks larger than Cassandra takes in one mutation (half its
     * commit log segment: 4 MiB in the testkit) was refused every time, and retried forever. It is split.
     */
    @Test
    void a_batch_too_large_for_one_mutation_is_split_and_stored() throws Exception {
        Instant minute = AT.truncatedTo(ChronoUnit.MINUTES).plusSeconds(1_200);
        // 100 x 44 KiB: more than the 4 MiB one mutation may take, little enough for the shared node's 512 MiB heap
        // (100 x 60 KiB, written at once, made the node run out of it after the module's other tests).
        String data = "x".repeat(44 * 1024);
        List<Task> tasks = java.util.stream.IntStream.range(0, 100)
                .mapToObj(i -> Task.of(TaskKey.of("big-batch-" + i, minute.plusMillis(i), "u"), Map.of("d", data)))
                .toList();

        get(store.persist(2, tasks));

        LoadResult loaded = get(store.load(
                2,
                LoadBound.before(minute.toEpochMilli()),
                minute.plusSeconds(1).toEpochMilli(),
                1_000));
        assertThat(loaded.rows()).hasSize(100);
    }

    /**
     * A task too large for Cassandra alone is refused every time: the store names it, after storing the others of
     * the call, so that the caller can set it aside.
     */
    @Test
    void a_task_too_large_for_cassandra_is_refused_by_name_and_the_others_are_stored() throws Exception {
        Instant minute = AT.truncatedTo(ChronoUnit.MINUTES).plusSeconds(1_320);
        Task small = Task.of(TaskKey.of("small-before", minute, "u"), Map.of());
        Task huge = Task.of(TaskKey.of("huge", minute.plusMillis(1), "u"), Map.of("d", "x".repeat(5 * 1024 * 1024)));
        Task after = Task.of(TaskKey.of("small-after", minute.plusMillis(2), "u"), Map.of());

        assertThat(store.persist(2, List.of(small, huge, after)).toCompletableFuture())
                .failsWithin(Duration.ofSeconds(30))
                .withThrowableThat()
                .havingCause()
                .isInstanceOfSatisfying(
                        RejectedTasksException.class,
                        e -> assertThat(e.reasons())
                                .containsOnlyKeys(huge.key())
                                .allSatisfy((key, reason) -> assertThat(reason)
                                        .as("the driver's error")
                                        .startsWith("InvalidQueryException")));
        assertThat(get(store.read(2, small.key()))).isPresent();
        assertThat(get(store.read(2, after.key()))).isPresent();
        assertThat(get(store.read(2, huge.key()))).isEmpty();
    }

    private static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
