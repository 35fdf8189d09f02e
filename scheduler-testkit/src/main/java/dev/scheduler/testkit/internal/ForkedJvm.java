package dev.scheduler.testkit.internal;

import dev.scheduler.testkit.InfrastructureException;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server JVM forked by this one, started through {@link ForkWatchdog} so that it dies with us, with standard
 * output and error appended to a file. Not thread-safe: its owner serialises calls.
 */
public final class ForkedJvm {

    private static final Logger LOG = LoggerFactory.getLogger(ForkedJvm.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final String name;
    private final List<String> jvmOptions;
    private final String classpath;
    private final String mainClass;
    private final List<String> arguments;
    private final Path workingDirectory;
    private final Path outputFile;

    private Process process;
    private long lastPid = -1;
    private ExitCleanup.Registration cleanup;

    /**
     * @param name         what the fork is, for logs and messages, e.g. "Cassandra"
     * @param classpath    classpath holding {@link ForkWatchdog} and {@code mainClass}
     * @param outputFile   file that standard output and error are appended to
     */
    public ForkedJvm(
            String name,
            List<String> jvmOptions,
            String classpath,
            String mainClass,
            List<String> arguments,
            Path workingDirectory,
            Path outputFile) {
        this.name = name;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.classpath = classpath;
        this.mainClass = mainClass;
        this.arguments = List.copyOf(arguments);
        this.workingDirectory = workingDirectory;
        this.outputFile = outputFile;
    }

    /** The java launcher of the running JVM. */
    public static String javaLauncher() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Forks the JVM and waits until {@code ready} is true, polling every 100 ms.
     *
     * @param logForDiagnosis log whose tail goes into the exception if the fork dies or times out (besides the
     *                        fork's own output)
     * @throws InfrastructureException if the fork exits or is not ready within {@code timeout}; it is killed then
     */
    public void start(BooleanSupplier ready, Duration timeout, Path logForDiagnosis) {
        if (isAlive()) {
            throw new IllegalStateException(name + " is already running, pid " + process.pid());
        }
        List<String> command = new ArrayList<>();
        command.add(javaLauncher());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath);
        command.add(ForkWatchdog.class.getName());
        command.add(Long.toString(ProcessHandle.current().pid()));
        command.add(mainClass);
        command.addAll(arguments);
        try {
            Files.createDirectories(outputFile.getParent());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workingDirectory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(outputFile.toFile()));
            // Standard input stays a pipe (the default): ForkWatchdog halts the fork when it reaches end of file.
            long startNanos = System.nanoTime();
            process = builder.start();
            lastPid = process.pid();
            Process started = process;
            cleanup = ExitCleanup.register(name + " fork " + lastPid, () -> killAndWait(started));
            LOG.debug("Forked {}: {}", name, command);
            try {
                awaitReady(ready, timeout, logForDiagnosis);
            } catch (RuntimeException e) {
                kill(); // does nothing if awaitReady already did
                throw e;
            }
            LOG.info("{} started in {} ms (pid {})", name, elapsedMillis(startNanos), lastPid);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fork " + name, e);
        }
    }

    private void awaitReady(BooleanSupplier ready, Duration timeout, Path logForDiagnosis) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.getAsBoolean()) {
            if (!process.isAlive()) {
                int exitCode = process.exitValue();
                closeProcess();
                throw failure(name + " exited with code " + exitCode + " before it was ready", logForDiagnosis);
            }
            if (System.nanoTime() - deadline > 0) {
                kill();
                throw failure(name + " was not ready within " + timeout.toSeconds() + " s; killed it", logForDiagnosis);
            }
            try {
                process.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
                throw new InfrastructureException("interrupted while waiting for " + name + " to start", e);
            }
        }
    }

    private InfrastructureException failure(String what, Path logForDiagnosis) {
        StringBuilder message = new StringBuilder(what).append('.');
        if (logForDiagnosis != null && !logForDiagnosis.equals(outputFile)) {
            message.append(System.lineSeparator())
                    .append("--- last lines of ")
                    .append(logForDiagnosis)
                    .append(" ---")
                    .append(System.lineSeparator())
                    .append(LogTail.of(logForDiagnosis, 40));
        }
        message.append(System.lineSeparator())
                .append("--- last lines of ")
                .append(outputFile)
                .append(" ---")
                .append(System.lineSeparator())
                .append(LogTail.of(outputFile, 40));
        return new InfrastructureException(message.toString());
    }

    /**
     * Sends SIGTERM and waits for the fork to exit; kills it if it has not exited within {@code timeout}. Does nothing
     * if it is not running.
     */
    public void stop(Duration timeout) {
        if (!isAlive()) {
            closeProcess();
            return;
        }
        long startNanos = System.nanoTime();
        // Not process.destroy(): it also closes the fork's standard input, and ForkWatchdog would halt the fork in
        // the middle of its graceful shutdown.
        process.toHandle().destroy();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn(
                        "{} (pid {}) did not stop within {} s of SIGTERM; killing it",
                        name,
                        lastPid,
                        timeout.toSeconds());
                killAndWait(process);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            killAndWait(process);
        }
        LOG.info("{} stopped in {} ms (pid {})", name, elapsedMillis(startNanos), lastPid);
        closeProcess();
    }

    /** Sends SIGKILL and waits until the process is gone. Does nothing if it is not running. */
    public void kill() {
        if (process == null) {
            return;
        }
        long startNanos = System.nanoTime();
        boolean wasAlive = process.isAlive();
        killAndWait(process);
        if (wasAlive) {
            LOG.info("{} killed in {} ms (pid {})", name, elapsedMillis(startNanos), lastPid);
        }
        closeProcess();
    }

    private static void killAndWait(Process process) {
        // On Linux destroyForcibly() sends SIGKILL.
        process.destroyForcibly();
        boolean interrupted = false;
        while (true) {
            try {
                process.waitFor();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeProcess() {
        if (cleanup != null) {
            cleanup.cancel();
            cleanup = null;
        }
        if (process != null) {
            closeQuietly(process.getOutputStream());
            process = null;
        }
    }

    private static void closeQuietly(OutputStream stream) {
        try {
            stream.close();
        } catch (IOException e) {
            // The fork is gone; nothing to flush.
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Pid of the running fork, or of the last one if it is not running. */
    public long pid() {
        if (lastPid < 0) {
            throw new IllegalStateException(name + " was never started");
        }
        return lastPid;
    }

    public Path outputFile() {
        return outputFile;
    }

    /**
     * This JVM's {@code java.class.path} with every entry made absolute: the fork runs in another working directory.
     */
    public static String currentClasspath() {
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> entry.endsWith("*")
                        ? Path.of(entry.substring(0, entry.length() - 1)).toAbsolutePath() + File.separator + "*"
                        : Path.of(entry).toAbsolutePath().toString())
                .collect(java.util.stream.Collectors.joining(File.pathSeparator));
    }

    /**
     * Writes the class file of {@link ForkWatchdog} under {@code directory} (in its package folders) and returns
     * {@code directory}, a classpath entry holding that one class and nothing else.
     */
    public static Path writeWatchdogClasspath(Path directory) {
        String resource = ForkWatchdog.class.getSimpleName() + ".class";
        Path target = directory
                .resolve(ForkWatchdog.class.getPackageName().replace('.', File.separatorChar))
                .resolve(resource);
        try (var in = ForkWatchdog.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("class file " + resource + " not found next to its class");
            }
            Files.createDirectories(target.getParent());
            Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
        return directory;
    }

    private static long elapsedMillis(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
