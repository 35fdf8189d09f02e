package dev.scheduler.testkit.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * The parts of a Maven {@code settings.xml} that matter for downloading Cassandra: local repository, mirrors,
 * proxies, and plain-text server credentials. Encrypted passwords ({@code {...}}) and profiles are ignored.
 *
 * @param localRepository {@code <localRepository>}, with {@code ${user.home}} and {@code ${env.X}} expanded
 * @param servers         credentials by server id, for mirrors that need them
 */
public record MavenSettings(
        Optional<Path> localRepository, List<Mirror> mirrors, List<Proxy> proxies, Map<String, Credentials> servers) {

    /** A {@code <mirror>}; {@code mirrorOf} keeps Maven's syntax ({@code *}, {@code external:*}, {@code !id}, lists). */
    public record Mirror(String id, String url, String mirrorOf) {}

    /** An active {@code <proxy>}. */
    public record Proxy(String protocol, String host, int port, String nonProxyHosts, Credentials credentials) {}

    /** Username and password of a {@code <server>} or {@code <proxy>}; password may be empty. */
    public record Credentials(String username, String password) {}

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(env\\.)?([^}]+)}");

    public static MavenSettings empty() {
        return new MavenSettings(Optional.empty(), List.of(), List.of(), Map.of());
    }

    /** {@code ~/.m2/settings.xml}, or {@link #empty()} if there is none. */
    public static MavenSettings ofUser() {
        return read(Path.of(System.getProperty("user.home"), ".m2", "settings.xml"));
    }

    /**
     * Reads {@code file}; a missing file gives {@link #empty()}.
     *
     * @throws IllegalArgumentException if the file is not well-formed XML
     */
    public static MavenSettings read(Path file) {
        if (!Files.isRegularFile(file)) {
            return empty();
        }
        Element root;
        try {
            root = parse(file).getDocumentElement();
        } catch (IOException | SAXException | ParserConfigurationException e) {
            throw new IllegalArgumentException("cannot read Maven settings " + file + ": " + e.getMessage(), e);
        }
        Optional<Path> localRepository =
                text(root, "localRepository").map(MavenSettings::expand).map(Path::of);
        List<Mirror> mirrors = new ArrayList<>();
        for (Element mirror : children(child(root, "mirrors"), "mirror")) {
            Optional<String> url = text(mirror, "url");
            Optional<String> mirrorOf = text(mirror, "mirrorOf");
            if (url.isPresent() && mirrorOf.isPresent()) {
                mirrors.add(new Mirror(text(mirror, "id").orElse("mirror"), expand(url.get()), mirrorOf.get()));
            }
        }
        List<Proxy> proxies = new ArrayList<>();
        for (Element proxy : children(child(root, "proxies"), "proxy")) {
            boolean active = text(proxy, "active").map(Boolean::parseBoolean).orElse(true);
            Optional<String> host = text(proxy, "host");
            if (active && host.isPresent()) {
                proxies.add(new Proxy(
                        text(proxy, "protocol").orElse("http"),
                        host.get(),
                        text(proxy, "port").map(Integer::parseInt).orElse(8080),
                        text(proxy, "nonProxyHosts").orElse(""),
                        credentials(proxy).orElse(null)));
            }
        }
        Map<String, Credentials> servers = new LinkedHashMap<>();
        for (Element server : children(child(root, "servers"), "server")) {
            Optional<String> id = text(server, "id");
            Optional<Credentials> credentials = credentials(server);
            if (id.isPresent() && credentials.isPresent()) {
                servers.put(id.get(), credentials.get());
            }
        }
        return new MavenSettings(localRepository, List.copyOf(mirrors), List.copyOf(proxies), Map.copyOf(servers));
    }

    private static Optional<Credentials> credentials(Element element) {
        Optional<String> username = text(element, "username");
        String password = text(element, "password").orElse("");
        if (username.isEmpty() || password.startsWith("{")) {
            return Optional.empty(); // no user, or an encrypted password we cannot use
        }
        return Optional.of(new Credentials(expand(username.get()), expand(password)));
    }

    private static Document parse(Path file) throws IOException, SAXException, ParserConfigurationException {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        factory.setNamespaceAware(false);
        DocumentBuilder builder = factory.newDocumentBuilder();
        builder.setErrorHandler(null);
        return builder.parse(file.toFile());
    }

    private static Element child(Element parent, String name) {
        if (parent == null) {
            return null;
        }
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && name.equals(element.getTagName())) {
                return element;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> result = new ArrayList<>();
        if (parent != null) {
            NodeList nodes = parent.getChildNodes();
            for (int i = 0; i < nodes.getLength(); i++) {
                if (nodes.item(i) instanceof Element element && name.equals(element.getTagName())) {
                    result.add(element);
                }
            }
        }
        return result;
    }

    private static Optional<String> text(Element parent, String name) {
        Element element = child(parent, name);
        if (element == null) {
            return Optional.empty();
        }
        String text = element.getTextContent().trim();
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    /** Expands {@code ${env.NAME}} from the environment and {@code ${name}} from system properties. */
    static String expand(String value) {
        Matcher matcher = PLACEHOLDER.matcher(value);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            String replacement =
                    matcher.group(1) != null ? System.getenv(matcher.group(2)) : System.getProperty(matcher.group(2));
            matcher.appendReplacement(
                    result, Matcher.quoteReplacement(replacement != null ? replacement : matcher.group()));
        }
        matcher.appendTail(result);
        return result.toString();
    }
}
