package dev.scheduler.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accepting thread of a {@link FaultProxy}: accepts each connection, and opens its connection to the target
 * unless the mode says otherwise. Ends when the proxy closes its server socket.
 */
final class ProxyAcceptor implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyAcceptor.class);
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private final FaultProxy proxy;
    private final ServerSocket serverSocket;
    private final InetSocketAddress target;
    private final String threadPrefix;
    private final AtomicLong accepted;
    private final AtomicInteger connectionIds = new AtomicInteger();

    ProxyAcceptor(
            FaultProxy proxy,
            ServerSocket serverSocket,
            InetSocketAddress target,
            String threadPrefix,
            AtomicLong accepted) {
        this.proxy = proxy;
        this.serverSocket = serverSocket;
        this.target = target;
        this.threadPrefix = threadPrefix;
        this.accepted = accepted;
    }

    @Override
    public void run() {
        while (!proxy.isClosed()) {
            Socket client;
            try {
                client = serverSocket.accept();
            } catch (IOException e) {
                if (!proxy.isClosed()) {
                    LOG.warn("{}: cannot accept any more connections", proxy, e);
                }
                return;
            }
            accepted.incrementAndGet();
            open(client);
        }
    }

    private void open(Socket client) {
        FaultProxy.Mode mode = proxy.mode();
        if (mode == FaultProxy.Mode.DROP_NEW_CONNECTIONS) {
            ProxiedConnection.resetQuietly(client);
            return;
        }
        Socket upstream = null;
        if (mode != FaultProxy.Mode.BLACK_HOLE) {
            try {
                upstream = new Socket();
                upstream.connect(resolved(target), CONNECT_TIMEOUT_MILLIS);
            } catch (IOException e) {
                LOG.debug("{}: cannot connect to the target", proxy, e);
                ProxiedConnection.resetQuietly(upstream);
                ProxiedConnection.resetQuietly(client);
                return;
            }
        }
        ProxiedConnection connection =
                new ProxiedConnection(proxy, client, upstream, threadPrefix + "-c" + connectionIds.incrementAndGet());
        if (proxy.register(connection, upstream != null)) {
            connection.start();
        }
    }

    /** Resolved for each connection, so that a target given by name follows its address. */
    private static InetSocketAddress resolved(InetSocketAddress address) {
        return address.isUnresolved() ? new InetSocketAddress(address.getHostString(), address.getPort()) : address;
    }
}
