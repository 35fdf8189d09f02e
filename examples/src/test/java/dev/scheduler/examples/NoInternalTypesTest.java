package dev.scheduler.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The examples are what users copy: they use only the supported API. A class that refers to another class names
 * it in its constant pool, so a compiled example that mentions {@code dev/scheduler/engine/internal} or
 * {@code dev/scheduler/client/internal} uses an internal type.
 */
class NoInternalTypesTest {

    @Test
    void no_example_class_refers_to_an_internal_package() throws IOException, URISyntaxException {
        Path classes = Path.of(QuickStart.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        List<Path> all;
        try (Stream<Path> files = Files.walk(classes)) {
            all = files.filter(p -> p.toString().endsWith(".class")).toList();
        }
        assertThat(all).as("compiled example classes").hasSizeGreaterThan(10);
        List<String> offenders = all.stream()
                .filter(NoInternalTypesTest::mentionsInternal)
                .map(p -> classes.relativize(p).toString())
                .toList();
        assertThat(offenders).as("example classes that use an internal type").isEmpty();
    }

    private static boolean mentionsInternal(Path classFile) {
        try {
            String text = new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1);
            return text.contains("dev/scheduler/engine/internal") || text.contains("dev/scheduler/client/internal");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
