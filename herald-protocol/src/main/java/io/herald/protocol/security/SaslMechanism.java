package io.herald.protocol.security;

/**
 * A SASL mechanism the broker serves (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER): a factory of one exchange per
 * authentication. Implementations are thread-safe; each {@link SaslExchange} belongs to one connection.
 */
public interface SaslMechanism {

    /** The mechanism's name as clients ask for it in SaslHandshake, e.g. {@code PLAIN}. */
    String name();

    /** A new exchange, for one authentication of one connection. */
    SaslExchange start();

    /**
     * One authentication in progress: the server side of a SASL exchange. Event-loop confined (its connection's).
     */
    interface SaslExchange {

        /**
         * The server's answer to the client's next token.
         *
         * @throws AuthenticationFailure the credentials are wrong or the token is malformed; the message is what the
         *                               client is told
         */
        byte[] evaluate(byte[] clientToken) throws AuthenticationFailure;

        /** Whether the client is authenticated (the last {@link #evaluate} succeeded and ended the exchange). */
        boolean isComplete();

        /** The authenticated user; only once {@link #isComplete()}. */
        String authorizationId();

        /**
         * Once {@link #isComplete()}: how much longer the credential is valid (an OAUTHBEARER token until its
         * {@code exp}), which bounds the session as {@code connections.max.reauth.ms} does; empty for credentials
         * that do not expire (passwords).
         */
        default java.util.OptionalLong credentialLifetimeMs() {
            return java.util.OptionalLong.empty();
        }
    }

    /** A refused authentication; its message is sent to the client in the SaslAuthenticate response. */
    final class AuthenticationFailure extends Exception {
        public AuthenticationFailure(String message) {
            super(message, null, false, false);
        }
    }
}
