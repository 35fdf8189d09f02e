package dev.scheduler.engine.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import org.junit.jupiter.api.Test;

class PartitionOwnersTest {

    /** Lease renewals skip the serial read only when reads and writes both reach a quorum, so that they overlap. */
    @Test
    void only_quorum_levels_let_a_lease_renewal_read_without_paxos() {
        assertThat(PartitionOwners.reachesQuorum(DefaultConsistencyLevel.LOCAL_QUORUM))
                .isTrue();
        assertThat(PartitionOwners.reachesQuorum(DefaultConsistencyLevel.QUORUM))
                .isTrue();
        assertThat(PartitionOwners.reachesQuorum(DefaultConsistencyLevel.EACH_QUORUM))
                .isTrue();
        assertThat(PartitionOwners.reachesQuorum(DefaultConsistencyLevel.ALL)).isTrue();
        assertThat(PartitionOwners.reachesQuorum(DefaultConsistencyLevel.ONE)).isFalse();
        assertThat(PartitionOwners.reachesQuorum(DefaultConsistencyLevel.LOCAL_ONE))
                .isFalse();
        assertThat(PartitionOwners.reachesQuorum(DefaultConsistencyLevel.TWO)).isFalse();
    }
}
