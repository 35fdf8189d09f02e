package dev.scheduler.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MavenSettingsTest {

    @TempDir
    Path directory;

    @Test
    void reads_local_repository_mirrors_proxies_and_plain_credentials() throws Exception {
        Path file = directory.resolve("settings.xml");
        Files.writeString(file, """
                <?xml version="1.0" encoding="UTF-8"?>
                <settings xmlns="http://maven.apache.org/SETTINGS/1.2.0">
                  <localRepository>${user.home}/repo</localRepository>
                  <mirrors>
                    <mirror>
                      <id>company</id>
                      <mirrorOf>central</mirrorOf>
                      <url>https://repo.example.com/maven2</url>
                    </mirror>
                  </mirrors>
                  <proxies>
                    <proxy><active>false</active><host>off.example.com</host></proxy>
                    <proxy><protocol>https</protocol><host>proxy.example.com</host><port>3128</port>
                      <nonProxyHosts>localhost|*.example.com</nonProxyHosts></proxy>
                  </proxies>
                  <servers>
                    <server><id>company</id><username>ci</username><password>secret</password></server>
                    <server><id>encrypted</id><username>ci</username><password>{COQLCE6DU6GtcS5P=}</password></server>
                  </servers>
                </settings>
                """);

        MavenSettings settings = MavenSettings.read(file);

        assertThat(settings.localRepository()).contains(Path.of(System.getProperty("user.home"), "repo"));
        assertThat(settings.mirrors())
                .containsExactly(new MavenSettings.Mirror("company", "https://repo.example.com/maven2", "central"));
        assertThat(settings.proxies())
                .containsExactly(
                        new MavenSettings.Proxy("https", "proxy.example.com", 3128, "localhost|*.example.com", null));
        assertThat(settings.servers())
                .containsOnlyKeys("company")
                .containsEntry("company", new MavenSettings.Credentials("ci", "secret"));
    }

    @Test
    void a_missing_file_means_no_settings() {
        assertThat(MavenSettings.read(directory.resolve("absent.xml"))).isEqualTo(MavenSettings.empty());
    }

    @Test
    void a_malformed_file_is_reported_with_its_path() throws Exception {
        Path file = directory.resolve("settings.xml");
        Files.writeString(file, "<settings><mirrors>");

        assertThatThrownBy(() -> MavenSettings.read(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString());
    }
}
