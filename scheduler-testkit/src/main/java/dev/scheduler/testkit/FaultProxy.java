package dev.scheduler.testkit;

import dev.scheduler.testkit.internal.LoopbackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy on 127.0.0.1 that a test puts between a client and a server, to inject network faults while the test
 * runs: delay, refuse new connections, cut live ones, or black-hole every byte.
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.start(infrastructure.cassandraContactPoint())) {
 *     ... connect the code under test to proxy.host():proxy.port() ...
 *     proxy.blackHole();   // requests now time out
 *     proxy.pass();        // new connections work again
 * }
 * }</pre>
 *
 * <p>The proxy accepts connections on a free port of 127.0.0.1 and opens one connection to the target for each, when
 * it accepts it. What it does with them depends on its {@link Mode}, which any thread can change at any time; a
 * change applies to the next byte read, on every connection:
 * <ul>
 *   <li>{@link #pass()} (the initial mode): bytes go through as they come.</li>
 *   <li>{@link #delay(Duration)}: every chunk read, in either direction, is forwarded no earlier than the delay after it
 *       was read; order is kept. A request and its answer are each delayed once, so a round trip takes at least twice
 *       the delay.</li>
 *   <li>{@link #dropNewConnections()}: a new connection is accepted and reset at once (the client sees its connection
 *       reset or closed); connections open before keep working.</li>
 *   <li>{@link #blackHole()}: connections, new and open, are kept open and read, but nothing is forwarded in either
 *       direction, not even a close: the client sees no error and gets no answer, as behind a lost network link.
 *       A new connection is accepted but no connection to the target is opened for it.</li>
 * </ul>
 * {@link #cutLiveConnections()} resets every open connection on both sides at once and leaves the mode unchanged.
 *
 * <p>Leaving black-hole mode, for any mode, resets every connection that was open while it lasted: bytes were lost in
 * them, and a TCP stream that lost bytes cannot resume. Clients see the reset and reconnect, through the proxy again.
 *
 * <p>Connections that end normally (a close on either side) are closed on the other side once the bytes before it are
 * forwarded. A cut or a failure resets both sides. If the target cannot be reached, the client's connection is reset.
 *
 * <p>Threads: one to accept, and four per connection (one in black-hole mode), all daemons named
 * {@code fault-proxy-<n>-...}; {@link #close()} resets every connection and ends them all. Thread-safe.
 */
public final class FaultProxy implements AutoCloseable {

    /** What the proxy does with the bytes and connections it gets; see {@link FaultProxy}. */
    public enum Mode {
        PASS,
        DELAY,
        DROP_NEW_CONNECTIONS,
        BLACK_HOLE
    }

    /** The mode and, in {@link Mode#DELAY}, the delay; replaced as a whole so that readers see both together. */
    record Setting(Mode mode, long delayNanos) {}

    private static final Logger LOG = LoggerFactory.getLogger(FaultProxy.class);
    private static final AtomicInteger PROXY_IDS = new AtomicInteger();

    private final ServerSocket serverSocket;
    private final InetSocketAddress target;
    private final Runnable onClose;
    private final Thread acceptor;
    private final Set<ProxiedConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong connectionsAccepted = new AtomicLong();
    private final AtomicLong bytesToTarget = new AtomicLong();
    private final AtomicLong bytesToClient = new AtomicLong();
    private volatile Setting setting = new Setting(Mode.PASS, 0);
    private volatile boolean closed;

    private FaultProxy(ServerSocket serverSocket, InetSocketAddress target, Runnable onClose) {
        this.serverSocket = serverSocket;
        this.target = target;
        this.onClose = onClose;
        String threadPrefix = "fault-proxy-" + PROXY_IDS.incrementAndGet();
        this.acceptor = new Thread(
                new ProxyAcceptor(this, serverSocket, target, threadPrefix, connectionsAccepted),
                threadPrefix + "-accept");
        acceptor.setDaemon(true);
    }

    /**
     * Starts a proxy in {@link Mode#PASS} to {@code targetHost:targetPort}, listening on a free port of 127.0.0.1. The
     * target is not contacted until a client connects.
     *
     * @throws UncheckedIOException if no port can be bound
     */
    public static FaultProxy start(String targetHost, int targetPort) {
        Objects.requireNonNull(targetHost, "targetHost");
        if (targetPort < 1 || targetPort > 65_535) {
            throw new IllegalArgumentException("targetPort must be in [1, 65535], was " + targetPort);
        }
        return start(InetSocketAddress.createUnresolved(targetHost, targetPort));
    }

    /** {@link #start(String, int)} with the target's host and port. */
    public static FaultProxy start(InetSocketAddress target) {
        Objects.requireNonNull(target, "target");
        return start(bind(0), target, () -> {});
    }

    /**
     * A proxy accepting on {@code serverSocket}, already bound; {@code onClose} runs after {@link #close()} closed it.
     */
    static FaultProxy start(ServerSocket serverSocket, InetSocketAddress target, Runnable onClose) {
        FaultProxy proxy = new FaultProxy(serverSocket, target, onClose);
        proxy.acceptor.start();
        LOG.debug("{} started", proxy);
        return proxy;
    }

    /** A server socket on 127.0.0.1:{@code port} ({@code 0}: a free port), with SO_REUSEADDR. */
    static ServerSocket bind(int port) {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(LoopbackPorts.HOST), port), 50);
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + LoopbackPorts.HOST + ":" + port, e);
        }
    }

    /** Always {@code 127.0.0.1}. */
    public String host() {
        return LoopbackPorts.HOST;
    }

    /** The port clients connect to. */
    public int port() {
        return serverSocket.getLocalPort();
    }

    /** {@code 127.0.0.1:<port>}, e.g. for {@code bootstrap.servers}. */
    public String address() {
        return host() + ":" + port();
    }

    /** {@link #host()} and {@link #port()}, e.g. for the Cassandra driver's {@code addContactPoint}. */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(host(), port());
    }

    /** Where the proxy forwards to. */
    public InetSocketAddress target() {
        return target;
    }

    /** Forwards bytes as they come. Leaving {@link Mode#BLACK_HOLE} resets the connections it held. */
    public void pass() {
        switchTo(new Setting(Mode.PASS, 0));
    }

    /**
     * Forwards every chunk read from now on, in either direction, no earlier than {@code delay} after it was read, in
     * order. Chunks read before keep the delay they were read with.
     *
     * @param delay positive
     */
    public void delay(Duration delay) {
        if (delay.isNegative() || delay.isZero()) {
            throw new IllegalArgumentException("delay must be positive, was " + delay);
        }
        switchTo(new Setting(Mode.DELAY, delay.toNanos()));
    }

    /** Resets every new connection as soon as it is accepted; open connections keep working. */
    public void dropNewConnections() {
        switchTo(new Setting(Mode.DROP_NEW_CONNECTIONS, 0));
    }

    /** Accepts and reads everything, forwards nothing, closes nothing; see {@link FaultProxy}. */
    public void blackHole() {
        switchTo(new Setting(Mode.BLACK_HOLE, 0));
    }

    /** Resets every open connection, towards the client and the target; the mode does not change. */
    public void cutLiveConnections() {
        requireOpen();
        List<ProxiedConnection> open = List.copyOf(connections);
        open.forEach(ProxiedConnection::reset);
        LOG.info("{}: cut {} connections", this, open.size());
    }

    /** The current mode. */
    public Mode mode() {
        return setting.mode();
    }

    /** The delay of {@link Mode#DELAY}; zero in the other modes. */
    public Duration currentDelay() {
        return Duration.ofNanos(setting.delayNanos());
    }

    /** Connections accepted since the start, including those reset at once by {@link #dropNewConnections()}. */
    public long connectionsAccepted() {
        return connectionsAccepted.get();
    }

    /** Connections open right now. */
    public int openConnections() {
        return connections.size();
    }

    /** Bytes forwarded from clients to the target since the start. */
    public long bytesToTarget() {
        return bytesToTarget.get();
    }

    /** Bytes forwarded from the target to clients since the start. */
    public long bytesToClient() {
        return bytesToClient.get();
    }

    /** Stops accepting, resets every open connection and ends the proxy's threads. Idempotent. */
    @Override
    public void close() {
        List<ProxiedConnection> open;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            open = List.copyOf(connections);
        }
        try {
            serverSocket.close();
        } catch (IOException e) {
            LOG.debug("{}: closing the server socket failed", this, e);
        }
        open.forEach(ProxiedConnection::reset);
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.debug("{} closed", this);
        onClose.run();
    }

    private void switchTo(Setting next) {
        List<ProxiedConnection> lostBytes = List.of();
        synchronized (this) {
            requireOpen();
            if (setting.mode() == Mode.BLACK_HOLE && next.mode() != Mode.BLACK_HOLE) {
                lostBytes = List.copyOf(connections);
            }
            setting = next;
        }
        lostBytes.forEach(ProxiedConnection::reset);
        LOG.info("{}: now {}{}", this, next.mode(), lostBytes.isEmpty() ? "" : ", reset " + lostBytes.size());
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    Setting setting() {
        return setting;
    }

    void forwarded(boolean toTarget, int bytes) {
        (toTarget ? bytesToTarget : bytesToClient).addAndGet(bytes);
    }

    void ended(ProxiedConnection connection) {
        connections.remove(connection);
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Adds a connection the acceptor opened, or resets it if the proxy closed meanwhile, or if it was accepted in
     * black-hole mode (so it has no target) and the black hole ended meanwhile.
     */
    synchronized boolean register(ProxiedConnection connection, boolean hasTarget) {
        if (closed || (!hasTarget && setting.mode() != Mode.BLACK_HOLE)) {
            connection.reset();
            return false;
        }
        connections.add(connection);
        return true;
    }

    /** Address, target, mode and counters, for test failure messages. */
    @Override
    public String toString() {
        Setting current = setting;
        return "FaultProxy[" + address() + " -> " + target.getHostString() + ":" + target.getPort() + ", "
                + current.mode()
                + (current.mode() == Mode.DELAY ? " " + Duration.ofNanos(current.delayNanos()) : "")
                + (closed ? ", closed" : "") + ", " + connectionsAccepted() + " accepted, " + openConnections()
                + " open, " + bytesToTarget() + " B to target, " + bytesToClient() + " B to client]";
    }
}
