package dev.scheduler.testkit.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashSet;
import java.util.Set;

/** Free TCP ports on 127.0.0.1, and a probe for a listening port. */
public final class LoopbackPorts {

    public static final String HOST = "127.0.0.1";

    private LoopbackPorts() {}

    /**
     * Returns {@code count} distinct ports that were free a moment ago. The ports are released before this method
     * returns, so another process could take one before the server binds it; the ephemeral range is large enough that
     * this is rare, and the server then fails to start with a clear "address in use" in its log.
     */
    public static int[] allocate(int count) {
        int[] ports = new int[count];
        Set<Integer> seen = new HashSet<>();
        InetAddress loopback = loopback();
        for (int i = 0; i < count; i++) {
            int port;
            do {
                try (ServerSocket socket = new ServerSocket(0, 1, loopback)) {
                    port = socket.getLocalPort();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot find a free port on " + HOST, e);
                }
            } while (!seen.add(port));
            ports[i] = port;
        }
        return ports;
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
