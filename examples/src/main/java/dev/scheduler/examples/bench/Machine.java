package dev.scheduler.examples.bench;

import com.datastax.oss.driver.api.core.session.Session;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.AppInfoParser;

/** What the figures were measured on: the machine, the JVM, and the versions of everything involved. */
final class Machine {

    private Machine() {}

    static Map<String, Object> describe() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("cpuModel", cpuModel());
        m.put("memoryMiB", os.getTotalMemorySize() / (1024 * 1024));
        m.put(
                "os",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("benchmarkJvmArguments", ManagementFactory.getRuntimeMXBean().getInputArguments());
        m.put("benchmarkJvmMaxHeapMiB", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        return m;
    }

    static Map<String, Object> versions(String cassandraServerVersion) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scheduler", git("rev-parse", "--short", "HEAD"));
        // --no-optional-locks: a read, never a write to the index.
        String dirty =
                git("--no-optional-locks", "status", "--porcelain", "--", ":/scheduler-client", ":/scheduler-engine");
        m.put("schedulerUncommittedFiles", dirty.isBlank() ? List.of() : List.of(dirty.split("\n")));
        m.put("kafka", AppInfoParser.getVersion());
        m.put("cassandra", cassandraServerVersion);
        m.put("cassandraDriver", Session.OSS_DRIVER_COORDINATES.getVersion().toString());
        m.put("pekko", org.apache.pekko.Version.current());
        return m;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Output of a read-only git command in the working directory's repository, or "unknown". */
    private static String git(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "unknown";
            }
            return output;
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
