package dev.scheduler.engine;

import static org.assertj.core.api.Assertions.fail;

import dev.scheduler.client.TaskLimits;
import dev.scheduler.engine.admin.AdminServerSettings;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The defaults in the code are the ones the docs give: each component of {@link EngineSettings#defaults()} (and
 * of the other settings records the docs list) must have a row in the tables of docs/configuration.md and of the
 * README's "Configuration" section, and the default written there must read as the same value. The components
 * are found by reflection, so a new setting fails here until it is documented; a row that names no setting fails
 * too.
 */
class SettingsDocumentationTest {

    private static final Path REPOSITORY = repositoryRoot();
    private static final String CONFIGURATION_MD = "docs/configuration.md";
    private static final String README_MD = "README.md";

    /**
     * Builder methods that set several settings at once, each documented in one row named after the method,
     * with the values in parameter order ({@link EngineSettings.Builder#storeRetryBackoff},
     * {@link EngineSettings.Builder#consistency}).
     */
    private static final Map<String, List<String>> SET_TOGETHER = Map.of(
            "storeRetryBackoff", List.of("storeRetryMinBackoff", "storeRetryMaxBackoff"),
            "consistency", List.of("readConsistency", "writeConsistency", "serialConsistency"));

    @Test
    void every_engine_setting_default_is_documented_in_configuration_md() {
        assertDocumented(
                EngineSettings.defaults(),
                "EngineSettings.defaults()",
                DocumentedDefaults.read(REPOSITORY, CONFIGURATION_MD, "`EngineSettings`"));
    }

    @Test
    void every_engine_setting_default_is_documented_in_the_readme_configuration_table() {
        assertDocumented(
                EngineSettings.defaults(),
                "EngineSettings.defaults()",
                DocumentedDefaults.read(REPOSITORY, README_MD, "Configuration"));
    }

    @Test
    void every_retry_policy_default_is_documented_in_configuration_md() {
        assertDocumented(
                RetryPolicy.defaults(),
                "RetryPolicy.defaults()",
                DocumentedDefaults.read(REPOSITORY, CONFIGURATION_MD, "`RetryPolicy`"));
    }

    @Test
    void every_admin_server_setting_default_is_documented_in_configuration_md() {
        assertDocumented(
                AdminServerSettings.defaults(),
                "AdminServerSettings.defaults()",
                DocumentedDefaults.read(REPOSITORY, CONFIGURATION_MD, "`AdminServerSettings`"));
    }

    @Test
    void every_task_limits_default_is_documented_in_configuration_md() {
        assertDocumented(
                TaskLimits.defaults(),
                "TaskLimits.defaults()",
                DocumentedDefaults.read(REPOSITORY, CONFIGURATION_MD, "`TaskLimits`"));
    }

    /**
     * Fails with one line per problem: a setting without a row, a default that differs from the code's or cannot
     * be read, a row that names no setting.
     */
    private static void assertDocumented(Record defaults, String defaultsName, DocumentedDefaults docs) {
        Set<String> problems = new LinkedHashSet<>();
        Set<String> rowsUsed = new LinkedHashSet<>();
        for (RecordComponent setting : defaults.getClass().getRecordComponents()) {
            String row = rowOf(setting.getName());
            String where = docs.file() + ", row `" + row + "` under " + docs.heading();
            Object actual = valueOf(setting, defaults);
            String text = docs.byName().get(row);
            if (text == null) {
                problems.add(docs.file() + ": no row `" + row + "` under " + docs.heading() + " documents "
                        + defaultsName + "." + setting.getName() + "() = " + actual);
                continue;
            }
            rowsUsed.add(row);
            if (SET_TOGETHER.containsKey(row)) {
                List<String> settings = SET_TOGETHER.get(row);
                List<String> values = DocumentedValue.split(text);
                if (values.size() != settings.size()) {
                    problems.add(where + ": '" + text + "' gives " + values.size() + " values, but the row documents "
                            + settings.size() + ": " + String.join(", ", settings));
                    continue;
                }
                text = values.get(settings.indexOf(setting.getName()));
                where += " (" + setting.getName() + ")";
            }
            Object documented;
            try {
                documented = DocumentedValue.read(text, setting.getType());
            } catch (IllegalArgumentException e) {
                problems.add(where + ": cannot read the default: " + e.getMessage());
                continue;
            }
            if (!Objects.equals(documented, actual)) {
                problems.add(where + ": documents '" + text + "', which is " + documented + ", but " + defaultsName
                        + "." + setting.getName() + "() is " + actual);
            }
        }
        for (String row : docs.byName().keySet()) {
            if (!rowsUsed.contains(row)) {
                problems.add(docs.file() + ", row `" + row + "` under " + docs.heading() + ": " + defaultsName
                        + " has no such setting");
            }
        }
        if (!problems.isEmpty()) {
            fail(problems.size() + " documented default(s) disagree with " + defaultsName + ":\n  "
                    + String.join("\n  ", problems));
        }
    }

    /** The row that documents a setting: its own, or that of the builder method that sets it with others. */
    private static String rowOf(String setting) {
        return SET_TOGETHER.entrySet().stream()
                .filter(group -> group.getValue().contains(setting))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse(setting);
    }

    private static Object valueOf(RecordComponent setting, Record defaults) {
        try {
            return setting.getAccessor().invoke(defaults);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot read " + setting, e);
        }
    }

    /**
     * The directory with README.md and docs/configuration.md: surefire runs in the module's directory (also given
     * as the {@code basedir} property), so usually its parent; an IDE may run in the repository itself.
     */
    private static Path repositoryRoot() {
        Path start = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(CONFIGURATION_MD)) && Files.isRegularFile(dir.resolve(README_MD))) {
                return dir;
            }
        }
        throw new AssertionError("no " + CONFIGURATION_MD + " and " + README_MD + " in " + start + " or above it");
    }
}
