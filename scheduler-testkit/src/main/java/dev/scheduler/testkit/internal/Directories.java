package dev.scheduler.testkit.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temporary directories of the testkit, and their removal. */
public final class Directories {

    private Directories() {}

    /** Creates a fresh directory under {@code java.io.tmpdir} whose name starts with {@code scheduler-testkit-<what>-}. */
    public static Path createTemporary(String what) {
        try {
            return Files.createTempDirectory("scheduler-testkit-" + what + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for " + what, e);
        }
    }

    /** Deletes {@code directory} and everything in it; files that vanish meanwhile are ignored. */
    public static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + directory, e);
        }
    }
}
