package dev.scheduler.testkit;

import dev.scheduler.testkit.internal.ContainerMode;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives test constructors, lifecycle methods and test methods a {@link SchedulerInfrastructure} parameter.
 *
 * <pre>{@code
 * @ExtendWith(SchedulerInfrastructureExtension.class)
 * class TaskStoreIT {
 *     @Test
 *     void stores_a_task(SchedulerInfrastructure infrastructure) { ... }
 * }
 * }</pre>
 *
 * <p>The infrastructure is shared by every test of the JVM and started on first use. Which one is chosen by the
 * JUnit configuration parameter or system property {@value #MODE_PROPERTY}:
 * <ul>
 *   <li>{@code embedded} (default): {@link SchedulerInfrastructure#shared()}, an in-process broker and a forked
 *       Cassandra node, no Docker needed;</li>
 *   <li>{@code containers}: {@link ContainerInfrastructure}. Where no Docker engine is found, the tests of a class
 *       using this extension are skipped (reported as disabled), not failed.</li>
 * </ul>
 * {@link #containers()} and {@link #embedded()} fix the mode for one class, with {@code @RegisterExtension}.
 */
public final class SchedulerInfrastructureExtension implements ParameterResolver, ExecutionCondition {

    /** Name of the configuration parameter (or system property) choosing the mode. */
    public static final String MODE_PROPERTY = "scheduler.testkit.mode";

    private enum Mode {
        EMBEDDED,
        CONTAINERS
    }

    private final Mode fixedMode;

    /** An extension whose mode comes from {@value #MODE_PROPERTY}; what {@code @ExtendWith} uses. */
    public SchedulerInfrastructureExtension() {
        this(null);
    }

    private SchedulerInfrastructureExtension(Mode fixedMode) {
        this.fixedMode = fixedMode;
    }

    /** An extension that always gives the embedded infrastructure. */
    public static SchedulerInfrastructureExtension embedded() {
        return new SchedulerInfrastructureExtension(Mode.EMBEDDED);
    }

    /** An extension that always gives containers, and skips its tests where there is no Docker engine. */
    public static SchedulerInfrastructureExtension containers() {
        return new SchedulerInfrastructureExtension(Mode.CONTAINERS);
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (mode(context) == Mode.CONTAINERS && !ContainerMode.dockerAvailable()) {
            return ConditionEvaluationResult.disabled("no Docker engine found for " + MODE_PROPERTY + "=containers");
        }
        return ConditionEvaluationResult.enabled("infrastructure available");
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == SchedulerInfrastructure.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return mode(extensionContext) == Mode.CONTAINERS ? ContainerMode.shared() : SchedulerInfrastructure.shared();
    }

    private Mode mode(ExtensionContext context) {
        if (fixedMode != null) {
            return fixedMode;
        }
        Optional<String> value = context.getConfigurationParameter(MODE_PROPERTY);
        if (value.isEmpty() || value.get().isBlank()) {
            return Mode.EMBEDDED;
        }
        return switch (value.get().trim().toLowerCase(Locale.ROOT)) {
            case "embedded" -> Mode.EMBEDDED;
            case "containers" -> Mode.CONTAINERS;
            default ->
                throw new ExtensionConfigurationException(
                        MODE_PROPERTY + " must be 'embedded' or 'containers', was '" + value.get() + "'");
        };
    }
}
