package dev.scheduler.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.scheduler.testkit.internal.Directories;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Forks must not outlive the JVM that started them, even when that JVM is killed and runs no shutdown hook. */
class OrphanedForksIT {

    private Path directory;
    private Process parent;

    @AfterEach
    void cleanUp() {
        if (parent != null) {
            parent.destroyForcibly();
        }
        if (directory != null) {
            await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .untilAsserted(() -> Directories.deleteRecursively(directory));
        }
    }

    @Test
    void forks_halt_when_the_jvm_that_started_them_is_killed() throws Exception {
        directory = Directories.createTemporary("orphans");
        parent = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        OrphanedForksMain.class.getName(),
                        directory.toString()))
                .redirectError(directory.resolve("parent.log").toFile())
                .start();
        Map<String, Long> pids = new ConcurrentHashMap<>();
        Thread reader = new Thread(() -> readPids(parent, pids), "orphans-stdout");
        reader.setDaemon(true);
        reader.start();

        await("pids of the forks, printed once both serve")
                .atMost(Duration.ofSeconds(180))
                .failFast("parent JVM exited", () -> !parent.isAlive())
                .until(() -> pids.size() == 2);
        assertThat(pids.values())
                .allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                        .isPresent());

        parent.destroyForcibly(); // SIGKILL: no shutdown hook runs in the parent

        await("forks halted")
                .atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(alive(pids)).isEmpty());
        assertThat(Files.readString(directory.resolve("cassandra/logs/console.log")))
                .contains("ForkWatchdog");
    }

    private static Map<String, Long> alive(Map<String, Long> pids) {
        Map<String, Long> alive = new HashMap<>();
        pids.forEach((name, pid) ->
                ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(handle -> alive.put(name, pid)));
        return alive;
    }

    private static void readPids(Process process, Map<String, Long> pids) {
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                int equals = line.indexOf("-pid=");
                if (equals > 0) {
                    pids.put(
                            line.substring(0, equals),
                            Long.parseLong(line.substring(equals + 5).trim()));
                }
            }
        } catch (Exception e) {
            // the parent was killed
        }
    }
}
