package dev.scheduler.engine;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** What {@link SchedulerEngine.Builder#build()} refuses, and how it says so; no server is needed. */
class SchedulerEngineBuilderTest {

    private static SchedulerEngine.Builder complete() {
        return SchedulerEngine.builder()
                .bootstrapServers("127.0.0.1:9092")
                .topic("tasks")
                .groupId("service")
                .cassandra(new InetSocketAddress("127.0.0.1", 9042), "datacenter1")
                .keyspace("service_tasks")
                .taskExecutor(context -> {});
    }

    @Test
    void a_complete_builder_builds() {
        assertThatCode(() -> complete().build()).doesNotThrowAnyException();
    }

    @Test
    void a_missing_or_wrong_required_setting_is_refused_naming_it() {
        assertThatThrownBy(() -> complete().topic(" ").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topic is required");
        assertThatThrownBy(() -> complete().keyspace("1-bad").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("keyspace '1-bad' is not a valid Cassandra keyspace name");
        assertThatThrownBy(() -> complete().asyncTaskExecutor(context -> null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("exactly one of taskExecutor(...) and asyncTaskExecutor(...) is required");
        assertThatThrownBy(() -> complete().consumerProperty("fetch.max.bytes", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("consumerProperty 'fetch.max.bytes' must not be null");
    }

    /**
     * Issue 11, finding 11: these consumer properties silently broke the no-loss promise (offsets committed
     * before the records are stored; records published before the group's first commit skipped) or the
     * rebalance protocol the engine relies on.
     */
    @Test
    void consumer_properties_that_would_break_the_no_loss_promise_are_refused_naming_the_property() {
        assertThatThrownBy(() -> complete()
                        .consumerProperty("enable.auto.commit", "true")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("consumer property enable.auto.commit=true is not allowed")
                .hasMessageContaining("only after its records are stored in Cassandra");
        assertThatThrownBy(() -> complete()
                        .consumerProperty("enable.auto.commit", Boolean.TRUE)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("consumer property enable.auto.commit=true is not allowed");
        assertThatThrownBy(() -> complete()
                        .consumerProperty("auto.offset.reset", "latest")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("consumer property auto.offset.reset=latest is not allowed")
                .hasMessageContaining("earliest");
        assertThatThrownBy(() -> complete()
                        .consumerProperty("group.protocol", "CONSUMER")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("consumer property group.protocol=CONSUMER is not allowed");
        assertThatCode(() -> complete()
                        .consumerProperty("enable.auto.commit", "false")
                        .consumerProperty("auto.offset.reset", "earliest")
                        .consumerProperty("group.protocol", "classic")
                        .build())
                .doesNotThrowAnyException();
    }
}
