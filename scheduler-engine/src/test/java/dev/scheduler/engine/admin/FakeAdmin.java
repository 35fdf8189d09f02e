package dev.scheduler.engine.admin;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskInfo;
import dev.scheduler.engine.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** Answers from memory and records what it was asked. */
final class FakeAdmin implements AdminService {
    static final TaskKey KEY = TaskKey.of("order-42", Instant.parse("2026-11-27T05:20:37.123Z"), "reminder");

    final List<TaskKey> keys = new CopyOnWriteArrayList<>();
    final List<TaskQuery> queries = new CopyOnWriteArrayList<>();
    final List<TaskKey> retried = new CopyOnWriteArrayList<>();
    final List<TaskKey> cancelled = new CopyOnWriteArrayList<>();
    volatile RuntimeException failListingWith;
    /** Thrown by {@link #tasks} itself, as a bug would be. */
    volatile RuntimeException throwFromListing;

    volatile RuntimeException commandFailure;
    volatile Health health = new Health(true, true, List.of());
    volatile String scrape;

    private static TaskInfo failed(TaskKey key) {
        return new TaskInfo(
                Task.of(key, Map.of("to", "ada")),
                1,
                TaskStatus.FAILED,
                3,
                null,
                "java.io.IOException: mail server down",
                List.of());
    }

    @Override
    public CompletionStage<Optional<TaskInfo>> task(TaskKey key) {
        keys.add(key);
        return CompletableFuture.completedFuture(key.equals(KEY) ? Optional.of(failed(key)) : Optional.empty());
    }

    @Override
    public CompletionStage<TaskPage> tasks(TaskQuery query) {
        if (throwFromListing != null) {
            throw throwFromListing;
        }
        if (failListingWith != null) {
            return CompletableFuture.failedFuture(failListingWith);
        }
        queries.add(query);
        return CompletableFuture.completedFuture(new TaskPage(List.of(failed(KEY)), "next-please", 7));
    }

    @Override
    public CompletionStage<DeadLetterPage> deadLetters(Integer partition, int pageSize, String pageToken) {
        return CompletableFuture.completedFuture(new DeadLetterPage(List.of(), null));
    }

    @Override
    public CompletionStage<Void> cancel(TaskKey key) {
        if (commandFailure != null) {
            return CompletableFuture.failedFuture(commandFailure);
        }
        cancelled.add(key);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> retry(TaskKey key) {
        if (commandFailure != null) {
            return CompletableFuture.failedFuture(commandFailure);
        }
        retried.add(key);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<List<PartitionView>> partitions(Duration overdueAfter) {
        return CompletableFuture.completedFuture(List.of());
    }

    @Override
    public Health health() {
        return health;
    }

    @Override
    public Overview overview() {
        Activity.Percentiles none =
                new Activity.Percentiles(0, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);
        return new Overview(
                "t", "g", "i", 1, List.of(0), health, new Activity(Duration.ofMinutes(1), 0, 0, 0, 0, 0, none, none));
    }

    @Override
    public Optional<String> prometheusScrape() {
        return Optional.ofNullable(scrape);
    }
}
