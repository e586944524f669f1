package io.herald.http.server;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP request as an endpoint sees it: the route's path parameters already extracted.
 *
 * @param method     GET, POST, ...
 * @param path       the decoded path, without the query
 * @param pathParams the values of the route's {@code {name}} segments
 * @param query      the query parameters, each with every value given
 * @param headers    request headers, names in lower case
 * @param body       the request body (empty without one)
 */
public record HttpCall(String method, String path, Map<String, String> pathParams, Map<String, List<String>> query,
                       Map<String, String> headers, byte[] body) {
    public HttpCall {
        pathParams = Map.copyOf(pathParams);
        query = Map.copyOf(query);
        headers = Map.copyOf(headers);
    }

    /** A path parameter the route declares. */
    public String pathParam(String name) {
        String value = pathParams.get(name);
        if (value == null) {
            throw new IllegalArgumentException("route has no path parameter " + name);
        }
        return value;
    }

    /** The first value of a query parameter. */
    public Optional<String> queryParam(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
}
