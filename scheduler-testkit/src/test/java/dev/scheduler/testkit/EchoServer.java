package dev.scheduler.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A TCP server on 127.0.0.1 that sends back every byte it gets, a thread per connection; for the proxy's tests. */
final class EchoServer implements AutoCloseable {

    private final ServerSocket serverSocket;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();

    private EchoServer(ServerSocket serverSocket) {
        this.serverSocket = serverSocket;
    }

    static EchoServer start() throws IOException {
        EchoServer server = new EchoServer(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")));
        Thread acceptor = new Thread(server::accept, "echo-server-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return server;
    }

    int port() {
        return serverSocket.getLocalPort();
    }

    private void accept() {
        try {
            while (true) {
                Socket socket = serverSocket.accept();
                connections.add(socket);
                Thread echo = new Thread(() -> echo(socket), "echo-server-connection");
                echo.setDaemon(true);
                echo.start();
            }
        } catch (IOException e) {
            // closed
        }
    }

    private void echo(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[8192];
            int count;
            while ((count = in.read(buffer)) >= 0) {
                out.write(buffer, 0, count);
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            connections.remove(socket);
        }
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
        for (Socket socket : connections) {
            socket.close();
        }
    }
}
