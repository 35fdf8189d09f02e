package dev.scheduler.engine.internal.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The consumer defaults docs/configuration.md lists are the ones the engine sets, and every one is listed. */
class KafkaPropertiesTest {

    private static final Pattern ROW = Pattern.compile("^\\| `([a-z.]+)` \\| `?([^|`]+?)`? \\|");

    @Test
    void the_documented_consumer_defaults_are_the_engines() throws IOException {
        Properties set = KafkaProperties.consumer("127.0.0.1:9092", "g", Map.of());
        Map<String, String> documented = documentedDefaults();
        for (String name : set.stringPropertyNames()) {
            if (List.of("bootstrap.servers", "group.id", "key.deserializer", "value.deserializer")
                    .contains(name)) {
                continue; // the engine's own, documented below the table
            }
            assertThat(documented).as("configuration.md lists %s", name).containsKey(name);
            String value = documented.get(name);
            if (name.equals("client.id")) {
                assertThat(set.getProperty(name)).isEqualTo("scheduler-g");
            } else {
                String actual = set.getProperty(name);
                assertThat(actual.equals(value) || actual.endsWith("." + value))
                        .as("%s: the engine sets %s, configuration.md says %s", name, actual, value)
                        .isTrue();
            }
        }
        assertThat(set.stringPropertyNames()).containsAll(documented.keySet());
    }

    private static Map<String, String> documentedDefaults() throws IOException {
        Path doc = repositoryRoot().resolve("docs/configuration.md");
        List<String> lines = Files.readAllLines(doc);
        int at = lines.indexOf("### Kafka consumer defaults");
        assertThat(at).as("the heading in %s", doc).isNotNegative();
        Map<String, String> rows = new LinkedHashMap<>();
        for (int i = at + 1; i < lines.size() && !lines.get(i).startsWith("#"); i++) {
            Matcher m = ROW.matcher(lines.get(i));
            if (m.find()) {
                rows.put(m.group(1), m.group(2));
            }
        }
        return rows;
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
                dir != null;
                dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docs/configuration.md"))) {
                return dir;
            }
        }
        throw new AssertionError("no docs/configuration.md above " + System.getProperty("basedir"));
    }
}
