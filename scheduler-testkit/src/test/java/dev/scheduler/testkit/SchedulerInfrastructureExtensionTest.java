package dev.scheduler.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.scheduler.testkit.internal.ContainerMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** How the extension chooses its mode, run through the JUnit engine; starts no server. */
class SchedulerInfrastructureExtensionTest {

    @Test
    void container_mode_skips_its_tests_where_there_is_no_docker_engine() {
        assumeFalse(ContainerMode.dockerAvailable(), "a Docker engine is here: ContainerModeIT runs instead");
        Events tests = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(UsesContainers.class))
                .execute()
                .allEvents();

        assertThat(tests.skipped().count()).isEqualTo(1);
        assertThat(tests.failed().count()).isZero();
    }

    @Test
    void container_mode_can_be_chosen_by_configuration_parameter() {
        assumeFalse(ContainerMode.dockerAvailable(), "a Docker engine is here: ContainerModeIT runs instead");
        Events tests = EngineTestKit.engine("junit-jupiter")
                .configurationParameter(SchedulerInfrastructureExtension.MODE_PROPERTY, "containers")
                .selectors(selectClass(UsesConfiguredMode.class))
                .execute()
                .allEvents();

        assertThat(tests.skipped().count()).isEqualTo(1);
        assertThat(tests.failed().count()).isZero();
    }

    @Test
    void an_unknown_mode_fails_naming_the_property_and_the_allowed_values() {
        EngineTestKit.engine("junit-jupiter")
                .configurationParameter(SchedulerInfrastructureExtension.MODE_PROPERTY, "docker")
                .selectors(selectClass(UsesConfiguredMode.class))
                .execute()
                .allEvents()
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(finishedWithFailure(message(m -> m.contains("scheduler.testkit.mode")
                                && m.contains("'embedded' or 'containers'")
                                && m.contains("docker")))));
    }

    static class UsesContainers {
        @RegisterExtension
        static final SchedulerInfrastructureExtension INFRASTRUCTURE = SchedulerInfrastructureExtension.containers();

        @Test
        void needs_infrastructure(SchedulerInfrastructure infrastructure) {
            assertThat(infrastructure).isNotNull();
        }
    }

    @ExtendWith(SchedulerInfrastructureExtension.class)
    static class UsesConfiguredMode {
        @Test
        void needs_infrastructure(SchedulerInfrastructure infrastructure) {
            assertThat(infrastructure).isNotNull();
        }
    }
}
