package dev.scheduler.examples.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import dev.scheduler.engine.Replication;
import dev.scheduler.engine.SchemaCql;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Diagnosis, only when named ({@code --scenario store-rate}): what Cassandra spends per write at a moderate rate, by
 * how many writes share a request. For {@code --duration} each (at most 30 s), {@code --rate} task rows a second
 * are written as the persister writes them, one row per Kafka partition in turn, in requests of 1, 2, 4, 8 and 16
 * rows (an unlogged batch across that many Cassandra partitions), at {@code --rate} divided by that many requests
 * a second. At 1,000 tasks/s the engine sends about 1.2 requests per task, nearly all of one row; the figure says
 * what grouping the writes of all partitions into fewer requests would save Cassandra.
 */
final class StoreRateScenario {

    private static final int[] ROWS_PER_REQUEST = {1, 2, 4, 8, 16};

    private final BenchContext ctx;

    StoreRateScenario(BenchContext ctx) {
        this.ctx = ctx;
    }

    List<ScenarioResult> run() {
        BenchOptions o = ctx.options();
        Duration each = o.duration().compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30) : o.duration();
        String keyspace = ctx.keyspace("storerate");
        List<ScenarioResult> results = new ArrayList<>();
        try (CqlSession session = ctx.storeSession()) {
            for (String statement : SchemaCql.statements(keyspace, Replication.simple(1))) {
                session.execute(SimpleStatement.newInstance(statement).setTimeout(Duration.ofSeconds(30)));
            }
            PreparedStatement persist = session.prepare("UPDATE " + keyspace + ".tasks SET task_data = ?"
                    + " WHERE partition = ? AND bucket = ? AND scheduled_time = ? AND ordering_id = ?"
                    + " AND uniqueness_key = ?");
            long number = 0;
            for (int rows : ROWS_PER_REQUEST) {
                ScenarioResult result = new ScenarioResult(
                        "store-rate", "store: " + ScenarioResult.number(o.rate()) + " rows/s, " + rows + " a request");
                double waited = ctx.quiesce();
                result.settings.put("rowsPerSecond", o.rate());
                result.settings.put("rowsPerRequest", rows);
                result.settings.put("seconds", each.toSeconds());
                result.settings.put("quiesceSeconds", waited);
                long requests = Math.round(o.rate() * each.toNanos() / 1e9 / rows);
                double intervalNanos = 1e9 * rows / o.rate();
                LongAdder failed = new LongAdder();
                LongAdder answered = new LongAdder();
                AtomicReference<Throwable> firstFailure = new AtomicReference<>();
                CpuMeter.Snapshot before = ctx.cpu().snapshot();
                long first = System.nanoTime();
                for (long r = 0; r < requests; r++) {
                    long due = first + (long) (r * intervalNanos);
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    List<Statement<?>> writes = new ArrayList<>();
                    for (int i = 0; i < rows; i++, number++) {
                        Instant time = Instant.now().truncatedTo(ChronoUnit.MILLIS);
                        int partition = (int) (number % o.partitions());
                        writes.add(persist.bind(
                                BenchContext.data(number),
                                partition,
                                Math.floorDiv(time.toEpochMilli(), 60_000L),
                                time,
                                ctx.orderingId(number),
                                Executions.uniquenessKey("t", number)));
                    }
                    Statement<?> request;
                    if (rows == 1) {
                        request = writes.get(0);
                    } else {
                        BatchStatementBuilder b = BatchStatement.builder(DefaultBatchType.UNLOGGED);
                        writes.forEach(
                                w -> b.addStatement((com.datastax.oss.driver.api.core.cql.BatchableStatement<?>) w));
                        request = b.build();
                    }
                    session.executeAsync(request.setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM))
                            .whenComplete((rs, e) -> {
                                if (e != null) {
                                    failed.increment();
                                    firstFailure.compareAndSet(null, e);
                                }
                                answered.increment();
                            });
                }
                // Every request answered (a timeout takes up to 10 s), so that no failure goes uncounted.
                boolean allAnswered =
                        BenchContext.awaitCondition(Duration.ofSeconds(15), () -> answered.sum() == requests);
                CpuMeter.Snapshot after = ctx.cpu().snapshot();
                result.cpu = CpuMeter.Usage.between(before, after);
                result.cpuItems = requests * rows;
                if (!allAnswered) {
                    result.clean = false;
                    result.notes.add((requests - answered.sum()) + " requests not answered within 15 s");
                }
                result.headline = ScenarioResult.number(result.cpuItems / each.toSeconds()) + " rows/s in "
                        + ScenarioResult.number(requests / (double) each.toSeconds()) + " requests/s; Cassandra "
                        + Math.round(result.cpu.cassandra() * 1e6 * result.cpu.wallSeconds() / result.cpuItems)
                        + " µs per row";
                result.figures.put("requests", requests);
                result.figures.put("failed", failed.sum());
                double cassandraMicros = result.cpu.cassandra() * 1e6 * result.cpu.wallSeconds();
                result.figures.put("cassandraMicrosPerRow", Math.round(cassandraMicros / result.cpuItems));
                result.figures.put("cassandraMicrosPerRequest", Math.round(cassandraMicros / requests));
                if (failed.sum() > 0) {
                    result.clean = false;
                    result.notes.add(failed.sum() + " writes failed: " + firstFailure.get());
                }
                results.add(result);
            }
        }
        return results;
    }
}
