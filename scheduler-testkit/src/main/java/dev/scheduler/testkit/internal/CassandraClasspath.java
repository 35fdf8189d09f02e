package dev.scheduler.testkit.internal;

import dev.scheduler.testkit.InfrastructureException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.maven.repository.internal.MavenRepositorySystemUtils;
import org.eclipse.aether.DefaultRepositorySystemSession;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.LocalRepository;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;
import org.eclipse.aether.util.repository.AuthenticationBuilder;
import org.eclipse.aether.util.repository.DefaultAuthenticationSelector;
import org.eclipse.aether.util.repository.DefaultMirrorSelector;
import org.eclipse.aether.util.repository.DefaultProxySelector;
import org.eclipse.aether.util.repository.JreProxySelector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime classpath of {@code org.apache.cassandra:cassandra-all}, which must stay off the test classpath (it
 * brings logback 1.2, an older jackson and duplicate commons-logging classes), found without {@code mvn}:
 * <ol>
 *   <li>the system property {@value #CLASSPATH_PROPERTY}, if set (a path-separator separated list of jars);</li>
 *   <li>else the cache file {@code ~/.cache/scheduler-testkit/cassandra-<version>.classpath}, if every jar it lists
 *       still exists;</li>
 *   <li>else Maven Resolver against the local repository ({@code -Dmaven.repo.local}, else
 *       {@code <localRepository>} of {@code ~/.m2/settings.xml}, else {@code ~/.m2/repository}) and Maven Central,
 *       or the mirror, proxy and credentials that {@code ~/.m2/settings.xml} gives for it. The first run downloads
 *       about 65 MiB; the result is written to the cache file.</li>
 * </ol>
 */
public final class CassandraClasspath {

    /** The Cassandra release that is forked. */
    public static final String VERSION = "5.0.6";
    /** System property naming the classpath explicitly, for machines without access to a Maven repository. */
    public static final String CLASSPATH_PROPERTY = "scheduler.testkit.cassandra.classpath";

    static final String CENTRAL_URL = "https://repo.maven.apache.org/maven2/";
    private static final Logger LOG = LoggerFactory.getLogger(CassandraClasspath.class);
    private static List<Path> resolved;

    private CassandraClasspath() {}

    /** The jars of Cassandra {@value #VERSION} and its runtime dependencies; resolved once per JVM. */
    public static synchronized List<Path> jars() {
        if (resolved == null) {
            String explicit = System.getProperty(CLASSPATH_PROPERTY);
            if (explicit != null && !explicit.isBlank()) {
                resolved = List.of(explicit.split(File.pathSeparator)).stream()
                        .map(Path::of)
                        .toList();
            } else {
                Path cache = cacheFile();
                resolved = readCache(cache).orElseGet(() -> {
                    List<Path> jars = resolveWithMaven(MavenSettings.ofUser());
                    writeCache(cache, jars);
                    return jars;
                });
            }
        }
        return resolved;
    }

    /** The jamm jar among {@code jars}, which Cassandra needs as {@code -javaagent}. */
    public static Path jammAgent(List<Path> jars) {
        return jars.stream()
                .filter(jar -> jar.getFileName().toString().matches("jamm-[0-9].*\\.jar"))
                .findFirst()
                .orElseThrow(() -> new InfrastructureException("no jamm jar on Cassandra's classpath " + jars));
    }

    static Path cacheFile() {
        return Path.of(
                System.getProperty("user.home"), ".cache", "scheduler-testkit", "cassandra-" + VERSION + ".classpath");
    }

    /** The jars listed in {@code cache}, or empty if it is missing, unreadable or names a jar that is gone. */
    static Optional<List<Path>> readCache(Path cache) {
        if (!Files.isRegularFile(cache)) {
            return Optional.empty();
        }
        try {
            List<Path> jars = Files.readAllLines(cache, StandardCharsets.UTF_8).stream()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .map(Path::of)
                    .toList();
            if (jars.isEmpty() || !jars.stream().allMatch(Files::isRegularFile)) {
                LOG.info("Ignoring stale Cassandra classpath cache {}", cache);
                return Optional.empty();
            }
            return Optional.of(jars);
        } catch (IOException | RuntimeException e) {
            LOG.info("Ignoring unreadable Cassandra classpath cache {}: {}", cache, e.toString());
            return Optional.empty();
        }
    }

    static void writeCache(Path cache, List<Path> jars) {
        try {
            Files.createDirectories(cache.getParent());
            Path temporary =
                    Files.createTempFile(cache.getParent(), cache.getFileName().toString(), ".tmp");
            List<String> lines = new ArrayList<>();
            lines.add("# runtime classpath of org.apache.cassandra:cassandra-all:" + VERSION
                    + ", written by scheduler-testkit; delete to resolve again");
            jars.forEach(jar -> lines.add(jar.toAbsolutePath().toString()));
            Files.write(temporary, lines, StandardCharsets.UTF_8);
            // Atomic, so that another JVM resolving at the same time never reads half a file.
            Files.move(temporary, cache, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("Cannot write the Cassandra classpath cache {}; it will be resolved again next time", cache, e);
        }
    }

    /** {@code -Dmaven.repo.local}, else the settings' local repository, else {@code ~/.m2/repository}. */
    static Path localRepository(MavenSettings settings) {
        String property = System.getProperty("maven.repo.local");
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        return settings.localRepository()
                .orElseGet(() -> Path.of(System.getProperty("user.home"), ".m2", "repository"));
    }

    /** Maven Central as the settings' mirrors, proxies and credentials transform it. */
    static RemoteRepository central(RepositorySystem system, DefaultRepositorySystemSession session) {
        RemoteRepository central = new RemoteRepository.Builder("central", "default", CENTRAL_URL).build();
        return system.newResolutionRepositories(session, List.of(central)).get(0);
    }

    static DefaultRepositorySystemSession session(RepositorySystem system, MavenSettings settings) {
        DefaultRepositorySystemSession session = MavenRepositorySystemUtils.newSession();
        // For profile activation in the POMs (jdk, os), as Maven does.
        session.setSystemProperties(System.getProperties());
        session.setLocalRepositoryManager(system.newLocalRepositoryManager(
                session, new LocalRepository(localRepository(settings).toFile())));

        DefaultMirrorSelector mirrors = new DefaultMirrorSelector();
        settings.mirrors().forEach(m -> mirrors.add(m.id(), m.url(), "default", false, false, m.mirrorOf(), "*"));
        session.setMirrorSelector(mirrors);

        DefaultAuthenticationSelector authentication = new DefaultAuthenticationSelector();
        settings.servers()
                .forEach((id, credentials) -> authentication.add(
                        id,
                        new AuthenticationBuilder()
                                .addUsername(credentials.username())
                                .addPassword(credentials.password())
                                .build()));
        session.setAuthenticationSelector(authentication);

        if (settings.proxies().isEmpty()) {
            session.setProxySelector(new JreProxySelector());
        } else {
            DefaultProxySelector proxies = new DefaultProxySelector();
            for (MavenSettings.Proxy proxy : settings.proxies()) {
                AuthenticationBuilder auth = new AuthenticationBuilder();
                if (proxy.credentials() != null) {
                    auth.addUsername(proxy.credentials().username())
                            .addPassword(proxy.credentials().password());
                }
                proxies.add(
                        new org.eclipse.aether.repository.Proxy(
                                proxy.protocol(), proxy.host(), proxy.port(), auth.build()),
                        proxy.nonProxyHosts());
            }
            session.setProxySelector(proxies);
        }
        return session;
    }

    static List<Path> resolveWithMaven(MavenSettings settings) {
        long startNanos = System.nanoTime();
        RepositorySystem system = new RepositorySystemSupplier().get();
        try {
            DefaultRepositorySystemSession session = session(system, settings);
            RemoteRepository central = central(system, session);
            LOG.info(
                    "Resolving Cassandra {} from {} into {}",
                    VERSION,
                    central.getUrl(),
                    session.getLocalRepository().getBasedir());
            CollectRequest collect = new CollectRequest(
                    new Dependency(
                            new DefaultArtifact("org.apache.cassandra:cassandra-all:" + VERSION), JavaScopes.RUNTIME),
                    List.of(central));
            DependencyRequest request =
                    new DependencyRequest(collect, DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME));
            List<Path> jars = system.resolveDependencies(session, request).getArtifactResults().stream()
                    .map(ArtifactResult::getArtifact)
                    .map(artifact -> artifact.getFile().toPath().toAbsolutePath())
                    .collect(Collectors.toList());
            LOG.info(
                    "Resolved Cassandra {} ({} jars) in {} ms",
                    VERSION,
                    jars.size(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
            return List.copyOf(jars);
        } catch (DependencyResolutionException e) {
            throw new InfrastructureException(
                    "cannot resolve org.apache.cassandra:cassandra-all:" + VERSION + " (set -D" + CLASSPATH_PROPERTY
                            + " to give its classpath): " + e.getMessage(),
                    e);
        } finally {
            system.shutdown();
        }
    }

    /** Joins jars into a classpath string. */
    public static String join(List<Path> entries) {
        return entries.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    }
}
