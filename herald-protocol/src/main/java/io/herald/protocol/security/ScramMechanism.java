package io.herald.protocol.security;

import io.herald.common.security.ScramAlgorithm;
import io.herald.common.security.ScramCredential;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The server side of SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802, RFC 7677) over a {@link ScramCredentialStore}, with
 * the rules of Kafka's broker: no channel binding, an authorization id only if it is the user name, the
 * {@code tokenauth} extension (delegation tokens) refused, and one message for every failure so that a client cannot
 * tell an unknown user from a wrong password.
 *
 * <p>Exchange: client-first ({@code n,,n=user,r=cnonce}) → server-first ({@code r=cnonce+snonce,s=salt,i=n}) →
 * client-final ({@code c=biws,r=nonce,p=proof}) → server-final ({@code v=signature}).
 *
 * <p>Thread-safe; each exchange is confined to its connection's event loop.
 */
public final class ScramMechanism implements SaslMechanism {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ScramAlgorithm algorithm;
    private final ScramCredentialStore store;
    private final Supplier<String> serverNonces;

    public ScramMechanism(ScramAlgorithm algorithm, ScramCredentialStore store) {
        this(algorithm, store, ScramMechanism::randomNonce);
    }

    /** With the server's part of each nonce from {@code serverNonces} (tests replay RFC 7677's exchange). */
    ScramMechanism(ScramAlgorithm algorithm, ScramCredentialStore store, Supplier<String> serverNonces) {
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        this.store = Objects.requireNonNull(store, "store");
        this.serverNonces = Objects.requireNonNull(serverNonces, "serverNonces");
    }

    /** 24 random bytes, URL-safe base64: printable and without ','. */
    private static String randomNonce() {
        byte[] nonce = new byte[24];
        RANDOM.nextBytes(nonce);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(nonce);
    }

    @Override
    public String name() {
        return algorithm.mechanismName();
    }

    @Override
    public SaslExchange start() {
        return new Exchange();
    }

    private AuthenticationFailure invalidCredentials() {
        return new AuthenticationFailure("Authentication failed during authentication due to invalid credentials "
                + "with SASL mechanism " + algorithm.mechanismName());
    }

    private enum State { CLIENT_FIRST, CLIENT_FINAL, COMPLETE, FAILED }

    private final class Exchange implements SaslExchange {
        private State state = State.CLIENT_FIRST;
        private String user;
        private String gs2Header;
        private String clientFirstBare;
        private String serverFirst;
        private String nonce;
        private ScramCredential credential;

        @Override
        public byte[] evaluate(byte[] clientToken) throws AuthenticationFailure {
            try {
                byte[] answer = switch (state) {
                    case CLIENT_FIRST -> clientFirst(new String(clientToken, StandardCharsets.UTF_8));
                    case CLIENT_FINAL -> clientFinal(new String(clientToken, StandardCharsets.UTF_8));
                    case COMPLETE, FAILED -> throw new AuthenticationFailure("Authentication failed: unexpected "
                            + "SASL token after the end of the " + algorithm.mechanismName() + " exchange");
                };
                state = state == State.CLIENT_FIRST ? State.CLIENT_FINAL : State.COMPLETE;
                return answer;
            } catch (AuthenticationFailure e) {
                state = State.FAILED;
                throw e;
            }
        }

        private byte[] clientFirst(String message) throws AuthenticationFailure {
            // gs2-header = cbind-flag "," [ "a=" saslname ] ","
            int first = message.indexOf(',');
            int second = first < 0 ? -1 : message.indexOf(',', first + 1);
            if (second < 0) {
                throw new AuthenticationFailure("Invalid SCRAM client first message: no GS2 header");
            }
            String flag = message.substring(0, first);
            if (flag.startsWith("p=")) {
                throw new AuthenticationFailure("Authentication failed: channel binding is not supported");
            }
            if (!flag.equals("n") && !flag.equals("y")) {
                throw new AuthenticationFailure("Invalid SCRAM client first message: bad channel binding flag");
            }
            String authzid = message.substring(first + 1, second);
            gs2Header = message.substring(0, second + 1);
            clientFirstBare = message.substring(second + 1);
            Map<String, String> attributes = attributes(clientFirstBare);
            String name = attributes.get("n");
            String clientNonce = attributes.get("r");
            if (name == null || clientNonce == null || clientNonce.isEmpty() || !clientFirstBare.startsWith("n=")) {
                throw new AuthenticationFailure("Invalid SCRAM client first message: expected n=user,r=nonce");
            }
            user = decodeSaslName(name);
            if (!authzid.isEmpty() && !decodeSaslName(authzid.startsWith("a=") ? authzid.substring(2) : authzid)
                    .equals(user)) {
                throw new AuthenticationFailure(
                        "Authentication failed: Client requested an authorization id that is different from username");
            }
            if ("true".equalsIgnoreCase(attributes.get("tokenauth"))) {
                throw new AuthenticationFailure("Authentication failed: delegation tokens are not supported");
            }
            Optional<ScramCredential> found = store.credential(user, algorithm);
            if (found.isEmpty()) {
                throw invalidCredentials();
            }
            credential = found.get();
            nonce = clientNonce + serverNonces.get();
            serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(credential.salt())
                    + ",i=" + credential.iterations();
            return serverFirst.getBytes(StandardCharsets.UTF_8);
        }

        private byte[] clientFinal(String message) throws AuthenticationFailure {
            int proofAt = message.lastIndexOf(",p=");
            if (proofAt < 0) {
                throw new AuthenticationFailure("Invalid SCRAM client final message: no proof");
            }
            String withoutProof = message.substring(0, proofAt);
            Map<String, String> attributes = attributes(withoutProof);
            String channelBinding = attributes.get("c");
            String expectedBinding = Base64.getEncoder().encodeToString(gs2Header.getBytes(StandardCharsets.UTF_8));
            if (!expectedBinding.equals(channelBinding)) {
                throw new AuthenticationFailure("Invalid SCRAM client final message: channel binding does not "
                        + "match the GS2 header");
            }
            // Kafka's broker checks only that the nonce ends with the one it sent: librdkafka sends its own nonce
            // again in front of it. The proof covers the message as sent, so nothing is lost.
            String clientNonce = attributes.get("r");
            if (clientNonce == null || !clientNonce.endsWith(nonce)) {
                throw new AuthenticationFailure("Invalid SCRAM client final message: nonce does not match");
            }
            byte[] proof;
            try {
                proof = Base64.getDecoder().decode(message.substring(proofAt + 3));
            } catch (IllegalArgumentException e) {
                throw new AuthenticationFailure("Invalid SCRAM client final message: proof is not base64");
            }
            byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof)
                    .getBytes(StandardCharsets.UTF_8);
            if (!algorithm.verifyClientProof(credential.storedKey(), authMessage, proof)) {
                throw invalidCredentials();
            }
            byte[] serverSignature = algorithm.serverSignature(credential.serverKey(), authMessage);
            return ("v=" + Base64.getEncoder().encodeToString(serverSignature)).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public boolean isComplete() {
            return state == State.COMPLETE;
        }

        @Override
        public String authorizationId() {
            if (state != State.COMPLETE) {
                throw new IllegalStateException("not authenticated");
            }
            return user;
        }
    }

    /** {@code k=v,k=v} to a map; values may contain '=' but not ','. */
    private static Map<String, String> attributes(String message) throws AuthenticationFailure {
        Map<String, String> attributes = new LinkedHashMap<>();
        for (String part : message.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new AuthenticationFailure("Invalid SCRAM message: bad attribute '" + part + "'");
            }
            attributes.putIfAbsent(part.substring(0, eq), part.substring(eq + 1));
        }
        return attributes;
    }

    /** RFC 5802's saslname: "=2C" is ',' and "=3D" is '='; any other '=' is malformed. */
    private static String decodeSaslName(String name) throws AuthenticationFailure {
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c != '=') {
                out.append(c);
            } else if (name.startsWith("=2C", i)) {
                out.append(',');
                i += 2;
            } else if (name.startsWith("=3D", i)) {
                out.append('=');
                i += 2;
            } else {
                throw new AuthenticationFailure("Invalid SCRAM user name: bad escape in '" + name + "'");
            }
        }
        return out.toString();
    }
}
