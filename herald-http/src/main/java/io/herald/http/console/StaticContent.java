package io.herald.http.console;

import io.herald.http.server.HttpCall;
import io.herald.http.server.HttpEndpoint;
import io.herald.http.server.HttpReply;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Files from the class path: the console's own ({@code io/herald/http/console/static/}) and the WebJars' (their
 * {@code META-INF/resources/webjars/...}). The requested name is one path segment of letters, digits, dots,
 * dashes and underscores, so nothing outside the given directory can be named; files are read once and kept.
 */
final class StaticContent implements HttpEndpoint {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml",
            "png", "image/png", "json", "application/json");

    private final String directory;
    private final String fixedName;
    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

    /** Serves {@code {file}} from {@code directory}. */
    static StaticContent directory(String directory) {
        return new StaticContent(directory, null);
    }

    /** Serves one file whatever the path. */
    static StaticContent file(String directory, String name) {
        return new StaticContent(directory, name);
    }

    private StaticContent(String directory, String fixedName) {
        this.directory = directory.endsWith("/") ? directory : directory + "/";
        this.fixedName = fixedName;
    }

    @Override
    public HttpReply handle(HttpCall call) {
        String name = fixedName != null ? fixedName : call.pathParam("file");
        if (!NAME.matcher(name).matches() || name.startsWith(".")) {
            return HttpReply.error(404, "No such file: " + name);
        }
        byte[] content = cache.computeIfAbsent(name, this::read);
        if (content.length == 0) {
            cache.remove(name);
            return HttpReply.error(404, "No such file: " + name);
        }
        String extension = name.substring(name.lastIndexOf('.') + 1);
        return new HttpReply(200, TYPES.getOrDefault(extension, "application/octet-stream"), content);
    }

    private byte[] read(String name) {
        try (InputStream in = StaticContent.class.getClassLoader().getResourceAsStream(directory + name)) {
            return in == null ? new byte[0] : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
