package dev.scheduler.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoopbackPortsTest {

    @Test
    void portsAreChosenBelowTheEphemeralRangeThatOutgoingConnectionsUse() throws IOException {
        int[] ports = LoopbackPorts.allocate(50, 32768);
        assertThat(Arrays.stream(ports).boxed()).allSatisfy(p -> assertThat(p).isBetween(10_000, 32767));
        assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(50);
        for (int port : ports) {
            try (ServerSocket socket = new ServerSocket(port, 1, LoopbackPorts.loopback())) {
                assertThat(socket.getLocalPort()).isEqualTo(port); // free: a server can bind it
            }
        }
    }

    @Test
    void anyFreePortWhenTheRangeLeavesNoRoomBelowIt() {
        assertThat(Arrays.stream(LoopbackPorts.allocate(3, 0)).boxed())
                .allSatisfy(p -> assertThat(p).isPositive());
        assertThat(Arrays.stream(LoopbackPorts.allocate(3, 10_500)).boxed())
                .allSatisfy(p -> assertThat(p).isPositive());
    }

    @Test
    void theRangeIsReadFromTheKernelsFile(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("ip_local_port_range"), "32768\t60999\n");
        assertThat(LoopbackPorts.ephemeralRangeStart(file)).isEqualTo(32768);
        assertThat(LoopbackPorts.ephemeralRangeStart(dir.resolve("missing"))).isZero();
        assertThat(LoopbackPorts.ephemeralRangeStart(Files.writeString(dir.resolve("bad"), "x")))
                .isZero();
    }

    @Test
    void theKernelsOwnFileIsRead() {
        Path real = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        assumeTrue(Files.isReadable(real), "no " + real + " on this system");
        int start = LoopbackPorts.ephemeralRangeStart(real);
        assertThat(start).isGreaterThan(1024);
        assertThat(Arrays.stream(LoopbackPorts.allocate(5)).boxed())
                .allSatisfy(p -> assertThat(p).isLessThan(start));
    }
}
