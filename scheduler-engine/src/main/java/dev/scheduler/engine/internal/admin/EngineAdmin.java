package dev.scheduler.engine.internal.admin;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import dev.scheduler.client.TaskKey;
import dev.scheduler.client.TaskPartitioner;
import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.TaskInfo;
import dev.scheduler.engine.admin.AdminException;
import dev.scheduler.engine.admin.AdminService;
import dev.scheduler.engine.admin.DeadLetterPage;
import dev.scheduler.engine.admin.DeadLetterRecord;
import dev.scheduler.engine.admin.Health;
import dev.scheduler.engine.admin.Overview;
import dev.scheduler.engine.admin.PartitionView;
import dev.scheduler.engine.admin.TaskPage;
import dev.scheduler.engine.admin.TaskQuery;
import dev.scheduler.engine.internal.kafka.TaskConsumer;
import dev.scheduler.engine.internal.observe.ActivityStats;
import dev.scheduler.engine.internal.observe.EngineMetrics;
import dev.scheduler.engine.internal.partition.PartitionHandle;
import dev.scheduler.engine.internal.store.AdminReads;
import dev.scheduler.engine.internal.store.Buckets;
import dev.scheduler.engine.internal.store.CassandraTaskStore;
import dev.scheduler.engine.internal.store.OwnerRow;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's {@link AdminService}. Reads of many rows run on two admin threads of its own (blocking driver
 * calls, bounded per request); single-key reads are asynchronous; cancels and retries continue after their read
 * on two command threads of their own ({@link CheckedCommands}), never on a driver thread. Also runs the periodic
 * scan for stale tasks of owned partitions when metrics ask for it.
 */
public final class EngineAdmin implements AdminService, AutoCloseable {

    /** What the engine is, for the overview. */
    public record Identity(String topic, String groupId, String instanceId, int partitionCount) {}

    /** How the engine carries out cancels and retries (published to Kafka for the partition's owner). */
    public record Commands(
            Function<TaskKey, CompletionStage<Void>> cancel, Function<TaskKey, CompletionStage<Void>> retry) {}

    private static final Logger log = LoggerFactory.getLogger(EngineAdmin.class);

    /** Bounds on what one listing page reads, so that no request holds Cassandra or an admin thread for long. */
    static final int MAX_QUERIES_PER_PAGE = 200;

    static final int MAX_ROWS_PER_PAGE = 5_000;
    /** Bounds on the overdue scan of one partition. */
    static final int MAX_OVERDUE_QUERIES = 60;

    static final int MAX_OVERDUE_ROWS = 20_000;
    private static final int MAX_QUEUED = 64;

    private final AdminReads reads;
    private final TaskListing listing;
    private final CassandraTaskStore store;
    private final TaskConsumer consumer;
    private final Identity identity;
    private final Clock clock;
    private final BooleanSupplier running;
    private final BooleanSupplier pollThreadAlive;
    private final int executionThreads;
    private final ActivityStats activity;
    private final EngineMetrics metrics;
    private final CheckedCommands commands;
    private final ScheduledThreadPoolExecutor threads;
    private ScheduledFuture<?> staleScan;

    /** Prepares its statements: blocking, call at start. */
    public EngineAdmin(
            CqlSession session,
            String keyspace,
            EngineSettings settings,
            Clock clock,
            Identity identity,
            CassandraTaskStore store,
            TaskConsumer consumer,
            BooleanSupplier running,
            BooleanSupplier pollThreadAlive,
            ActivityStats activity,
            EngineMetrics metrics,
            Commands commands) {
        this.reads = new AdminReads(
                session,
                keyspace,
                Buckets.of(settings.bucketSize()),
                DefaultConsistencyLevel.valueOf(settings.readConsistency()));
        this.listing = new TaskListing(reads, identity);
        this.store = store;
        this.consumer = consumer;
        this.identity = identity;
        this.clock = clock;
        this.running = running;
        this.pollThreadAlive = pollThreadAlive;
        this.executionThreads = settings.executionThreads();
        this.activity = activity;
        this.metrics = metrics;
        this.commands = new CheckedCommands(key -> store.readInfo(partitionOf(key), key), commands);
        AtomicInteger n = new AtomicInteger();
        this.threads = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "scheduler-admin-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        threads.setRemoveOnCancelPolicy(true);
    }

    /** Starts scanning owned partitions for stale tasks, if the metrics measure them. */
    public void startStaleScan() {
        Duration after = metrics.staleAfter();
        if (after == null) {
            return;
        }
        long every = metrics.staleScanInterval().toMillis();
        staleScan = threads.scheduleWithFixedDelay(
                () -> scanStale(after), Math.min(every, 1_000), every, TimeUnit.MILLISECONDS);
    }

    private void scanStale(Duration after) {
        for (PartitionHandle h : consumer.partitions().values()) {
            try {
                Instant now = clock.instant();
                Instant checkpoint = reads.checkpoint(h.partition()).orElse(null);
                AdminReads.Overdue overdue = reads.overdue(
                        h.partition(), checkpoint, now.minus(after), MAX_OVERDUE_QUERIES, MAX_OVERDUE_ROWS);
                metrics.staleTasks(h.partition(), overdue.count());
            } catch (RuntimeException e) {
                log.debug("scanning partition {} for stale tasks failed: {}", h.partition(), e.toString());
            }
        }
    }

    @Override
    public CompletionStage<Optional<TaskInfo>> task(TaskKey key) {
        if (key == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("key must not be null"));
        }
        if (!running.getAsBoolean()) {
            return notRunning();
        }
        return store.readInfo(partitionOf(key), key);
    }

    @Override
    public CompletionStage<TaskPage> tasks(TaskQuery query) {
        if (query == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("query must not be null"));
        }
        return onAdminThread(() -> listing.page(query));
    }

    @Override
    public CompletionStage<DeadLetterPage> deadLetters(Integer partition, int pageSize, String pageToken) {
        if (pageSize < 1 || pageSize > TaskQuery.MAX_PAGE_SIZE) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "pageSize must be between 1 and " + TaskQuery.MAX_PAGE_SIZE + ", was " + pageSize));
        }
        return onAdminThread(() -> listDeadLetters(partition, pageSize, pageToken));
    }

    private DeadLetterPage listDeadLetters(Integer partition, int pageSize, String pageToken) {
        int count = identity.partitionCount();
        if (partition != null && (partition < 0 || partition >= count)) {
            throw new IllegalArgumentException("partition " + partition + " does not exist: topic '" + identity.topic()
                    + "' has " + count + " partitions (0 to " + (count - 1) + ")");
        }
        String filters = "dead-letters|" + Objects.toString(partition, "");
        int p = partition == null ? 0 : partition;
        long afterOffset = -1;
        if (pageToken != null && !pageToken.isBlank()) {
            PageToken t = PageToken.decode(pageToken, filters, "partition");
            p = t.index();
            afterOffset = t.position();
        }
        int last = partition == null ? count - 1 : partition;
        List<DeadLetterRecord> found = new ArrayList<>();
        int queries = 0;
        while (p <= last) {
            if (queries >= MAX_QUERIES_PER_PAGE) {
                return new DeadLetterPage(
                        found, new PageToken(PageToken.checksum(filters), p, afterOffset, null).encode());
            }
            int limit = pageSize - found.size();
            List<DeadLetterRecord> got = reads.deadLetters(p, afterOffset, limit);
            queries++;
            found.addAll(got);
            if (!got.isEmpty()) {
                afterOffset = got.get(got.size() - 1).offset();
            }
            if (found.size() == pageSize) {
                return new DeadLetterPage(
                        found, new PageToken(PageToken.checksum(filters), p, afterOffset, null).encode());
            }
            p++;
            afterOffset = -1;
        }
        return new DeadLetterPage(found, null);
    }

    @Override
    public CompletionStage<Void> cancel(TaskKey key) {
        return key == null ? nullKey() : running.getAsBoolean() ? commands.cancel(key) : notRunning();
    }

    @Override
    public CompletionStage<Void> retry(TaskKey key) {
        return key == null ? nullKey() : running.getAsBoolean() ? commands.retry(key) : notRunning();
    }

    private static <T> CompletionStage<T> nullKey() {
        return CompletableFuture.failedFuture(new IllegalArgumentException("key must not be null"));
    }

    @Override
    public CompletionStage<List<PartitionView>> partitions(Duration overdueAfter) {
        if (overdueAfter == null || overdueAfter.isNegative()) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException("overdueAfter must be zero or positive, was " + overdueAfter));
        }
        return onAdminThread(() -> partitionViews(overdueAfter));
    }

    private List<PartitionView> partitionViews(Duration overdueAfter) {
        Map<Integer, Instant> checkpoints = reads.checkpoints();
        Map<Integer, OwnerRow> owners = reads.owners();
        Map<Integer, PartitionHandle> owned = consumer.partitions();
        Instant threshold = clock.instant().minus(overdueAfter);
        List<PartitionView> views = new ArrayList<>();
        for (int p = 0; p < identity.partitionCount(); p++) {
            Instant checkpoint = checkpoints.get(p);
            AdminReads.Overdue overdue = reads.overdue(p, checkpoint, threshold, MAX_OVERDUE_QUERIES, MAX_OVERDUE_ROWS);
            OwnerRow owner = owners.get(p);
            PartitionHandle h = owned.get(p);
            Long lag = h == null || h.consumerLag() < 0 ? null : h.consumerLag();
            views.add(new PartitionView(
                    p,
                    owner == null ? null : owner.owner(),
                    owner == null ? null : owner.epoch(),
                    owner == null ? null : owner.claimedAt(),
                    owner != null && owner.released(),
                    h != null,
                    h == null ? null : h.healthy(),
                    h == null ? null : h.tasksInMemory(),
                    h == null ? null : h.unpersisted(),
                    h == null ? null : h.durableOffset(),
                    lag,
                    checkpoint,
                    overdue.count(),
                    overdue.capped(),
                    overdue.oldest(),
                    overdue.oldestDueAt()));
        }
        return views;
    }

    @Override
    public Health health() {
        List<String> problems = new ArrayList<>();
        boolean live = true;
        if (!running.getAsBoolean()) {
            problems.add("the engine is not running");
            live = false;
        } else if (!pollThreadAlive.getAsBoolean()) {
            problems.add("the Kafka poll thread has stopped");
            live = false;
        }
        consumer.outOfGroup().ifPresent(problems::add);
        Throwable pollError = consumer.lastError();
        if (pollError != null) {
            problems.add("the last Kafka poll failed (retrying): " + pollError);
        }
        List<String> warnings = new ArrayList<>();
        Collection<PartitionHandle> owned = new TreeMap<>(consumer.partitions()).values();
        StuckAttemptsHealth.check(owned, executionThreads, problems, warnings);
        for (PartitionHandle h : owned) {
            if (h.fenced()) {
                problems.add("partition " + h.partition() + " was claimed by another instance and is being handed off");
            } else if (!h.healthy()) {
                problems.add("partition " + h.partition() + " is not healthy: its Cassandra calls fail (retried), "
                        + "or it is starting, restarting after a failure, or stopping");
            }
        }
        return new Health(live, live && problems.isEmpty(), problems, warnings);
    }

    @Override
    public Overview overview() {
        return new Overview(
                identity.topic(),
                identity.groupId(),
                identity.instanceId(),
                identity.partitionCount(),
                new ArrayList<>(new TreeSet<>(consumer.partitions().keySet())),
                health(),
                activity.snapshot());
    }

    @Override
    public Optional<String> prometheusScrape() {
        return metrics.prometheusScrape().map(Supplier::get);
    }

    private int partitionOf(TaskKey key) {
        return TaskPartitioner.partitionFor(key.orderingId(), identity.partitionCount());
    }

    private <T> CompletionStage<T> onAdminThread(Supplier<T> work) {
        if (!running.getAsBoolean()) {
            return notRunning();
        }
        if (threads.getQueue().size() >= MAX_QUEUED) {
            return CompletableFuture.failedFuture(new AdminException(
                    AdminException.Reason.UNAVAILABLE,
                    "too many admin requests are waiting (" + MAX_QUEUED + "); try again in a moment"));
        }
        try {
            return CompletableFuture.supplyAsync(work, threads);
        } catch (RejectedExecutionException e) {
            return notRunning();
        }
    }

    private static <T> CompletionStage<T> notRunning() {
        return CompletableFuture.failedFuture(
                new AdminException(AdminException.Reason.UNAVAILABLE, "the scheduler engine is not running"));
    }

    /** Stops the admin threads and the stale scan; requests still queued fail. */
    @Override
    public void close() {
        if (staleScan != null) {
            staleScan.cancel(false);
        }
        threads.shutdownNow();
        commands.close();
    }
}
