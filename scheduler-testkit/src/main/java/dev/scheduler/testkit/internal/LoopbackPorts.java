package dev.scheduler.testkit.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** Free TCP ports on 127.0.0.1, and a probe for a listening port. */
public final class LoopbackPorts {

    public static final String HOST = "127.0.0.1";

    private LoopbackPorts() {}

    /** Where ports are chosen when the system's ephemeral range is unknown or leaves no room below it. */
    private static final int LOWEST = 10_000;

    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    /**
     * Returns {@code count} distinct ports that were free a moment ago. The ports are released before this method
     * returns, so that a server can bind them. They are chosen below the system's ephemeral range where it is known
     * (Linux), because outgoing connections take their local ports from that range: the Kafka clients of a run that
     * starts Cassandra took its storage port in the seconds before it bound it ("in use by another process"). Another
     * process could still take one, though only by choosing it.
     */
    public static int[] allocate(int count) {
        return allocate(count, ephemeralRangeStart(EPHEMERAL_RANGE));
    }

    /** As {@link #allocate(int)}, with ports below {@code ephemeralStart} if there is room, else any free ports. */
    static int[] allocate(int count, int ephemeralStart) {
        int[] ports = new int[count];
        Set<Integer> seen = new HashSet<>();
        InetAddress loopback = loopback();
        boolean belowEphemeral = ephemeralStart - LOWEST >= 1_000;
        for (int i = 0; i < count; i++) {
            int port;
            do {
                int wanted = belowEphemeral ? ThreadLocalRandom.current().nextInt(LOWEST, ephemeralStart) : 0;
                port = bindable(loopback, wanted);
            } while (port < 0 || !seen.add(port));
            ports[i] = port;
        }
        return ports;
    }

    /** The port bound when binding {@code wanted} (0: any), or -1 if {@code wanted} is taken. */
    private static int bindable(InetAddress loopback, int wanted) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(loopback, wanted), 1);
            return socket.getLocalPort();
        } catch (IOException e) {
            if (wanted != 0) {
                return -1;
            }
            throw new UncheckedIOException("cannot find a free port on " + HOST, e);
        }
    }

    /** The first port of the ephemeral range in {@code rangeFile} ("32768\t60999"), or 0 if it cannot be read. */
    static int ephemeralRangeStart(Path rangeFile) {
        try {
            // Not readString: of a procfs file, which reports size 0, it returned "3" of "32768\t60999".
            String[] range = Files.readAllLines(rangeFile).get(0).trim().split("\\s+");
            return Integer.parseInt(range[0]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Whether something accepts TCP connections on 127.0.0.1:{@code port} right now. */
    public static boolean isListening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(loopback(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static InetAddress loopback() {
        try {
            return InetAddress.getByName(HOST);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
