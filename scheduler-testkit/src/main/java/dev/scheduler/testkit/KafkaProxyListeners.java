package dev.scheduler.testkit;

import dev.scheduler.testkit.internal.KafkaBrokerConfig.ProxiedListener;
import dev.scheduler.testkit.internal.LoopbackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker listeners that {@link EmbeddedKafka#proxy()} hands out, each with the port its proxy listens on. The
 * broker advertises that port on that listener, so the port must stay the proxy's for the broker's life: while no
 * proxy uses it, this class keeps it bound (connections made then wait in the backlog until the next proxy takes the
 * port, or are reset when the broker closes).
 */
final class KafkaProxyListeners implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaProxyListeners.class);

    /** One listener; {@code reserved} holds its proxy port while {@code proxy} is null. */
    private static final class Slot {
        final ProxiedListener listener;
        ServerSocket reserved;
        FaultProxy proxy;

        Slot(ProxiedListener listener, ServerSocket reserved) {
            this.listener = listener;
            this.reserved = reserved;
        }
    }

    private final List<Slot> slots;
    private boolean closed;

    private KafkaProxyListeners(List<Slot> slots) {
        this.slots = slots;
    }

    /**
     * Binds a proxy port for each of {@code listenerPorts}, which must be free ports for the broker's listeners named
     * {@code PROXY_1}, {@code PROXY_2}, ...
     */
    static KafkaProxyListeners reserve(int[] listenerPorts) {
        List<Slot> slots = new ArrayList<>();
        try {
            for (int i = 0; i < listenerPorts.length; i++) {
                ServerSocket reserved = FaultProxy.bind(0);
                slots.add(new Slot(
                        new ProxiedListener("PROXY_" + (i + 1), listenerPorts[i], reserved.getLocalPort()), reserved));
            }
        } catch (RuntimeException e) {
            slots.forEach(slot -> closeQuietly(slot.reserved));
            throw e;
        }
        return new KafkaProxyListeners(slots);
    }

    List<ProxiedListener> listeners() {
        return slots.stream().map(slot -> slot.listener).toList();
    }

    /**
     * A proxy on a free listener's advertised port, forwarding to the listener.
     *
     * @throws IllegalStateException if every listener has an open proxy
     */
    synchronized FaultProxy take(String broker) {
        if (closed) {
            throw new IllegalStateException(broker + " is closed");
        }
        for (Slot slot : slots) {
            if (slot.reserved != null) {
                FaultProxy proxy = FaultProxy.start(
                        slot.reserved,
                        new InetSocketAddress(LoopbackPorts.HOST, slot.listener.port()),
                        () -> release(slot));
                slot.reserved = null;
                slot.proxy = proxy;
                return proxy;
            }
        }
        throw new IllegalStateException("all " + slots.size() + " proxy listeners of " + broker
                + " have an open proxy; the number is fixed when the broker starts: close a proxy to free its"
                + " listener");
    }

    /** Binds the port again for the next proxy; if it cannot, the listener is lost (logged). */
    private synchronized void release(Slot slot) {
        slot.proxy = null;
        if (closed) {
            return;
        }
        try {
            slot.reserved = FaultProxy.bind(slot.listener.advertisedPort());
        } catch (UncheckedIOException e) {
            LOG.warn(
                    "Kafka proxy listener {} cannot be used again: its port {} was taken",
                    slot.listener.name(),
                    slot.listener.advertisedPort(),
                    e);
        }
    }

    /** Closes the proxies still open and frees every port. */
    @Override
    public void close() {
        List<FaultProxy> open = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (Slot slot : slots) {
                closeQuietly(slot.reserved);
                slot.reserved = null;
                if (slot.proxy != null) {
                    open.add(slot.proxy);
                }
            }
        }
        open.forEach(FaultProxy::close);
    }

    private static void closeQuietly(ServerSocket socket) {
        if (socket == null) {
            return;
        }
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
