package dev.scheduler.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scheduler.testkit.SchedulerInfrastructure;
import dev.scheduler.testkit.SchedulerInfrastructureExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The README's quick start, run against real servers, so that the code it quotes keeps working. */
@ExtendWith(SchedulerInfrastructureExtension.class)
class QuickStartIT {

    @Test
    void the_quick_start_runs_its_task(SchedulerInfrastructure infrastructure) throws InterruptedException {
        boolean ran = QuickStart.run(
                infrastructure.kafkaBootstrapServers(),
                infrastructure.cassandraContactPoint(),
                infrastructure.cassandraLocalDatacenter());

        assertThat(ran).as("the reminder ran within a minute").isTrue();
    }
}
