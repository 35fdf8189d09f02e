package dev.scheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Micrometer is an optional dependency: the engine's classes must load, link and build an engine on a classpath
 * without it. Checked in a class loader that sees the test classpath minus Micrometer and Prometheus.
 */
class EngineWithoutMicrometerTest {

    private static URLClassLoader withoutMicrometer() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String unix = entry.replace('\\', '/');
            if (unix.contains("/io/micrometer/") || unix.contains("/io/prometheus/")) {
                continue;
            }
            urls.add(Path.of(entry).toUri().toURL());
        }
        return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    @Test
    void the_engine_and_its_admin_server_load_and_an_engine_builds_without_micrometer() throws Exception {
        try (URLClassLoader loader = withoutMicrometer()) {
            assertThatThrownBy(() -> Class.forName("io.micrometer.core.instrument.MeterRegistry", false, loader))
                    .isInstanceOf(ClassNotFoundException.class);
            for (String name : List.of(
                    "dev.scheduler.engine.SchedulerEngine",
                    "dev.scheduler.engine.SchedulerEngine$Builder",
                    "dev.scheduler.engine.internal.admin.EngineAdmin",
                    "dev.scheduler.engine.internal.kafka.TaskConsumer",
                    "dev.scheduler.engine.internal.partition.PartitionHandle",
                    "dev.scheduler.engine.internal.observe.ActivityStats",
                    "dev.scheduler.engine.internal.observe.AttemptEventFanOut",
                    "dev.scheduler.engine.internal.EngineRuntime",
                    "dev.scheduler.engine.admin.AdminServer",
                    "dev.scheduler.engine.admin.AdminHttp")) {
                Class<?> c = Class.forName(name, true, loader); // initialising links and verifies the class
                assertThat(c.getDeclaredMethods()).as("methods of %s", name).isNotEmpty();
            }
            Class<?> engine = Class.forName("dev.scheduler.engine.SchedulerEngine", true, loader);
            Object builder = engine.getMethod("builder").invoke(null);
            Class<?> b = builder.getClass();
            call(b, builder, "bootstrapServers", "localhost:9092");
            call(b, builder, "topic", "tasks");
            call(b, builder, "groupId", "group");
            call(b, builder, "keyspace", "tasks_ks");
            b.getMethod("cassandra", java.net.InetSocketAddress.class, String.class)
                    .invoke(builder, new java.net.InetSocketAddress("localhost", 9042), "dc1");
            Class<?> executor = Class.forName("dev.scheduler.engine.TaskExecutor", false, loader);
            Object noop = java.lang.reflect.Proxy.newProxyInstance(
                    loader, new Class<?>[] {executor}, (proxy, method, args) -> null);
            b.getMethod("taskExecutor", executor).invoke(builder, noop);
            Object built = b.getMethod("build").invoke(builder);
            assertThat(built.getClass().getName()).isEqualTo("dev.scheduler.engine.SchedulerEngine");
            // The class that does use Micrometer is there, and fails only if something loads it.
            assertThatThrownBy(() -> Class.forName(
                            "dev.scheduler.engine.internal.observe.MicrometerEngineMetrics", true, loader))
                    .isInstanceOf(NoClassDefFoundError.class);
        }
    }

    private static void call(Class<?> type, Object target, String method, String value) throws Exception {
        Method m = type.getMethod(method, String.class);
        m.invoke(target, value);
    }
}
