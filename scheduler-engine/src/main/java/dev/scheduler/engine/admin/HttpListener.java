package dev.scheduler.engine.admin;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin server's HTTP/1.1 transport: a minimal server of our own, because the JDK's
 * {@code com.sun.net.httpserver} reads a request head on its worker threads with no timeout but the JVM-wide
 * {@code sun.net.httpserver.maxReqTime} property, which would change every other server of the application.
 *
 * <p>One I/O thread ({@code scheduler-admin-http-io}) accepts connections and reads each request (head and body)
 * without blocking, and writes each answer the same way. Only a complete request goes to a worker of
 * {@code workers}, so a client that sends half a request and stalls holds no worker: {@code /live} and
 * {@code /ready} keep answering however many such clients there are, up to {@link #MAX_CONNECTIONS} open
 * connections (more are closed at once). A request not received within {@code readTimeout} of its connection's
 * opening is answered 408 and its connection closed; so is an answer the client does not read within it.
 *
 * <p>Limits: a head of at most {@link #MAX_HEAD} bytes (431 beyond), a body of at most {@link #MAX_BODY} bytes
 * with a {@code Content-Length} (413 beyond; 411 for a chunked body). One request per connection: every answer
 * says {@code Connection: close}, so no idle connection is kept.
 */
final class HttpListener implements AutoCloseable {

    static final int MAX_HEAD = 16 * 1024;
    static final int MAX_BODY = 64 * 1024;
    static final int MAX_CONNECTIONS = 256;
    /** After an answer, how long the client may take to close its side before the socket is closed. */
    private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(1);

    private static final Logger log = LoggerFactory.getLogger(HttpListener.class);
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private final ServerSocketChannel server;
    private final Selector selector;
    private final ExecutorService workers;
    private final Function<Request, Response> handler;
    private final Duration readTimeout;
    private final Thread io;
    /** Answers from the workers, written by the I/O thread. */
    private final Queue<Runnable> answered = new ConcurrentLinkedQueue<>();
    /** Open connections; the I/O thread's only. */
    private final Set<Connection> open = new HashSet<>();

    private volatile boolean closed;

    private HttpListener(
            ServerSocketChannel server,
            Selector selector,
            ExecutorService workers,
            Function<Request, Response> handler,
            Duration readTimeout) {
        this.server = server;
        this.selector = selector;
        this.workers = workers;
        this.handler = handler;
        this.readTimeout = readTimeout;
        this.io = new Thread(this::run, "scheduler-admin-http-io");
        io.setDaemon(true);
    }

    /** Binds {@code address} and starts the I/O thread. */
    static HttpListener start(
            InetSocketAddress address,
            ExecutorService workers,
            Function<Request, Response> handler,
            Duration readTimeout)
            throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        Selector selector = null;
        try {
            server.bind(address, 64);
            server.configureBlocking(false);
            selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            server.close();
            if (selector != null) {
                selector.close();
            }
            throw e;
        }
        HttpListener listener = new HttpListener(server, selector, workers, handler, readTimeout);
        listener.io.start();
        return listener;
    }

    InetSocketAddress address() {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("the admin server's socket is closed", e);
        }
    }

    private void run() {
        while (!closed) {
            try {
                selector.select(100);
                for (Runnable r; (r = answered.poll()) != null; ) {
                    r.run();
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    onReady(key);
                }
                selector.selectedKeys().clear();
                expire(System.nanoTime());
            } catch (ClosedSelectorException e) {
                break;
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    log.warn("the admin server's I/O loop failed; it goes on", e);
                }
            }
        }
        for (Connection c : new ArrayList<>(open)) {
            c.close();
        }
    }

    private void onReady(SelectionKey key) throws IOException {
        if (!key.isValid()) {
            return;
        }
        if (key.isAcceptable()) {
            accept();
            return;
        }
        Connection c = (Connection) key.attachment();
        try {
            if (key.isReadable()) {
                c.onReadable();
            }
            if (key.isValid() && key.isWritable()) {
                c.onWritable();
            }
        } catch (IOException e) {
            log.debug("admin connection failed (client gone?): {}", e.toString());
            c.close();
        }
    }

    private void accept() throws IOException {
        for (SocketChannel ch; (ch = server.accept()) != null; ) {
            if (open.size() >= MAX_CONNECTIONS) {
                log.debug("admin server: {} connections are open; closing a new one", open.size());
                ch.close();
                continue;
            }
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Connection c = new Connection(ch, System.nanoTime() + readTimeout.toNanos());
            c.key = ch.register(selector, SelectionKey.OP_READ, c);
            open.add(c);
        }
    }

    private void expire(long now) {
        for (Connection c : new ArrayList<>(open)) {
            if (now - c.deadline < 0) {
                continue;
            }
            if (c.phase == Phase.READING) {
                c.respond(Response.error(
                        408,
                        "the request was not received within " + readTimeout.toMillis()
                                + " ms of the connection's opening (readTimeout); the connection is closed"));
            } else {
                c.close();
            }
        }
    }

    /** Stops accepting, closes every connection and the socket. Requests being handled get no answer. */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            io.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            server.close();
            selector.close();
        } catch (IOException e) {
            log.debug("closing the admin server's socket failed: {}", e.toString());
        }
    }

    private enum Phase {
        READING,
        HANDLING,
        WRITING,
        LINGERING,
        CLOSED
    }

    /** One connection: its request read so far, or its answer being written. I/O thread only. */
    private final class Connection {
        private final SocketChannel ch;
        private SelectionKey key;
        private long deadline;
        private Phase phase = Phase.READING;
        private byte[] in = new byte[2048];
        private int length;
        private int bodyStart = -1;
        private int bodyLength;
        private Request head;
        private ByteBuffer out;

        Connection(SocketChannel ch, long deadline) {
            this.ch = ch;
            this.deadline = deadline;
        }

        void onReadable() throws IOException {
            if (phase == Phase.LINGERING) {
                if (ch.read(ByteBuffer.allocate(4096)) < 0) {
                    close();
                }
                return;
            }
            if (phase != Phase.READING) {
                return;
            }
            if (length == in.length) {
                in = Arrays.copyOf(in, Math.min(in.length * 2, MAX_HEAD + 4));
            }
            int n = ch.read(ByteBuffer.wrap(in, length, in.length - length));
            if (n < 0) {
                close();
                return;
            }
            length += n;
            try {
                if (head == null && !readHead()) {
                    return;
                }
            } catch (HttpError e) {
                respond(Response.error(e.status, e.getMessage()));
                return;
            }
            if (length - bodyStart >= bodyLength) {
                dispatch(head.withBody(Arrays.copyOfRange(in, bodyStart, bodyStart + bodyLength)));
            }
        }

        /** Parses the head once it is complete; false while more is to come. */
        private boolean readHead() throws IOException {
            int end = endOfHead();
            if (end < 0) {
                if (length >= MAX_HEAD) {
                    throw new HttpError(431, "the request head is larger than " + MAX_HEAD + " bytes");
                }
                return false;
            }
            head = Request.head(in, end);
            bodyStart = end + 4;
            bodyLength = head.contentLength();
            if (bodyLength > MAX_BODY) {
                throw new HttpError(413, "the request body is larger than " + MAX_BODY + " bytes");
            }
            if (in.length < bodyStart + bodyLength) {
                in = Arrays.copyOf(in, bodyStart + bodyLength);
            }
            if (length - bodyStart < bodyLength && "100-continue".equalsIgnoreCase(head.header("Expect"))) {
                ch.write(ByteBuffer.wrap(CONTINUE));
            }
            return true;
        }

        private int endOfHead() {
            for (int i = 0; i + 3 < length; i++) {
                if (in[i] == '\r' && in[i + 1] == '\n' && in[i + 2] == '\r' && in[i + 3] == '\n') {
                    return i;
                }
            }
            return -1;
        }

        private void dispatch(Request request) {
            phase = Phase.HANDLING;
            deadline = Long.MAX_VALUE;
            key.interestOps(0);
            try {
                workers.execute(() -> {
                    Response r;
                    try {
                        r = handler.apply(request);
                    } catch (RuntimeException | Error e) {
                        r = AdminHttp.internalError(
                                request.method() + " " + request.uri().getRawPath(), e);
                    }
                    Response answer = r;
                    answered.add(() -> respond(answer));
                    selector.wakeup();
                });
            } catch (RejectedExecutionException e) {
                respond(Response.error(503, "the admin server is busy with other requests; try again in a moment"));
            }
        }

        void respond(Response r) {
            if (phase != Phase.READING && phase != Phase.HANDLING) {
                return;
            }
            phase = Phase.WRITING;
            deadline = System.nanoTime() + readTimeout.toNanos();
            out = ByteBuffer.wrap(r.bytes());
            try {
                key.interestOps(SelectionKey.OP_WRITE);
                onWritable();
            } catch (IOException | RuntimeException e) {
                log.debug("writing an admin answer failed (client gone?): {}", e.toString());
                close();
            }
        }

        void onWritable() throws IOException {
            if (phase != Phase.WRITING) {
                return;
            }
            ch.write(out);
            if (!out.hasRemaining()) {
                // Closing with unread input would reset the connection and could lose the answer: let the client
                // close first (for a moment), discarding what it still sends.
                ch.shutdownOutput();
                phase = Phase.LINGERING;
                deadline = System.nanoTime() + Math.min(LINGER_NANOS, readTimeout.toNanos());
                key.interestOps(SelectionKey.OP_READ);
            }
        }

        void close() {
            phase = Phase.CLOSED;
            open.remove(this);
            if (key != null) {
                key.cancel();
            }
            try {
                ch.close();
            } catch (IOException e) {
                log.debug("closing an admin connection failed: {}", e.toString());
            }
        }
    }
}
