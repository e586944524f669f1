package io.herald.common.security;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Keys, JWKS documents and JWTs (OAUTHBEARER tokens) made by the tests, signed with the JDK. */
public final class TestTokens {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private TestTokens() {
    }

    public static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair ec() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JWKS document of {@code keys} by kid. */
    public static String jwks(Map<String, KeyPair> keys) {
        List<Map<String, Object>> jwks = keys.entrySet().stream().map(e -> {
            Map<String, Object> jwk = new LinkedHashMap<>();
            jwk.put("kid", e.getKey());
            if (e.getValue().getPublic() instanceof RSAPublicKey rsa) {
                jwk.put("kty", "RSA");
                jwk.put("n", unsigned(rsa.getModulus()));
                jwk.put("e", unsigned(rsa.getPublicExponent()));
            } else {
                ECPublicKey ec = (ECPublicKey) e.getValue().getPublic();
                jwk.put("kty", "EC");
                jwk.put("crv", "P-256");
                jwk.put("x", unsigned(ec.getW().getAffineX()));
                jwk.put("y", unsigned(ec.getW().getAffineY()));
            }
            return jwk;
        }).toList();
        return json(Map.of("keys", jwks));
    }

    private static String unsigned(BigInteger n) {
        byte[] bytes = n.toByteArray();
        if (bytes[0] == 0 && bytes.length > 1) {
            bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return B64.encodeToString(bytes);
    }

    /** An unsigned token ({@code alg} none) of {@code claims}. */
    public static String unsecured(Map<String, Object> claims) {
        return part(Map.of("alg", "none")) + "." + part(claims) + ".";
    }

    /** A token of {@code claims} signed with {@code keys} by {@code alg}, its header naming {@code kid}. */
    public static String signed(String alg, String kid, KeyPair keys, Map<String, Object> claims) {
        String input = part(Map.of("alg", alg, "kid", kid, "typ", "JWT")) + "." + part(claims);
        try {
            Signature signer = switch (alg) {
                case "RS256" -> Signature.getInstance("SHA256withRSA");
                case "PS256" -> {
                    Signature pss = Signature.getInstance("RSASSA-PSS");
                    pss.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
                    yield pss;
                }
                case "ES256" -> Signature.getInstance("SHA256withECDSAinP1363Format");
                default -> throw new IllegalArgumentException(alg);
            };
            signer.initSign(keys.getPrivate());
            signer.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + B64.encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Claims {@code sub}, {@code iat} and {@code exp} (seconds) for {@code subject}, issued at {@code nowMs}. */
    public static Map<String, Object> claims(String subject, long nowMs, long lifetimeMs) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", subject);
        claims.put("iat", nowMs / 1000.0);
        claims.put("exp", (nowMs + lifetimeMs) / 1000.0);
        return claims;
    }

    private static String part(Map<String, ?> object) {
        return B64.encodeToString(json(object).getBytes(StandardCharsets.UTF_8));
    }

    /** JSON of maps, lists, strings (ASCII, no escapes needed by the tests' values) and numbers. */
    private static String json(Object value) {
        return switch (value) {
            case Map<?, ?> map -> map.entrySet().stream()
                    .map(e -> json(e.getKey()) + ":" + json(e.getValue()))
                    .collect(java.util.stream.Collectors.joining(",", "{", "}"));
            case List<?> list -> list.stream().map(TestTokens::json)
                    .collect(java.util.stream.Collectors.joining(",", "[", "]"));
            case String s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            case Number n -> n.toString();
            default -> throw new IllegalArgumentException("no JSON for " + value);
        };
    }
}
