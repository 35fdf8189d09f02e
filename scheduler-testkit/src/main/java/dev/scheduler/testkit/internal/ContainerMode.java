package dev.scheduler.testkit.internal;

import dev.scheduler.testkit.ContainerInfrastructure;
import dev.scheduler.testkit.InfrastructureException;
import dev.scheduler.testkit.SchedulerInfrastructure;

/**
 * The one place outside {@link ContainerInfrastructure} that touches Testcontainers, an optional dependency: only
 * called when container mode was asked for, so that its classes are loaded only then.
 */
public final class ContainerMode {

    private static ContainerInfrastructure shared;
    private static RuntimeException startFailure;

    private ContainerMode() {}

    /** Whether Testcontainers is on the classpath and finds a Docker engine; the answer is cached by Testcontainers. */
    public static boolean dockerAvailable() {
        requireTestcontainers();
        return ContainerInfrastructure.isDockerAvailable();
    }

    /** The containers of this JVM, started on first call and stopped at JVM exit. */
    public static synchronized SchedulerInfrastructure shared() {
        requireTestcontainers();
        if (shared == null) {
            if (startFailure != null) {
                throw new InfrastructureException(
                        "the test containers failed to start before: " + startFailure.getMessage(), startFailure);
            }
            try {
                ContainerInfrastructure started = ContainerInfrastructure.start();
                ExitCleanup.register("stop test containers", started::close);
                shared = started;
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
        }
        return shared;
    }

    private static void requireTestcontainers() {
        try {
            Class.forName("org.testcontainers.kafka.KafkaContainer", false, ContainerMode.class.getClassLoader());
            Class.forName(
                    "org.testcontainers.cassandra.CassandraContainer", false, ContainerMode.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new InfrastructureException(
                    "container mode needs org.testcontainers:testcontainers-kafka and "
                            + "org.testcontainers:testcontainers-cassandra on the test classpath",
                    e);
        }
    }
}
