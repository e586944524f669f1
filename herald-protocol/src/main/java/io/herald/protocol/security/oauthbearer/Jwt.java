package io.herald.protocol.security.oauthbearer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.protocol.security.oauthbearer.TokenValidator.InvalidToken;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A JSON Web Token in compact serialization ({@code header.claims.signature}, each part base64url without padding),
 * split and decoded but not yet trusted; and the claim checks Kafka's validators share.
 *
 * @param header       the JOSE header
 * @param claims       the claims set
 * @param signingInput the ASCII bytes the signature covers ({@code header.claims} as sent)
 * @param signature    the decoded signature; empty for an unsecured token
 */
record Jwt(Map<String, Object> header, Map<String, Object> claims, byte[] signingInput, byte[] signature) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    Jwt {
        header = Collections.unmodifiableMap(header);
        claims = Collections.unmodifiableMap(claims);
    }

    /** Splits and decodes {@code compact}. */
    static Jwt parse(String compact) throws InvalidToken {
        String[] parts = compact.split("\\.", -1);
        if (parts.length != 3) {
            throw InvalidToken.invalid("not a compact JWS: " + parts.length + " dot-separated parts (expected 3)");
        }
        Map<String, Object> header = object(parts[0], "header");
        Map<String, Object> claims = object(parts[1], "claims");
        byte[] signature;
        try {
            signature = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw InvalidToken.invalid("the signature is not base64url");
        }
        return new Jwt(header, claims, (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII), signature);
    }

    private static Map<String, Object> object(String part, String what) throws InvalidToken {
        byte[] json;
        try {
            json = Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw InvalidToken.invalid("the " + what + " is not base64url");
        }
        try {
            Map<String, Object> map = JSON.readValue(json, OBJECT);
            if (map == null) {
                throw InvalidToken.invalid("the " + what + " is not a JSON object");
            }
            return map;
        } catch (JsonProcessingException e) {
            throw InvalidToken.invalid("the " + what + " is not a JSON object");
        } catch (java.io.IOException e) {
            throw InvalidToken.invalid("the " + what + " cannot be read: " + e.getMessage());
        }
    }

    /** The header's {@code alg}, or empty. */
    String algorithm() {
        return header.get("alg") instanceof String alg ? alg : "";
    }

    /** The header's {@code kid}, if any. */
    Optional<String> keyId() {
        return header.get("kid") instanceof String kid ? Optional.of(kid) : Optional.empty();
    }

    /** The string claim {@code name}, required. */
    String requiredString(String name) throws InvalidToken {
        Object value = claims.get(name);
        if (!(value instanceof String s) || s.isBlank()) {
            throw InvalidToken.invalid(value == null ? "no '" + name + "' claim"
                    : "the '" + name + "' claim is not a non-empty string");
        }
        return s;
    }

    /** A NumericDate claim (seconds, possibly fractional) in epoch milliseconds, or empty when absent. */
    OptionalLong time(String name) throws InvalidToken {
        Object value = claims.get(name);
        if (value == null) {
            return OptionalLong.empty();
        }
        if (!(value instanceof Number n)) {
            throw InvalidToken.invalid("the '" + name + "' claim is not a number");
        }
        return OptionalLong.of((long) (n.doubleValue() * 1000));
    }

    /** A claim that is a space-delimited string or an array of strings (scope, audience); empty when absent. */
    List<String> strings(String name) throws InvalidToken {
        Object value = claims.get(name);
        if (value == null) {
            return List.of();
        }
        if (value instanceof String s) {
            return Arrays.stream(s.trim().split(" +")).filter(x -> !x.isEmpty()).toList();
        }
        if (value instanceof List<?> list) {
            List<String> out = new ArrayList<>();
            for (Object item : list) {
                if (!(item instanceof String s)) {
                    throw InvalidToken.invalid("the '" + name + "' claim holds a non-string");
                }
                out.add(s);
            }
            return out;
        }
        throw InvalidToken.invalid("the '" + name + "' claim is neither a string nor an array of strings");
    }

    /**
     * Kafka's time checks: {@code exp} is required and not past (beyond the skew), {@code iat} (required when
     * {@code requireIssuedAt}) not in the future, {@code nbf} reached, and {@code exp} after {@code iat}.
     *
     * @return the expiry in epoch milliseconds
     */
    long checkTimes(long nowMs, long skewMs, boolean requireIssuedAt) throws InvalidToken {
        long exp = time("exp").orElseThrow(() -> InvalidToken.invalid("no 'exp' claim"));
        if (nowMs - skewMs >= exp) {
            throw InvalidToken.invalid("the token expired at " + exp + " ms (now " + nowMs + " ms, skew " + skewMs
                    + " ms)");
        }
        OptionalLong iat = time("iat");
        if (iat.isEmpty() && requireIssuedAt) {
            throw InvalidToken.invalid("no 'iat' claim");
        }
        if (iat.isPresent()) {
            if (iat.getAsLong() > nowMs + skewMs) {
                throw InvalidToken.invalid("the token is issued in the future (iat " + iat.getAsLong() + " ms, now "
                        + nowMs + " ms)");
            }
            if (exp <= iat.getAsLong()) {
                throw InvalidToken.invalid("the token expires (" + exp + " ms) before it is issued ("
                        + iat.getAsLong() + " ms)");
            }
        }
        OptionalLong nbf = time("nbf");
        if (nbf.isPresent() && nbf.getAsLong() > nowMs + skewMs) {
            throw InvalidToken.invalid("the token is not valid before " + nbf.getAsLong() + " ms");
        }
        return exp;
    }
}
