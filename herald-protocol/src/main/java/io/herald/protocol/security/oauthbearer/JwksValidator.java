package io.herald.protocol.security.oauthbearer;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Kafka's {@code OAuthBearerValidatorCallbackHandler}: a signed JWT whose signature verifies with a key of the JWKS
 * ({@link JwksSource}), that has {@code exp} and {@code iat} and its principal claim
 * ({@code sasl.oauthbearer.sub.claim.name}, default {@code sub}), is within its times give or take
 * {@code sasl.oauthbearer.clock.skew.seconds} (30), and, when configured, names one of
 * {@code sasl.oauthbearer.expected.audience} in {@code aud} and {@code sasl.oauthbearer.expected.issuer} in
 * {@code iss}. The key is the one with the token's {@code kid}, else any key of the algorithm's type. Algorithms:
 * RS256/384/512, PS256/384/512, ES256/384/512; never {@code none}.
 *
 * <p>Thread-safe.
 */
public final class JwksValidator implements TokenValidator {
    private final Supplier<JsonWebKeys> keys;
    private final String principalClaim;
    private final List<String> expectedAudiences;
    private final Optional<String> expectedIssuer;
    private final long skewMs;

    public JwksValidator(Supplier<JsonWebKeys> keys, String principalClaim, List<String> expectedAudiences,
                         Optional<String> expectedIssuer, long skewSeconds) {
        if (skewSeconds < 0) {
            throw new IllegalArgumentException("sasl.oauthbearer.clock.skew.seconds: " + skewSeconds
                    + " (expected: >= 0)");
        }
        this.keys = Objects.requireNonNull(keys, "keys");
        this.principalClaim = Objects.requireNonNull(principalClaim, "principalClaim");
        this.expectedAudiences = List.copyOf(expectedAudiences);
        this.expectedIssuer = Objects.requireNonNull(expectedIssuer, "expectedIssuer");
        this.skewMs = skewSeconds * 1000;
    }

    @Override
    public ValidToken validate(String token, long nowMs) throws InvalidToken {
        Jwt jwt = Jwt.parse(token);
        JwsAlgorithm algorithm = JwsAlgorithm.named(jwt.algorithm()).orElseThrow(() -> InvalidToken.invalid(
                "signature algorithm '" + jwt.algorithm() + "' is not accepted (expected RS, PS or ES 256/384/512)"));
        Optional<String> kid = jwt.keyId();
        List<JsonWebKeys.Key> candidates = keys.get().keys().stream()
                .filter(k -> k.type().equals(algorithm.keyType()))
                .filter(k -> kid.isEmpty() || k.keyId().equals(kid))
                .filter(k -> k.algorithm().isEmpty() || k.algorithm().get().equals(algorithm.name()))
                .toList();
        if (candidates.isEmpty()) {
            throw InvalidToken.invalid("no " + algorithm.keyType() + " key" + kid.map(k -> " with kid '" + k + "'")
                    .orElse("") + " in the JWKS for " + algorithm);
        }
        boolean verified = candidates.stream()
                .anyMatch(k -> algorithm.verifies(k.key(), jwt.signingInput(), jwt.signature()));
        if (!verified) {
            throw InvalidToken.invalid("the " + algorithm + " signature does not verify with the JWKS key"
                    + kid.map(k -> " '" + k + "'").orElse("s"));
        }
        long expiresAt = jwt.checkTimes(nowMs, skewMs, true);
        String principal = jwt.requiredString(principalClaim);
        if (!expectedAudiences.isEmpty()) {
            List<String> audiences = jwt.strings("aud");
            if (audiences.stream().noneMatch(expectedAudiences::contains)) {
                throw InvalidToken.invalid("audience " + audiences + " is none of the expected " + expectedAudiences);
            }
        }
        if (expectedIssuer.isPresent()) {
            Object issuer = jwt.claims().get("iss");
            if (!expectedIssuer.get().equals(issuer)) {
                throw InvalidToken.invalid("issuer '" + issuer + "' is not the expected '" + expectedIssuer.get() + "'");
            }
        }
        return new ValidToken(principal, expiresAt);
    }
}
