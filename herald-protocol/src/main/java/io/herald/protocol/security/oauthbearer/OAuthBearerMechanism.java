package io.herald.protocol.security.oauthbearer;

import io.herald.common.time.Time;
import io.herald.protocol.security.SaslMechanism;
import io.herald.protocol.security.oauthbearer.TokenValidator.InvalidToken;
import io.herald.protocol.security.oauthbearer.TokenValidator.ValidToken;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SASL/OAUTHBEARER (RFC 7628) as Kafka's broker serves it. The client's one message is
 * {@code n,[a=<authzid>],^Aauth=Bearer <token>^A[<key>=<value>^A]*^A}; the token goes to the {@link TokenValidator}.
 * An accepted token completes the exchange with an empty answer, its principal claim the user and its expiry the end
 * of the credential ({@link SaslExchange#credentialLifetimeMs()}). A refused one is answered, as RFC 7628 says, with a
 * JSON error ({@code {"status":"invalid_token"}}) that does not complete the exchange; the client acknowledges it
 * with a lone {@code ^A} and the authentication then fails with that JSON as the message. An authorization id, if
 * given, must be the token's principal. Extensions (other keys) are accepted and ignored, as Kafka's validators do.
 *
 * <p>Immutable and thread-safe; each exchange is event-loop confined.
 */
public final class OAuthBearerMechanism implements SaslMechanism {
    public static final String NAME = "OAUTHBEARER";
    private static final Logger log = LoggerFactory.getLogger(OAuthBearerMechanism.class);
    private static final String SEPARATOR = "\u0001";
    private static final String SASLNAME = "(?:[\\x01-\\x7F&&[^=,]]|=2C|=3D)+";
    private static final String KVPAIR = "[A-Za-z]+=[\\x21-\\x7E \\t\\r\\n]+" + SEPARATOR;
    private static final Pattern INITIAL_RESPONSE = Pattern.compile("n,(?:a=(?<authzid>" + SASLNAME + "))?,"
            + SEPARATOR + "(?<pairs>(?:" + KVPAIR + ")*)" + SEPARATOR);
    private static final Pattern AUTH = Pattern.compile("(?<scheme>\\w+) +(?<token>[-_~+/.a-zA-Z0-9]+=*)");

    private final TokenValidator validator;
    private final Time time;

    public OAuthBearerMechanism(TokenValidator validator, Time time) {
        this.validator = Objects.requireNonNull(validator, "validator");
        this.time = Objects.requireNonNull(time, "time");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SaslExchange start() {
        return new Exchange();
    }

    private final class Exchange implements SaslExchange {
        private String principal;
        private long lifetimeMs;
        /** The JSON error sent to the client, awaiting its ^A. */
        private String error;

        @Override
        public byte[] evaluate(byte[] clientToken) throws AuthenticationFailure {
            if (principal != null) {
                throw new AuthenticationFailure("Authentication failed: SASL/OAUTHBEARER is a single round");
            }
            if (error != null) {
                if (clientToken.length == 1 && clientToken[0] == 0x01) {
                    throw new AuthenticationFailure(error);
                }
                throw new AuthenticationFailure("Invalid OAUTHBEARER client message after the server's error");
            }
            String message = new String(clientToken, StandardCharsets.UTF_8);
            Matcher m = INITIAL_RESPONSE.matcher(message);
            if (!m.matches()) {
                throw new AuthenticationFailure("Invalid OAUTHBEARER client first message");
            }
            String auth = null;
            for (String pair : m.group("pairs").split(SEPARATOR)) {
                if (pair.startsWith("auth=")) {
                    auth = pair.substring("auth=".length());
                }
            }
            if (auth == null) {
                throw new AuthenticationFailure("Invalid OAUTHBEARER client first message: 'auth' not specified");
            }
            Matcher bearer = AUTH.matcher(auth);
            if (!bearer.matches() || !bearer.group("scheme").equalsIgnoreCase("bearer")) {
                throw new AuthenticationFailure("Invalid OAUTHBEARER client first message: invalid 'auth' format");
            }
            long now = time.milliseconds();
            ValidToken token;
            try {
                token = validator.validate(bearer.group("token"), now);
            } catch (InvalidToken e) {
                log.info("Refused an OAUTHBEARER token: {}", e.getMessage());
                error = "{\"status\":\"" + e.status() + "\"" + e.scope().map(s -> ", \"scope\":\"" + s + "\"")
                        .orElse("") + "}";
                return error.getBytes(StandardCharsets.UTF_8);
            }
            String authzid = m.group("authzid");
            if (authzid != null && !authzid.equals(token.principal())) {
                throw new AuthenticationFailure("Authentication failed: Client requested an authorization id ("
                        + authzid + ") that is different from the token's principal name (" + token.principal()
                        + ")");
            }
            principal = token.principal();
            lifetimeMs = Math.max(0, token.expiresAtMs() - now);
            return new byte[0];
        }

        @Override
        public boolean isComplete() {
            return principal != null;
        }

        @Override
        public String authorizationId() {
            return Objects.requireNonNull(principal, "not authenticated");
        }

        @Override
        public OptionalLong credentialLifetimeMs() {
            return principal == null ? OptionalLong.empty() : OptionalLong.of(lifetimeMs);
        }
    }
}
