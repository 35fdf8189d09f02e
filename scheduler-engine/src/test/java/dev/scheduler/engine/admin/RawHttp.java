package dev.scheduler.engine.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Requests written byte by byte on a socket, for what {@code java.net.http.HttpClient} will not send: a foreign
 * {@code Host} (a restricted header there), no Host, half a request.
 */
final class RawHttp {

    /** An answer: the status and the body (after the empty line). */
    record Answer(int status, String head, String body) {}

    private RawHttp() {}

    static Socket open(InetSocketAddress address) {
        try {
            Socket s = new Socket();
            s.connect(address, 5_000);
            s.setSoTimeout(30_000);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends {@code request} as is and reads the answer until the server closes the connection. */
    static Answer send(InetSocketAddress address, String request) {
        try (Socket s = open(address)) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return read(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A GET of {@code target} with this Host header (none when null), HTTP/1.1. */
    static Answer get(InetSocketAddress address, String target, String host, String... headers) {
        StringBuilder r = new StringBuilder("GET " + target + " HTTP/1.1\r\n");
        if (host != null) {
            r.append("Host: ").append(host).append("\r\n");
        }
        for (String h : headers) {
            r.append(h).append("\r\n");
        }
        return send(address, r.append("\r\n").toString());
    }

    /** A POST of {@code body} (JSON) to {@code target} with this Host and the other headers. */
    static Answer post(InetSocketAddress address, String target, String host, String body, String... headers) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder r = new StringBuilder("POST " + target + " HTTP/1.1\r\nHost: " + host + "\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + b.length + "\r\n");
        for (String h : headers) {
            r.append(h).append("\r\n");
        }
        return send(address, r.append("\r\n").append(body).toString());
    }

    /** Reads until the server closes; the read fails after the socket's timeout. */
    static Answer read(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        int end = all.indexOf("\r\n\r\n");
        if (end < 0) {
            return new Answer(-1, all, "");
        }
        String head = all.substring(0, end);
        return new Answer(Integer.parseInt(head.substring(9, 12)), head, all.substring(end + 4));
    }
}
