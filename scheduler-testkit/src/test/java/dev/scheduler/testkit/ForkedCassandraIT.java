package dev.scheduler.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ForkedCassandraIT {

    private static final int ROWS = 2_000;

    private ForkedCassandra cassandra;

    @BeforeAll
    void startNode() {
        long start = System.nanoTime();
        cassandra = ForkedCassandra.builder().start();
        System.out.printf("cassandra start: %d ms%n", millisSince(start));
    }

    @AfterAll
    void closeNode() {
        if (cassandra != null) {
            cassandra.close();
            assertThat(cassandra.nodeDirectory()).doesNotExist();
        }
    }

    @Test
    @Order(1)
    void acknowledged_writes_survive_a_sigkill_and_a_restart() throws Exception {
        try (CqlSession session = CqlSessions.connect(cassandra.contactPoint(), cassandra.localDatacenter())) {
            session.execute(
                    "CREATE KEYSPACE crash WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
            session.execute("CREATE TABLE crash.tasks (id int PRIMARY KEY, payload text)");
            writeRows(session, "crash.tasks");
        }
        long pid = cassandra.pid();

        cassandra.kill();

        assertThat(cassandra.isRunning()).isFalse();
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
        long restart = System.nanoTime();
        cassandra.start();
        System.out.printf("cassandra restart after SIGKILL: %d ms%n", millisSince(restart));
        assertThat(cassandra.pid()).isNotEqualTo(pid);
        try (CqlSession session = CqlSessions.connect(cassandra.contactPoint(), cassandra.localDatacenter())) {
            assertThat(readRows(session, "crash.tasks")).isEqualTo(expectedRows());
        }
    }

    @Test
    @Order(2)
    void a_gracefully_stopped_node_restarts_with_its_data() throws Exception {
        try (CqlSession session = CqlSessions.connect(cassandra.contactPoint(), cassandra.localDatacenter())) {
            session.execute(
                    "CREATE KEYSPACE graceful WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
            session.execute("CREATE TABLE graceful.tasks (id int PRIMARY KEY, payload text)");
            writeRows(session, "graceful.tasks");
        }

        long stop = System.nanoTime();
        cassandra.stop();
        System.out.printf("cassandra graceful stop: %d ms%n", millisSince(stop));
        assertThat(cassandra.isRunning()).isFalse();
        long restart = System.nanoTime();
        cassandra.start();
        System.out.printf("cassandra restart after graceful stop: %d ms%n", millisSince(restart));

        try (CqlSession session = CqlSessions.connect(cassandra.contactPoint(), cassandra.localDatacenter())) {
            assertThat(readRows(session, "graceful.tasks")).isEqualTo(expectedRows());
            assertThat(readRows(session, "crash.tasks")).isEqualTo(expectedRows());
        }
        assertThat(cassandra.logFile()).exists();
        assertThat(Files.readString(cassandra.logFile())).contains("Starting listening for CQL clients");
    }

    @Test
    @Order(3)
    void a_node_that_cannot_start_reports_the_end_of_its_log() {
        try (ForkedCassandra broken = ForkedCassandra.builder()
                .jvmOption("-Dcassandra.config=file:///nonexistent/cassandra.yaml")
                .startTimeout(Duration.ofSeconds(60))
                .build()) {
            assertThatThrownBy(broken::start)
                    .isInstanceOf(InfrastructureException.class)
                    .hasMessageContaining("exited with code")
                    .hasMessageContaining("nonexistent");
            await().atMost(Duration.ofSeconds(10)).until(() -> !broken.isRunning());
        }
    }

    private static void writeRows(CqlSession session, String table) throws Exception {
        PreparedStatement insert = session.prepare("INSERT INTO " + table + " (id, payload) VALUES (?, ?)");
        Semaphore inFlight = new Semaphore(128);
        List<CompletableFuture<AsyncResultSet>> writes = new ArrayList<>();
        for (int id = 0; id < ROWS; id++) {
            inFlight.acquire();
            CompletionStage<AsyncResultSet> write =
                    session.executeAsync(insert.bind(id, "payload-" + id).setConsistencyLevel(ConsistencyLevel.ONE));
            write.whenComplete((result, error) -> inFlight.release());
            writes.add(write.toCompletableFuture());
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    private static Map<Integer, String> readRows(CqlSession session, String table) {
        Map<Integer, String> rows = new HashMap<>();
        for (Row row : session.execute("SELECT id, payload FROM " + table)) {
            rows.put(row.getInt("id"), row.getString("payload"));
        }
        return rows;
    }

    private static Map<Integer, String> expectedRows() {
        Map<Integer, String> rows = new HashMap<>();
        for (int id = 0; id < ROWS; id++) {
            rows.put(id, "payload-" + id);
        }
        return rows;
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
