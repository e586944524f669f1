package io.herald.protocol.security.oauthbearer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The signature keys of a JWKS document (RFC 7517): RSA keys and EC keys on P-256, P-384 and P-521. Keys for
 * encryption ({@code use} {@code enc}), symmetric keys and unknown key types are left out, as a verifier has no use
 * for them.
 *
 * @param keys the usable keys, in document order
 */
record JsonWebKeys(List<Key> keys) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> CURVES = Map.of("P-256", "secp256r1", "P-384", "secp384r1",
            "P-521", "secp521r1");

    /**
     * One key.
     *
     * @param keyId     its {@code kid}, if any
     * @param type      {@code RSA} or {@code EC}
     * @param algorithm its {@code alg}, if the document pins one
     * @param key       the public key
     */
    record Key(Optional<String> keyId, String type, Optional<String> algorithm, PublicKey key) {
    }

    JsonWebKeys {
        keys = List.copyOf(keys);
    }

    /**
     * Parses a JWKS document.
     *
     * @throws IllegalArgumentException when it is not JSON with a {@code keys} array, or a key's numbers are malformed
     */
    static JsonWebKeys parse(byte[] document) {
        JsonNode root;
        try {
            root = JSON.readTree(document);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read it: " + e.getMessage());
        }
        if (root == null || !root.path("keys").isArray()) {
            throw new IllegalArgumentException("no \"keys\" array");
        }
        List<Key> keys = new ArrayList<>();
        for (JsonNode jwk : root.get("keys")) {
            if (jwk.path("use").asText("sig").equals("enc")) {
                continue;
            }
            Optional<String> kid = text(jwk, "kid");
            Optional<String> alg = text(jwk, "alg");
            String kty = jwk.path("kty").asText("");
            try {
                switch (kty) {
                    case "RSA" -> keys.add(new Key(kid, kty, alg, KeyFactory.getInstance("RSA").generatePublic(
                            new RSAPublicKeySpec(number(jwk, "n"), number(jwk, "e")))));
                    case "EC" -> {
                        String curve = CURVES.get(jwk.path("crv").asText(""));
                        if (curve != null) {
                            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
                            parameters.init(new ECGenParameterSpec(curve));
                            ECPoint point = new ECPoint(number(jwk, "x"), number(jwk, "y"));
                            keys.add(new Key(kid, kty, alg, KeyFactory.getInstance("EC").generatePublic(
                                    new ECPublicKeySpec(point, parameters.getParameterSpec(ECParameterSpec.class)))));
                        }
                    }
                    default -> {
                        // a symmetric or unknown key: nothing a verifier of public-key signatures can use
                    }
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("key " + kid.orElse("without kid") + ": " + e.getMessage(), e);
            }
        }
        return new JsonWebKeys(keys);
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
    }

    private static BigInteger number(JsonNode jwk, String field) {
        JsonNode value = jwk.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("a " + jwk.path("kty").asText() + " key without \"" + field + "\"");
        }
        try {
            return new BigInteger(1, Base64.getUrlDecoder().decode(value.asText()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + field + "\" is not base64url");
        }
    }
}
