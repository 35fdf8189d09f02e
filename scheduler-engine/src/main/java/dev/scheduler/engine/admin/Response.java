package dev.scheduler.engine.admin;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An answer of the admin server. Every answer closes its connection ({@code Connection: close}): the server
 * keeps no connection idle, so an idle one cannot hold it either.
 */
record Response(int status, String contentType, byte[] body, Map<String, String> headers) {

    static final String JSON = "application/json; charset=utf-8";

    static Response json(int status, Json.Body body) {
        return new Response(status, JSON, Json.bytes(body), Map.of());
    }

    static Response error(int status, String message) {
        return new Response(
                status,
                JSON,
                Json.error(message),
                status == 401 ? Map.of("WWW-Authenticate", "Bearer realm=\"scheduler-admin\"") : Map.of());
    }

    /** The bytes on the wire: status line, headers and body. */
    byte[] bytes() {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("Content-Type", contentType);
        all.put("Content-Length", Integer.toString(body.length));
        all.put("Cache-Control", "no-store");
        all.put("X-Content-Type-Options", "nosniff");
        all.put("Connection", "close");
        all.putAll(headers);
        StringBuilder head = new StringBuilder("HTTP/1.1 ")
                .append(status)
                .append(' ')
                .append(reason(status))
                .append("\r\n");
        all.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length() + body.length);
        out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 411 -> "Length Required";
            case 413 -> "Content Too Large";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status";
        };
    }
}
