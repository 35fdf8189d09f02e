package dev.scheduler.engine.internal.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskInfo;
import dev.scheduler.engine.TaskStatus;
import dev.scheduler.engine.admin.AdminException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Cancels and retries continue on the admin's own command threads: the store's read completes on a thread that
 * stands for a Cassandra driver I/O thread, and nothing of the command (the status check, the publish) may run
 * there.
 */
class CheckedCommandsTest {

    private static final TaskKey KEY = TaskKey.of("order-42", Instant.parse("2026-11-27T05:20:37.123Z"), "reminder");
    private static final String DRIVER_THREAD = "fake-driver-io-1";

    private final ExecutorService driver = Executors.newSingleThreadExecutor(r -> new Thread(r, DRIVER_THREAD));
    private final List<String> publishedOn = new CopyOnWriteArrayList<>();
    private volatile TaskStatus stored = TaskStatus.FAILED;
    private final CheckedCommands commands =
            new CheckedCommands(this::readOnDriverThread, new EngineAdmin.Commands(this::publish, this::publish));

    @AfterEach
    void stop() {
        commands.close();
        driver.shutdownNow();
    }

    private CompletionStage<Optional<TaskInfo>> readOnDriverThread(TaskKey key) {
        return CompletableFuture.supplyAsync(
                () -> stored == null
                        ? Optional.empty()
                        : Optional.of(new TaskInfo(Task.of(key, Map.of()), 1, stored, 1, null, null, List.of())),
                driver);
    }

    private CompletionStage<Void> publish(TaskKey key) {
        publishedOn.add(Thread.currentThread().getName());
        return CompletableFuture.completedFuture(null);
    }

    private static void await(CompletionStage<Void> stage) throws Exception {
        stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void a_retry_is_published_on_a_command_thread_not_on_the_thread_that_completed_the_read() throws Exception {
        await(commands.retry(KEY));
        assertThat(publishedOn)
                .singleElement()
                .satisfies(name -> assertThat(name)
                        .startsWith(CheckedCommands.THREAD_PREFIX)
                        .isNotEqualTo(DRIVER_THREAD));
    }

    @Test
    void a_cancel_is_published_on_a_command_thread_not_on_the_thread_that_completed_the_read() throws Exception {
        stored = TaskStatus.PENDING;
        await(commands.cancel(KEY));
        assertThat(publishedOn)
                .singleElement()
                .satisfies(name -> assertThat(name).startsWith(CheckedCommands.THREAD_PREFIX));
    }

    @Test
    void a_command_the_status_does_not_allow_or_for_an_unknown_task_is_refused_and_not_published() {
        stored = TaskStatus.SUCCEEDED;
        assertThatThrownBy(() -> await(commands.cancel(KEY)))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        AdminException.class, e -> assertThat(e.reason()).isEqualTo(AdminException.Reason.CONFLICT))
                .hasMessageContaining("only a task that has not finished can be cancelled");
        stored = null;
        assertThatThrownBy(() -> await(commands.retry(KEY)))
                .cause()
                .isInstanceOfSatisfying(
                        AdminException.class, e -> assertThat(e.reason()).isEqualTo(AdminException.Reason.NOT_FOUND));
        assertThat(publishedOn).isEmpty();
    }

    @Test
    void a_failed_read_fails_the_command_with_the_store_exception() {
        CheckedCommands failing = new CheckedCommands(
                key -> CompletableFuture.failedFuture(new IllegalStateException("store down")),
                new EngineAdmin.Commands(this::publish, this::publish));
        try {
            assertThatThrownBy(() -> await(failing.retry(KEY)))
                    .cause()
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("store down");
        } finally {
            failing.close();
        }
    }

    @Test
    void after_close_a_command_fails_unavailable_and_is_not_published() {
        commands.close();
        assertThatThrownBy(() -> await(commands.retry(KEY)))
                .cause()
                .isInstanceOfSatisfying(
                        AdminException.class, e -> assertThat(e.reason()).isEqualTo(AdminException.Reason.UNAVAILABLE))
                .hasMessageContaining("not running");
        assertThat(publishedOn).isEmpty();
    }

    @Test
    void a_publish_that_blocks_holds_a_command_thread_and_never_the_reading_thread() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        CheckedCommands blocking = new CheckedCommands(
                this::readOnDriverThread,
                new EngineAdmin.Commands(
                        key -> {
                            release.join();
                            return CompletableFuture.completedFuture(null);
                        },
                        key -> {
                            release.join();
                            return CompletableFuture.completedFuture(null);
                        }));
        try {
            CompletionStage<Void> first = blocking.retry(KEY);
            CompletionStage<Void> second = blocking.retry(KEY);
            // The "driver" thread is free while both publishes block: another read completes on it at once.
            assertThat(readOnDriverThread(KEY).toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .isPresent();
            release.complete(null);
            await(first);
            await(second);
        } finally {
            release.complete(null);
            blocking.close();
        }
    }
}
