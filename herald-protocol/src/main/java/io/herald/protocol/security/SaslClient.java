package io.herald.protocol.security;

import io.herald.common.security.ScramAlgorithm;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The client side of PLAIN and SCRAM, for this broker's own connections to other brokers' SASL listeners
 * ({@code sasl.mechanism.inter.broker.protocol}). One instance per authentication; confined to the connecting
 * thread.
 */
public abstract sealed class SaslClient {

    /** A client for {@code mechanism} (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) with the given credentials. */
    public static SaslClient of(String mechanism, String username, String password) {
        if (mechanism.equals(PlainMechanism.NAME)) {
            return new Plain(username, password);
        }
        return new Scram(ScramAlgorithm.forMechanism(mechanism).orElseThrow(() -> new IllegalArgumentException(
                "SASL mechanism " + mechanism + " is not supported (expected: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)")),
                username, password, Scram::randomNonce);
    }

    /** The mechanism's name, for SaslHandshake. */
    public abstract String mechanism();

    /** The first token to send. */
    public abstract byte[] start();

    /**
     * The next token for the server's {@code challenge}, or null when the exchange is complete.
     *
     * @throws SaslMechanism.AuthenticationFailure when the server's answer is wrong (a server that cannot prove
     *                                             it knows the credential)
     */
    public abstract byte[] next(byte[] challenge) throws SaslMechanism.AuthenticationFailure;

    /** Whether the exchange has ended successfully. */
    public abstract boolean isComplete();

    static final class Plain extends SaslClient {
        private final String username;
        private final String password;
        private boolean sent;

        Plain(String username, String password) {
            this.username = Objects.requireNonNull(username, "username");
            this.password = Objects.requireNonNull(password, "password");
        }

        @Override
        public String mechanism() {
            return PlainMechanism.NAME;
        }

        @Override
        public byte[] start() {
            sent = true;
            return ("\u0000" + username + "\u0000" + password).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] next(byte[] challenge) {
            return null;
        }

        @Override
        public boolean isComplete() {
            return sent;
        }
    }

    static final class Scram extends SaslClient {
        private static final SecureRandom RANDOM = new SecureRandom();

        private final ScramAlgorithm algorithm;
        private final String username;
        private final String password;
        private final String clientNonce;
        private String clientFirstBare;
        private byte[] expectedServerSignature;
        private boolean complete;

        Scram(ScramAlgorithm algorithm, String username, String password, Supplier<String> nonces) {
            this.algorithm = algorithm;
            this.username = Objects.requireNonNull(username, "username");
            this.password = Objects.requireNonNull(password, "password");
            this.clientNonce = nonces.get();
        }

        private static String randomNonce() {
            byte[] nonce = new byte[24];
            RANDOM.nextBytes(nonce);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(nonce);
        }

        @Override
        public String mechanism() {
            return algorithm.mechanismName();
        }

        @Override
        public byte[] start() {
            clientFirstBare = "n=" + username.replace("=", "=3D").replace(",", "=2C") + ",r=" + clientNonce;
            return ("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] next(byte[] challenge) throws SaslMechanism.AuthenticationFailure {
            String message = new String(challenge, StandardCharsets.UTF_8);
            if (expectedServerSignature == null) {
                return clientFinal(message);
            }
            if (!message.startsWith("v=")) {
                throw new SaslMechanism.AuthenticationFailure("SCRAM server final message: " + message);
            }
            byte[] signature = Base64.getDecoder().decode(message.substring(2));
            if (!MessageDigest.isEqual(signature, expectedServerSignature)) {
                throw new SaslMechanism.AuthenticationFailure("the server's SCRAM signature does not match: it does "
                        + "not know the credential");
            }
            complete = true;
            return null;
        }

        private byte[] clientFinal(String serverFirst) throws SaslMechanism.AuthenticationFailure {
            String nonce = null;
            String salt = null;
            int iterations = -1;
            for (String part : serverFirst.split(",")) {
                if (part.startsWith("r=")) {
                    nonce = part.substring(2);
                } else if (part.startsWith("s=")) {
                    salt = part.substring(2);
                } else if (part.startsWith("i=")) {
                    try {
                        iterations = Integer.parseInt(part.substring(2));
                    } catch (NumberFormatException e) {
                        iterations = -1;
                    }
                }
            }
            if (nonce == null || !nonce.startsWith(clientNonce) || nonce.length() == clientNonce.length()
                    || salt == null || iterations < 1) {
                throw new SaslMechanism.AuthenticationFailure("invalid SCRAM server first message");
            }
            byte[] salted = algorithm.saltedPassword(password.getBytes(StandardCharsets.UTF_8),
                    Base64.getDecoder().decode(salt), iterations);
            String withoutProof = "c=biws,r=" + nonce;
            byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof)
                    .getBytes(StandardCharsets.UTF_8);
            byte[] proof = ScramAlgorithm.xor(algorithm.clientKey(salted),
                    algorithm.hmac(algorithm.storedKey(salted), authMessage));
            expectedServerSignature = algorithm.serverSignature(algorithm.serverKey(salted), authMessage);
            return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public boolean isComplete() {
            return complete;
        }
    }
}
