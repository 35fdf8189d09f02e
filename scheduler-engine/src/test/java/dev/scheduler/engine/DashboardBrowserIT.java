package dev.scheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.admin.AdminServerSettings;
import dev.scheduler.testkit.SchedulerInfrastructure;
import dev.scheduler.testkit.SchedulerInfrastructureExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The dashboard end to end in Debian's headless Chromium, driven by playwright-core from
 * {@code src/test/browser/dashboard-retry.mjs}: it sees a failed task, clicks Retry, and sees the task succeed.
 * The screenshot is kept as {@code target/dashboard.png}.
 *
 * <p>Skipped only when {@value #CHROMIUM} is missing ({@code apt-get install -y chromium chromium-driver}).
 * playwright-core is installed by {@code src/test/browser/install.sh} (npm ci), which this test runs itself when
 * it finds no {@code node_modules}.
 */
@ExtendWith(SchedulerInfrastructureExtension.class)
class DashboardBrowserIT {

    static final String CHROMIUM = "/usr/bin/chromium";
    private static final String TOKEN = "dashboard-it-token";

    private final SchedulerInfrastructure infra;

    DashboardBrowserIT(SchedulerInfrastructure infra) {
        this.infra = infra;
    }

    @Test
    void the_dashboard_shows_a_failed_task_whose_retry_button_makes_it_succeed() throws Exception {
        assumeTrue(
                Files.isExecutable(Path.of(CHROMIUM)),
                "Chromium is not installed at " + CHROMIUM
                        + " (apt-get install -y chromium chromium-driver): the dashboard browser test is skipped");
        Path module = Path.of("").toAbsolutePath();
        Path browser = module.resolve("src/test/browser");
        if (!Files.isDirectory(browser.resolve("node_modules/playwright-core"))) {
            run(List.of("bash", browser.resolve("install.sh").toString()), browser, Duration.ofMinutes(3));
        }
        Path screenshot = module.resolve("target/dashboard.png");
        Files.createDirectories(screenshot.getParent());
        Files.deleteIfExists(screenshot);

        try (EngineHarness harness = new EngineHarness(infra, 2)) {
            RecordingExecutor executor = new RecordingExecutor(Clock.systemUTC());
            executor.alwaysFail.add("send-sms");
            SchedulerEngine engine = harness.start(
                    executor,
                    EngineHarness.FAST,
                    Clock.systemUTC(),
                    b -> b.adminServer(
                            AdminServerSettings.defaults().withPort(0).withBearerToken(TOKEN)));
            Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS).plusMillis(300);
            TaskKey failing = Task.of("incident-7", at, "send-sms", Map.of("to", "+15550100"))
                    .key();
            harness.client
                    .scheduleTask(Task.of(failing, Map.of("to", "+15550100")))
                    .join();
            harness.client
                    .scheduleTask(Task.of("incident-8", at, "send-email", Map.of()))
                    .join();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> engine.findTask(failing)
                            .toCompletableFuture()
                            .join()
                            .map(t -> t.status() == TaskStatus.FAILED)
                            .orElse(false));
            executor.alwaysFail.remove("send-sms"); // the SMS gateway is back: a retry will succeed

            String output = run(
                    List.of(
                            "node",
                            browser.resolve("dashboard-retry.mjs").toString(),
                            engine.adminServer().orElseThrow().uri().toString(),
                            failing.orderingId(),
                            failing.uniquenessKey(),
                            screenshot.toString(),
                            TOKEN),
                    browser,
                    Duration.ofMinutes(2));
            System.out.println(output);

            assertThat(screenshot).isNotEmptyFile();
            TaskInfo info =
                    engine.findTask(failing).toCompletableFuture().join().orElseThrow();
            assertThat(info.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(executor.runs(failing))
                    .isEqualTo(EngineHarness.FAST.retryPolicy().maxAttempts() + 1);
        }
    }

    /** Runs a command to completion, failing the test with its output when it fails or takes too long. */
    private static String run(List<String> command, Path dir, Duration timeout)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("dashboard-it", ".log");
        try {
            Process p = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (!done || p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command)
                        + (done ? " exited with " + p.exitValue() : " took longer than " + timeout) + ":\n" + output);
            }
            return output;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
