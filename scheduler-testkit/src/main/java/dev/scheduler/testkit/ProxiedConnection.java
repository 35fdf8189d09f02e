package dev.scheduler.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One client connection of a {@link FaultProxy} and its connection to the target. Each direction has a reader, which
 * stamps every chunk with the time it may be forwarded, and a writer, which waits for that time: so a delay never
 * holds up reading, and chunks keep their order. Both look at the proxy's mode for every chunk.
 */
final class ProxiedConnection {

    private static final int CHUNK_SIZE = 16 * 1024;
    /** Chunks read but not yet forwarded, per direction: at most 16 MiB before the reader waits. */
    private static final int QUEUED_CHUNKS = 1024;

    private static final Chunk END = new Chunk(null, 0);

    private record Chunk(byte[] bytes, long dueNanos) {}

    private final FaultProxy proxy;
    private final Socket client;
    /** Null for a connection accepted in black-hole mode, which reads from the client and never forwards. */
    private final Socket target;

    private final String name;
    private final List<Thread> threads;
    private final AtomicInteger openDirections = new AtomicInteger(2);
    private final AtomicBoolean ended = new AtomicBoolean();

    ProxiedConnection(FaultProxy proxy, Socket client, Socket target, String name) {
        this.proxy = proxy;
        this.client = client;
        this.target = target;
        this.name = name;
        if (target == null) {
            this.threads = List.of(thread("-black-hole", () -> read(client, null)));
        } else {
            BlockingQueue<Chunk> toTarget = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
            BlockingQueue<Chunk> toClient = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
            this.threads = List.of(
                    thread("-read-client", () -> read(client, toTarget)),
                    thread("-write-target", () -> write(toTarget, target, true)),
                    thread("-read-target", () -> read(target, toClient)),
                    thread("-write-client", () -> write(toClient, client, false)));
        }
    }

    /** Starts the threads; once only. A connection reset before has threads that end at once. */
    void start() {
        threads.forEach(Thread::start);
    }

    private Thread thread(String suffix, Runnable body) {
        Thread thread = new Thread(body, name + suffix);
        thread.setDaemon(true);
        return thread;
    }

    /** Reads {@code from} until it ends; {@code queue} null: reads and drops everything. */
    private void read(Socket from, BlockingQueue<Chunk> queue) {
        byte[] buffer = new byte[CHUNK_SIZE];
        try {
            InputStream in = from.getInputStream();
            while (true) {
                int count = in.read(buffer);
                if (count < 0) {
                    if (queue == null) {
                        reset();
                    } else {
                        queue.put(END);
                    }
                    return;
                }
                FaultProxy.Setting setting = proxy.setting();
                if (queue != null && setting.mode() != FaultProxy.Mode.BLACK_HOLE) {
                    queue.put(new Chunk(Arrays.copyOf(buffer, count), System.nanoTime() + setting.delayNanos()));
                }
            }
        } catch (IOException | InterruptedException e) {
            reset();
        }
    }

    private void write(BlockingQueue<Chunk> queue, Socket to, boolean toTarget) {
        try {
            OutputStream out = to.getOutputStream();
            while (true) {
                Chunk chunk = queue.take();
                long wait;
                while ((wait = chunk.dueNanos() - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                // Looked at when forwarding, so that a black hole also swallows what was read before it began.
                boolean blackHole = proxy.setting().mode() == FaultProxy.Mode.BLACK_HOLE;
                if (chunk == END) {
                    if (!blackHole) {
                        to.shutdownOutput();
                    }
                    directionEnded();
                    return;
                }
                if (!blackHole) {
                    out.write(chunk.bytes());
                    proxy.forwarded(toTarget, chunk.bytes().length);
                }
            }
        } catch (IOException | InterruptedException e) {
            reset();
        }
    }

    private void directionEnded() {
        if (openDirections.decrementAndGet() == 0 && ended.compareAndSet(false, true)) {
            closeQuietly(client);
            closeQuietly(target);
            proxy.ended(this);
        }
    }

    /** Resets both sides (RST, not FIN) and ends the threads. Idempotent. */
    void reset() {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        resetQuietly(client);
        resetQuietly(target);
        for (Thread thread : threads) {
            if (thread != Thread.currentThread()) {
                thread.interrupt();
            }
        }
        proxy.ended(this);
    }

    static void resetQuietly(Socket socket) {
        if (socket == null) {
            return;
        }
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // closed already, or never connected: close() below is all there is to do
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
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
