package io.herald.protocol.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Objects;

/**
 * SASL/PLAIN (RFC 4616) against a fixed set of users, as Kafka's broker serves it: the client sends
 * {@code [authzid] NUL authcid NUL passwd} in one token; an authorization id, if given, must be the user name; the
 * server answers with an empty token. The users come from the listener's JAAS config ({@code user_<name>="<pw>"}).
 *
 * <p>Immutable and thread-safe.
 */
public final class PlainMechanism implements SaslMechanism {
    public static final String NAME = "PLAIN";

    static final String INVALID_CREDENTIALS = "Authentication failed: Invalid username or password";

    private final Map<String, byte[]> passwords;

    /** @param passwords user name to password */
    public PlainMechanism(Map<String, String> passwords) {
        this.passwords = passwords.entrySet().stream().collect(java.util.stream.Collectors.toUnmodifiableMap(
                Map.Entry::getKey, e -> e.getValue().getBytes(StandardCharsets.UTF_8)));
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
        private String user;

        @Override
        public byte[] evaluate(byte[] clientToken) throws AuthenticationFailure {
            if (user != null) {
                throw new AuthenticationFailure("Authentication failed: SASL/PLAIN is a single round");
            }
            String message = new String(clientToken, StandardCharsets.UTF_8);
            String[] tokens = message.split("\u0000", -1);
            if (tokens.length != 3) {
                throw new AuthenticationFailure("Invalid SASL/PLAIN response: expected 3 tokens, got "
                        + tokens.length);
            }
            String authorizationId = tokens[0];
            String username = tokens[1];
            String password = tokens[2];
            if (username.isEmpty()) {
                throw new AuthenticationFailure("Authentication failed: username not specified");
            }
            if (password.isEmpty()) {
                throw new AuthenticationFailure("Authentication failed: password not specified");
            }
            byte[] expected = passwords.get(username);
            // Compare in constant time even for an unknown user, so timing does not tell which users exist.
            boolean matches = MessageDigest.isEqual(expected == null ? new byte[0] : expected,
                    password.getBytes(StandardCharsets.UTF_8));
            if (expected == null || !matches) {
                throw new AuthenticationFailure(INVALID_CREDENTIALS);
            }
            if (!authorizationId.isEmpty() && !authorizationId.equals(username)) {
                throw new AuthenticationFailure(
                        "Authentication failed: Client requested an authorization id that is different from username");
            }
            user = username;
            return new byte[0];
        }

        @Override
        public boolean isComplete() {
            return user != null;
        }

        @Override
        public String authorizationId() {
            return Objects.requireNonNull(user, "not authenticated");
        }
    }
}
