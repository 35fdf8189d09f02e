package dev.scheduler.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.metadata.Node;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SchedulerInfrastructureExtension.class)
class CassandraProxyIT {

    private static final String QUERY = "SELECT release_version FROM system.local";

    @Test
    void a_session_through_a_proxy_times_out_in_a_black_hole_and_works_again_after_pass(
            SchedulerInfrastructure infrastructure) {
        try (FaultProxy proxy = infrastructure.cassandraProxy();
                CqlSession session = CqlSession.builder()
                        .addContactPoint(proxy.socketAddress())
                        .withLocalDatacenter(infrastructure.cassandraLocalDatacenter())
                        .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(1))
                                .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(100))
                                .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofMillis(500))
                                .build())
                        .build()) {
            assertThat(session.execute(QUERY).one()).isNotNull();
            assertThat(session.getMetadata().getNodes().values())
                    .extracting(node -> node.getEndPoint().resolve())
                    .as("every node the driver connects to")
                    .containsExactly(proxy.socketAddress());

            proxy.blackHole();
            assertThatThrownBy(() -> session.execute(QUERY))
                    .isInstanceOf(DriverTimeoutException.class)
                    .as("%s", proxy);

            proxy.pass();
            await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .until(() -> session.execute(QUERY).one() != null);
            assertThat(session.getMetadata().getNodes().values())
                    .extracting(Node::getEndPoint)
                    .extracting(endPoint -> endPoint.resolve())
                    .containsExactly(proxy.socketAddress());
        }
    }
}
