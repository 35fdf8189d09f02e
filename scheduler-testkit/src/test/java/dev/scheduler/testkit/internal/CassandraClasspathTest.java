package dev.scheduler.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Where the Cassandra classpath comes from; no download happens here. */
class CassandraClasspathTest {

    private static RepositorySystem system;

    @TempDir
    Path directory;

    @BeforeAll
    static void createSystem() {
        system = new RepositorySystemSupplier().get();
    }

    @AfterAll
    static void shutdownSystem() {
        system.shutdown();
    }

    @ParameterizedTest(name = "mirrorOf {0}: central mirrored = {1}")
    @CsvSource({
        "*, true",
        "central, true",
        "external:*, true",
        "'other,central', true",
        "other, false",
        "'*,!central', false"
    })
    void central_is_replaced_by_a_mirror_whose_mirror_of_matches_it(String mirrorOf, boolean mirrored) {
        MavenSettings settings = settings(
                List.of(new MavenSettings.Mirror("company", "https://repo.example.com/m2", mirrorOf)),
                Map.of("company", new MavenSettings.Credentials("ci", "secret")));

        RemoteRepository central = CassandraClasspath.central(system, CassandraClasspath.session(system, settings));

        if (mirrored) {
            assertThat(central.getId()).isEqualTo("company");
            assertThat(central.getUrl()).isEqualTo("https://repo.example.com/m2");
            assertThat(central.getAuthentication()).isNotNull();
        } else {
            assertThat(central.getId()).isEqualTo("central");
            assertThat(central.getUrl()).isEqualTo(CassandraClasspath.CENTRAL_URL);
        }
    }

    @Test
    void without_settings_central_is_used_directly() {
        RemoteRepository central =
                CassandraClasspath.central(system, CassandraClasspath.session(system, MavenSettings.empty()));

        assertThat(central.getUrl()).isEqualTo(CassandraClasspath.CENTRAL_URL);
        assertThat(central.getAuthentication()).isNull();
    }

    @Test
    void the_local_repository_comes_from_the_system_property_then_the_settings_then_the_default() {
        String previous = System.getProperty("maven.repo.local");
        try {
            System.clearProperty("maven.repo.local");
            assertThat(CassandraClasspath.localRepository(MavenSettings.empty()))
                    .isEqualTo(Path.of(System.getProperty("user.home"), ".m2", "repository"));
            MavenSettings settings =
                    new MavenSettings(Optional.of(directory.resolve("from-settings")), List.of(), List.of(), Map.of());
            assertThat(CassandraClasspath.localRepository(settings)).isEqualTo(directory.resolve("from-settings"));

            System.setProperty(
                    "maven.repo.local", directory.resolve("from-property").toString());
            assertThat(CassandraClasspath.localRepository(settings)).isEqualTo(directory.resolve("from-property"));
        } finally {
            if (previous == null) {
                System.clearProperty("maven.repo.local");
            } else {
                System.setProperty("maven.repo.local", previous);
            }
        }
    }

    @Test
    void the_cache_is_used_only_while_every_jar_it_names_exists() throws Exception {
        Path first = Files.createFile(directory.resolve("cassandra-all-5.0.6.jar"));
        Path second = Files.createFile(directory.resolve("jamm-0.4.0.jar"));
        Path cache = directory.resolve("cache").resolve("cassandra.classpath");

        CassandraClasspath.writeCache(cache, List.of(first, second));
        assertThat(CassandraClasspath.readCache(cache)).contains(List.of(first, second));
        assertThat(CassandraClasspath.jammAgent(List.of(first, second))).isEqualTo(second);

        Files.delete(second);
        assertThat(CassandraClasspath.readCache(cache)).isEmpty();
        assertThat(CassandraClasspath.readCache(directory.resolve("absent"))).isEmpty();
    }

    private static MavenSettings settings(
            List<MavenSettings.Mirror> mirrors, Map<String, MavenSettings.Credentials> servers) {
        return new MavenSettings(Optional.empty(), mirrors, List.of(), servers);
    }
}
