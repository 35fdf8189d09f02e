package dev.scheduler.engine.admin;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.x request as the admin server received it, head and body complete: what {@link AdminHttp} routes.
 *
 * @param method the method, as sent ({@code GET}, {@code POST})
 * @param uri the request target (origin form: path and query)
 * @param version {@code HTTP/1.1} or {@code HTTP/1.0}
 * @param headers each header's values, by its name in lower case
 * @param body the body (empty when there is none)
 */
record Request(String method, URI uri, String version, Map<String, List<String>> headers, byte[] body) {

    static final int MAX_HEADERS = 100;

    /** The first value of a header, or null. */
    String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null ? null : values.get(0);
    }

    /** Every value of a header, in the order sent. */
    List<String> headerValues(String name) {
        return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    /**
     * Reads a request head: the request line and the header lines, up to (not including) the empty line that ends
     * it.
     *
     * @throws HttpError 400 for a head that is not HTTP/1.x (naming what is wrong), 505 for another version
     */
    static Request head(byte[] bytes, int length) {
        String text = new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r\n", -1);
        String[] requestLine = lines[0].split(" ", -1);
        if (requestLine.length != 3 || requestLine[0].isEmpty() || !requestLine[0].matches("[A-Z]+")) {
            throw new HttpError(400, "the request line is not 'METHOD /path HTTP/1.1'");
        }
        String version = requestLine[2];
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            throw new HttpError(505, "HTTP version " + version + " is not supported: use HTTP/1.1");
        }
        String target = requestLine[1];
        if (!target.startsWith("/")) {
            throw new HttpError(400, "the request target must be a path such as /api/tasks, was '" + target + "'");
        }
        URI uri;
        try {
            uri = URI.create(target);
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, "the request target is not a valid URI path: " + e.getMessage());
        }
        if (lines.length - 1 > MAX_HEADERS) {
            throw new HttpError(431, "the request has more than " + MAX_HEADERS + " headers");
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int colon = line.indexOf(':');
            if (colon <= 0 || !line.substring(0, colon).matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                throw new HttpError(400, "header line " + i + " is not 'Name: value'");
            }
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            headers.computeIfAbsent(name, n -> new ArrayList<>())
                    .add(line.substring(colon + 1).strip());
        }
        return new Request(requestLine[0], uri, version, headers, new byte[0]);
    }

    /** This head with its body. */
    Request withBody(byte[] b) {
        return new Request(method, uri, version, headers, b);
    }

    /**
     * The length of the body the head announces: 0 without {@code Content-Length}.
     *
     * @throws HttpError 411 for a chunked body (not supported), 400 for a bad or repeated length
     */
    int contentLength() {
        if (header("Transfer-Encoding") != null) {
            throw new HttpError(411, "a chunked request body is not supported: send it with a Content-Length");
        }
        List<String> lengths = headerValues("Content-Length");
        if (lengths.isEmpty()) {
            return 0;
        }
        if (lengths.size() > 1 || !lengths.get(0).matches("\\d{1,9}")) {
            throw new HttpError(400, "Content-Length must be one whole number, was " + lengths);
        }
        return Integer.parseInt(lengths.get(0));
    }
}
