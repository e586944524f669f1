package io.herald.http.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Routes by method and path template: literal segments and {@code {name}} segments that match one path segment
 * and become a path parameter. Routes are tried in the order they were added; a path that some route matches
 * with another method is a 405, not a 404.
 *
 * <p>Built on one thread before the server starts, then only read: thread-safe after publication.
 */
public final class Router {
    private record Route(String method, String[] segments, HttpEndpoint endpoint, StreamEndpoint stream) {}

    /**
     * A route that matched: its endpoint (or, for an event stream, its stream endpoint; the other is null) and
     * path parameters.
     */
    public record Match(HttpEndpoint endpoint, StreamEndpoint stream, Map<String, String> pathParams) {}

    /** What a lookup found: a match, or whether another method would have matched. */
    public record Lookup(Optional<Match> match, boolean pathKnown) {}

    private final List<Route> routes = new ArrayList<>();

    public Router get(String template, HttpEndpoint endpoint) {
        return add("GET", template, endpoint);
    }

    public Router post(String template, HttpEndpoint endpoint) {
        return add("POST", template, endpoint);
    }

    public Router put(String template, HttpEndpoint endpoint) {
        return add("PUT", template, endpoint);
    }

    public Router delete(String template, HttpEndpoint endpoint) {
        return add("DELETE", template, endpoint);
    }

    /** A GET route answered with a Server-Sent Events stream. */
    public Router stream(String template, StreamEndpoint endpoint) {
        checkTemplate(template);
        routes.add(new Route("GET", split(template), null, endpoint));
        return this;
    }

    public Router add(String method, String template, HttpEndpoint endpoint) {
        checkTemplate(template);
        routes.add(new Route(method, split(template), endpoint, null));
        return this;
    }

    /**
     * Wraps the endpoint of every route added so far whose template {@code applies} ({@code /v3/...}) with
     * {@code wrapper} (authentication): call after the routes are added, before the server starts. Event streams
     * are left as they are.
     */
    public Router wrap(Predicate<String> applies,
                       UnaryOperator<HttpEndpoint> wrapper) {
        for (int i = 0; i < routes.size(); i++) {
            Route route = routes.get(i);
            if (route.endpoint() != null && applies.test("/" + String.join("/", route.segments()))) {
                routes.set(i, new Route(route.method(), route.segments(), wrapper.apply(route.endpoint()), null));
            }
        }
        return this;
    }

    private static void checkTemplate(String template) {
        if (!template.startsWith("/")) {
            throw new IllegalArgumentException("a route template starts with /: " + template);
        }
    }

    /** Every route as {@code METHOD /template}, in the order added (the OpenAPI document is checked against it). */
    public List<String> routes() {
        return routes.stream().map(r -> r.method() + " /" + String.join("/", r.segments())).toList();
    }

    /** The route for {@code method} and the decoded {@code path}. */
    public Lookup lookup(String method, String path) {
        String[] segments = split(path);
        boolean pathKnown = false;
        for (Route route : routes) {
            Optional<Map<String, String>> params = match(route.segments(), segments);
            if (params.isEmpty()) {
                continue;
            }
            if (route.method().equals(method) || ("HEAD".equals(method) && route.method().equals("GET"))) {
                return new Lookup(Optional.of(new Match(route.endpoint(), route.stream(), params.get())), true);
            }
            pathKnown = true;
        }
        return new Lookup(Optional.empty(), pathKnown);
    }

    private static Optional<Map<String, String>> match(String[] template, String[] path) {
        if (template.length != path.length) {
            return Optional.empty();
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{") && t.endsWith("}")) {
                if (path[i].isEmpty()) {
                    return Optional.empty();
                }
                params.put(t.substring(1, t.length() - 1), path[i]);
            } else if (!t.equals(path[i])) {
                return Optional.empty();
            }
        }
        return Optional.of(params);
    }

    private static String[] split(String path) {
        String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return trimmed.equals("/") ? new String[0] : trimmed.substring(1).split("/", -1);
    }
}
