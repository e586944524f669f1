package io.herald.http.rest;

import io.herald.http.rest.LocalClients.Credentials;
import io.herald.http.server.HttpCall;
import io.herald.http.server.HttpEndpoint;
import io.herald.http.server.HttpReply;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * HTTP Basic authentication of REST and console calls ({@code herald.http.authentication=basic}): a call without
 * credentials is answered 401 with {@code WWW-Authenticate}; a call with them runs as that user
 * ({@link LocalClients#as}), whose Kafka clients log in to the broker's SASL listener with them, so the broker
 * checks the password and its ACLs decide what the user may do (a refused login is 401, a refused operation 403).
 *
 * <p>Stateless and thread-safe.
 */
public final class BasicAuthentication {
    static final String CHALLENGE = "Basic realm=\"herald\", charset=\"UTF-8\"";

    private BasicAuthentication() {
    }

    /** Wraps endpoints so that they run as the call's user. */
    public static UnaryOperator<HttpEndpoint> requiring(LocalClients clients) {
        return endpoint -> call -> {
            Optional<Credentials> caller = credentials(call);
            if (caller.isEmpty()) {
                return RestJson.error(401, null, "Authentication required: HTTP Basic with a Kafka user")
                        .withHeader("WWW-Authenticate", CHALLENGE);
            }
            HttpReply reply = LocalClients.as(caller.get(), () -> endpoint.handle(call));
            if (reply.status() == 401) {
                // The broker refused the login: drop the clients so a later call tries again with what it sends.
                clients.forget(caller.get());
                return reply.withHeader("WWW-Authenticate", CHALLENGE);
            }
            return reply;
        };
    }

    /** The user and password of an {@code Authorization: Basic} header. */
    static Optional<Credentials> credentials(HttpCall call) {
        String header = call.headers().get("authorization");
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        return Optional.of(new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1)));
    }

    /** Whether {@code template} is a route that needs an authenticated user: the REST API and the console's API. */
    public static boolean protects(String template) {
        String path = template.toLowerCase(Locale.ROOT);
        return path.startsWith("/v3") || path.startsWith("/console/api/");
    }
}
