package io.herald.protocol.security.oauthbearer;

import java.util.Objects;
import java.util.Optional;

/**
 * Decides whether a bearer token authenticates its holder, and as whom. Implementations are thread-safe: one
 * validator serves every connection of a listener, each on its own event loop.
 */
public interface TokenValidator {

    /**
     * The principal and expiry of {@code token}, checked at wall-clock time {@code nowMs}.
     *
     * @throws InvalidToken the token is malformed, unsigned where a signature is required, expired, or lacks a claim
     *                      or scope the settings require
     */
    ValidToken validate(String token, long nowMs) throws InvalidToken;

    /**
     * An accepted token.
     *
     * @param principal   the user it names (its principal claim)
     * @param expiresAtMs its {@code exp}, epoch milliseconds
     */
    record ValidToken(String principal, long expiresAtMs) {
        public ValidToken {
            Objects.requireNonNull(principal, "principal");
        }
    }

    /**
     * A refused token. The client is told {@link #status()} (RFC 7628's error status: {@code invalid_token}, or
     * {@code insufficient_scope} with the {@link #scope()} it lacks); the message is for the broker's log only.
     */
    final class InvalidToken extends Exception {
        private final String status;
        private final Optional<String> scope;

        private InvalidToken(String status, Optional<String> scope, String message) {
            super(message, null, false, false);
            this.status = status;
            this.scope = scope;
        }

        public static InvalidToken invalid(String message) {
            return new InvalidToken("invalid_token", Optional.empty(), message);
        }

        public static InvalidToken insufficientScope(String requiredScope, String message) {
            return new InvalidToken("insufficient_scope", Optional.of(requiredScope), message);
        }

        public String status() {
            return status;
        }

        public Optional<String> scope() {
            return scope;
        }
    }
}
