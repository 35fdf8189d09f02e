package dev.scheduler.examples.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
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
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Diagnosis, not one of the scenarios (run it with {@code --scenario store}): what each Cassandra call
 * the engine makes per task costs Cassandra, alone. It runs {@code --tasks} tasks through each call in turn,
 * straight through the driver, and reads Cassandra's CPU time during the calls and until Cassandra is quiet again
 * (memtable flushes and compactions they caused). The statements, batching and concurrency mirror
 * {@code CassandraTaskStore}: writes in unlogged batches of at most 100 statements per Cassandra partition (Kafka
 * partition, one-minute bucket). The steps:
 * <ol>
 *   <li>persist: the task row, as the persister writes it;</li>
 *   <li>attempt start, a single-row write: written for every attempt before commit 0bee091, since then only for
 *       attempts running longer than 500 ms;</li>
 *   <li>attempt start batched like the others (as attempt 2, new rows), for comparison: the engine never does
 *       this;</li>
 *   <li>outcome: the task row rewritten as finished and the attempt row, in one batch;</li>
 *   <li>load: a range read of a partition's schedule from one key to 2 ms later (a row or two), the kind of read a
 *       partition makes when its loaded window has moved by a few milliseconds.</li>
 * </ol>
 */
final class StoreCostScenario {

    private static final int MAX_BATCH = 100;
    private static final int TTL_SECONDS = (int) Duration.ofDays(14).toSeconds();
    /** Batches (and loads) in flight: one per partition, as the engine's persisters and loaders. */
    private static final int BATCHES_IN_FLIGHT = 16;
    /** Single-row writes in flight, as many as the engine's runners start at once at most. */
    private static final int SINGLES_IN_FLIGHT = 256;

    private final BenchContext ctx;

    StoreCostScenario(BenchContext ctx) {
        this.ctx = ctx;
    }

    List<ScenarioResult> run() {
        int tasks = ctx.options().tasks();
        int partitions = ctx.options().partitions();
        String keyspace = ctx.keyspace("store");
        List<ScenarioResult> results = new ArrayList<>();
        try (CqlSession session = ctx.storeSession()) {
            Duration ddl = Duration.ofSeconds(30);
            for (String statement : SchemaCql.statements(keyspace, Replication.simple(1))) {
                session.execute(SimpleStatement.newInstance(statement).setTimeout(ddl));
            }
            String key = " WHERE partition = ? AND bucket = ? AND scheduled_time = ? AND ordering_id = ?"
                    + " AND uniqueness_key = ?";
            PreparedStatement persist = session.prepare("UPDATE " + keyspace + ".tasks SET task_data = ?" + key);
            PreparedStatement start = session.prepare("UPDATE " + keyspace + ".task_attempts USING TTL ?"
                    + " SET started_at = ?" + key + " AND attempt = ?");
            PreparedStatement finish = session.prepare("UPDATE " + keyspace + ".tasks USING TTL ? SET task_data = ?,"
                    + " status = ?, attempts = ?, next_attempt_at = null, last_error = ?, updated_at = ?" + key);
            PreparedStatement attempt = session.prepare("UPDATE " + keyspace + ".task_attempts USING TTL ?"
                    + " SET started_at = ?, finished_at = ?, result = ?, error_class = ?, error_message = ?" + key
                    + " AND attempt = ?");
            Instant base = Instant.now().truncatedTo(ChronoUnit.MINUTES);
            Instant now = Instant.now();
            TaskRow[] rows = new TaskRow[tasks];
            for (int i = 0; i < tasks; i++) {
                // A task per ms per partition: about 16,000 tasks a minute fill one bucket per partition.
                Instant time = base.plusMillis(i / partitions);
                rows[i] = new TaskRow(
                        i % partitions,
                        Math.floorDiv(time.toEpochMilli(), 60_000L),
                        time,
                        ctx.orderingId(i),
                        Executions.uniquenessKey("t", i),
                        BenchContext.data(i));
            }
            results.add(measure(
                    session,
                    "store: persist (batched)",
                    "persist",
                    tasks,
                    partitions,
                    rows,
                    r -> List.of(persist.bind(r.data, r.partition, r.bucket, r.time, r.orderingId, r.unique))));
            results.add(measure(
                    session,
                    "store: attempt start (single row)",
                    "start",
                    tasks,
                    0,
                    rows,
                    r -> List.of(
                            start.bind(TTL_SECONDS, now, r.partition, r.bucket, r.time, r.orderingId, r.unique, 1))));
            results.add(measure(
                    session,
                    "store: attempt start, if batched (not what the engine does)",
                    "start-batched",
                    tasks,
                    partitions,
                    rows,
                    r -> List.of(
                            start.bind(TTL_SECONDS, now, r.partition, r.bucket, r.time, r.orderingId, r.unique, 2))));
            results.add(measure(
                    session,
                    "store: outcome (batched, 2 rows)",
                    "outcome",
                    tasks,
                    partitions,
                    rows,
                    r -> List.of(
                            finish.bind(
                                    TTL_SECONDS,
                                    r.data,
                                    "SUCCEEDED",
                                    1,
                                    null,
                                    now,
                                    r.partition,
                                    r.bucket,
                                    r.time,
                                    r.orderingId,
                                    r.unique),
                            attempt.bind(
                                    TTL_SECONDS,
                                    now,
                                    now,
                                    "SUCCEEDED",
                                    null,
                                    null,
                                    r.partition,
                                    r.bucket,
                                    r.time,
                                    r.orderingId,
                                    r.unique,
                                    1))));
            PreparedStatement load = session.prepare("SELECT scheduled_time, ordering_id, uniqueness_key, task_data,"
                    + " status, attempts, next_attempt_at, last_error FROM " + keyspace + ".tasks WHERE partition = ?"
                    + " AND bucket = ? AND (scheduled_time, ordering_id, uniqueness_key) > (?, ?, ?)"
                    + " AND (scheduled_time) < (?) LIMIT ?");
            results.add(measure(
                    session,
                    "store: load (range read of 2 ms)",
                    "load",
                    tasks,
                    0,
                    rows,
                    r -> List.of(load.bind(
                            r.partition, r.bucket, r.time, r.orderingId, r.unique, r.time.plusMillis(2), 2_000))));
        }
        return results;
    }

    private record TaskRow(
            int partition, long bucket, Instant time, String orderingId, String unique, Map<String, String> data) {}

    /**
     * Writes the statements of every task: batched per (partition, bucket) when {@code partitions > 0}, each alone
     * otherwise.
     */
    private ScenarioResult measure(
            CqlSession session,
            String label,
            String step,
            int tasks,
            int partitions,
            TaskRow[] rows,
            Function<TaskRow, List<BoundStatement>> bind) {
        boolean read = step.equals("load");
        int inFlight = partitions > 0 || read ? BATCHES_IN_FLIGHT : SINGLES_IN_FLIGHT;
        ScenarioResult result = new ScenarioResult("store-" + step, label);
        result.settings.put("tasks", tasks);
        result.settings.put("batched", partitions > 0);
        result.settings.put("inFlight", inFlight);
        result.settings.put("consistency", "LOCAL_QUORUM");
        double waited = ctx.quiesce();
        result.figures.put("quietAfterSeconds", waited);
        List<Statement<?>> statements = new ArrayList<>();
        int written = 0;
        if (partitions > 0) {
            // Tasks come in time order; group consecutive ones per partition as a persister's poll would.
            int perCall = 300;
            for (int from = 0; from < tasks; from += perCall * partitions) {
                for (int p = 0; p < partitions; p++) {
                    List<BoundStatement> chunk = new ArrayList<>();
                    long bucket = Long.MIN_VALUE;
                    for (int i = from + p; i < Math.min(tasks, from + perCall * partitions); i += partitions) {
                        List<BoundStatement> forTask = bind.apply(rows[i]);
                        if (rows[i].bucket != bucket || chunk.size() + forTask.size() > MAX_BATCH) {
                            flushChunk(chunk, statements);
                            bucket = rows[i].bucket;
                        }
                        chunk.addAll(forTask);
                        written += forTask.size();
                    }
                    flushChunk(chunk, statements);
                }
            }
        } else {
            for (int i = 0; i < tasks; i++) {
                for (BoundStatement s : bind.apply(rows[i])) {
                    statements.add(s);
                    written++;
                }
            }
        }
        CpuMeter.Snapshot before = ctx.cpu().snapshot();
        long failures = execute(session, statements, inFlight);
        CpuMeter.Snapshot after = ctx.cpu().snapshot();
        ctx.quiesce();
        CpuMeter.Snapshot quiet = ctx.cpu().snapshot();
        result.cpu = CpuMeter.Usage.between(before, after);
        result.cpuItems = tasks;
        double seconds = (after.nanoTime() - before.nanoTime()) / 1e9;
        double cassandraMicros = (after.cassandra() - before.cassandra()) * 1e6 / tasks;
        double withAfterWork = (quiet.cassandra() - before.cassandra()) * 1e6 / tasks;
        result.headline = String.format(
                "%s %s/s; Cassandra %.0f µs per task (%.0f with the flushes and compactions" + " after)",
                ScenarioResult.number(written / seconds), read ? "reads" : "rows", cassandraMicros, withAfterWork);
        result.figures.put(read ? "readsPerSecond" : "rowsPerSecond", Math.round(written / seconds));
        result.figures.put(read ? "readsPerTask" : "rowsPerTask", written / (double) tasks);
        result.figures.put("statementsSent", statements.size());
        result.figures.put("cassandraMicrosPerTask", Math.round(cassandraMicros));
        result.figures.put("cassandraMicrosPerTaskWithAfterWork", Math.round(withAfterWork));
        result.figures.put("clientJvmMicrosPerTask", Math.round((after.engine() - before.engine()) * 1e6 / tasks));
        result.figures.put("failedStatements", failures);
        if (failures > 0) {
            result.clean = false;
            result.notes.add(failures + " statements failed (timeouts under load); not retried");
        }
        return result;
    }

    private static void flushChunk(List<BoundStatement> chunk, List<Statement<?>> out) {
        if (chunk.isEmpty()) {
            return;
        }
        if (chunk.size() == 1) {
            out.add(chunk.get(0));
        } else {
            BatchStatementBuilder b = BatchStatement.builder(DefaultBatchType.UNLOGGED);
            chunk.forEach(b::addStatement);
            out.add(b.build());
        }
        chunk.clear();
    }

    private static long execute(CqlSession session, List<Statement<?>> statements, int inFlight) {
        Semaphore permits = new Semaphore(inFlight);
        LongAdder failures = new LongAdder();
        AtomicReference<Throwable> first = new AtomicReference<>();
        IntFunction<Statement<?>> at = statements::get;
        for (int i = 0; i < statements.size(); i++) {
            permits.acquireUninterruptibly();
            session.executeAsync(at.apply(i)
                            .setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM)
                            .setIdempotent(true))
                    .whenComplete((rs, e) -> {
                        if (e != null) {
                            failures.increment();
                            first.compareAndSet(null, e);
                        }
                        permits.release();
                    });
        }
        permits.acquireUninterruptibly(inFlight);
        return failures.sum();
    }
}
