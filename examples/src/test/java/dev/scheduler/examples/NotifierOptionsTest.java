package dev.scheduler.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scheduler.examples.FlagValues.UsageException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NotifierOptionsTest {

    @Test
    void no_arguments_means_embedded_servers_and_the_defaults() throws UsageException {
        NotifierOptions options = NotifierOptions.parse();

        assertThat(options).isEqualTo(NotifierOptions.defaults());
        assertThat(options.embeddedKafka()).isTrue();
        assertThat(options.embeddedCassandra()).isTrue();
        assertThat(options.duration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.delay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(options.failover()).isTrue();
    }

    @Test
    void every_flag_is_read_with_a_space_or_an_equals_sign() throws UsageException {
        NotifierOptions options = NotifierOptions.parse(
                "--kafka",
                "k1:9092,k2:9092",
                "--cassandra=c1:9042",
                "--datacenter",
                "dc1",
                "--duration=2m",
                "--rate",
                "12.5",
                "--delay-seconds=10");

        assertThat(options.kafka()).isEqualTo("k1:9092,k2:9092");
        assertThat(options.cassandra().getHostString()).isEqualTo("c1");
        assertThat(options.cassandra().getPort()).isEqualTo(9042);
        assertThat(options.datacenter()).isEqualTo("dc1");
        assertThat(options.duration()).isEqualTo(Duration.ofMinutes(2));
        assertThat(options.rate()).isEqualTo(12.5);
        assertThat(options.delay()).isEqualTo(Duration.ofSeconds(10));
        assertThat(options.failover()).isTrue();
        assertThat(options.help()).isFalse();
    }

    @Test
    void no_failover_keeps_both_engines_running_and_takes_no_value() throws UsageException {
        assertThat(NotifierOptions.parse("--rate", "5", "--no-failover").failover())
                .isFalse();
        assertThatThrownBy(() -> NotifierOptions.parse("--no-failover=true"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--no-failover takes no value");
    }

    @Test
    void help_is_recognised() throws UsageException {
        assertThat(NotifierOptions.parse("--help").help()).isTrue();
        assertThat(NotifierOptions.parse("-h").help()).isTrue();
    }

    @Test
    void an_unknown_flag_is_named_in_the_error() {
        assertThatThrownBy(() -> NotifierOptions.parse("--rate", "5", "--speed", "9"))
                .isInstanceOf(UsageException.class)
                .hasMessage("unknown flag --speed");
    }

    @Test
    void a_malformed_value_is_named_with_its_flag() {
        assertThatThrownBy(() -> NotifierOptions.parse("--rate", "fast"))
                .hasMessage("--rate expects a number of incidents per second, was 'fast'");
        assertThatThrownBy(() -> NotifierOptions.parse("--rate=0"))
                .hasMessage("--rate must be more than 0 and at most 2000, was 0");
        assertThatThrownBy(() -> NotifierOptions.parse("--kafka", "localhost"))
                .hasMessage("--kafka expects HOST:PORT, for example 127.0.0.1:9092, was 'localhost'");
        assertThatThrownBy(() -> NotifierOptions.parse("--cassandra", "c1:70000"))
                .hasMessageStartingWith("--cassandra: port must be between 1 and 65535, was 70000");
        assertThatThrownBy(() -> NotifierOptions.parse("--duration", "soon"))
                .hasMessage("--duration expects seconds, such as 30, 30s or 2m, was 'soon'");
        assertThatThrownBy(() -> NotifierOptions.parse("--delay-seconds", "0"))
                .hasMessage("--delay-seconds must be between 1 and 3600, was 0");
    }

    @Test
    void a_flag_without_its_value_is_an_error() {
        assertThatThrownBy(() -> NotifierOptions.parse("--kafka")).hasMessage("--kafka needs a value");
        assertThatThrownBy(() -> NotifierOptions.parse("--kafka", "--rate", "5"))
                .hasMessage("--kafka needs a value");
    }

    @Test
    void a_bare_argument_is_an_error() {
        assertThatThrownBy(() -> NotifierOptions.parse("fast"))
                .hasMessage("unexpected argument 'fast'; options start with --");
    }

    @Test
    void datacenter_without_cassandra_is_an_error() {
        assertThatThrownBy(() -> NotifierOptions.parse("--datacenter", "dc1"))
                .hasMessage("--datacenter is only used with --cassandra");
    }
}
