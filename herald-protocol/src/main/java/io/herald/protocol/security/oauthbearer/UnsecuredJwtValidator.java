package io.herald.protocol.security.oauthbearer;

import java.util.List;
import java.util.Map;

/**
 * Kafka's default OAUTHBEARER validator ({@code OAuthBearerUnsecuredValidatorCallbackHandler}): accepts unsigned
 * tokens ({@code alg} {@code none}, empty signature), such as kafka-clients' default login handler makes from
 * {@code unsecuredLoginStringClaim_sub}. Anyone can mint such a token: for development and tests, never production.
 *
 * <p>Its options are Kafka's, from the listener's {@code oauthbearer.sasl.jaas.config}:
 * {@code unsecuredValidatorPrincipalClaimName} (default {@code sub}), {@code unsecuredValidatorScopeClaimName}
 * ({@code scope}), {@code unsecuredValidatorRequiredScope} (space-delimited; default none) and
 * {@code unsecuredValidatorAllowableClockSkewMs} (default 0). {@code exp} is required, {@code iat} optional.
 *
 * <p>Immutable and thread-safe.
 */
public final class UnsecuredJwtValidator implements TokenValidator {
    private final String principalClaim;
    private final String scopeClaim;
    private final List<String> requiredScope;
    private final long skewMs;

    public UnsecuredJwtValidator(String principalClaim, String scopeClaim, List<String> requiredScope, long skewMs) {
        if (skewMs < 0) {
            throw new IllegalArgumentException("unsecuredValidatorAllowableClockSkewMs: " + skewMs
                    + " (expected: >= 0)");
        }
        this.principalClaim = principalClaim;
        this.scopeClaim = scopeClaim;
        this.requiredScope = List.copyOf(requiredScope);
        this.skewMs = skewMs;
    }

    /**
     * From the JAAS options of the listener's OAUTHBEARER login module.
     *
     * @throws IllegalArgumentException naming the option that does not parse
     */
    public static UnsecuredJwtValidator fromOptions(Map<String, String> options) {
        String skew = options.getOrDefault("unsecuredValidatorAllowableClockSkewMs", "").trim();
        long skewMs;
        try {
            skewMs = skew.isEmpty() ? 0 : Long.parseLong(skew);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("unsecuredValidatorAllowableClockSkewMs: not a number");
        }
        String scope = options.getOrDefault("unsecuredValidatorRequiredScope", "").trim();
        return new UnsecuredJwtValidator(nonBlank(options.get("unsecuredValidatorPrincipalClaimName"), "sub"),
                nonBlank(options.get("unsecuredValidatorScopeClaimName"), "scope"),
                scope.isEmpty() ? List.of() : List.of(scope.split(" +")), skewMs);
    }

    private static String nonBlank(String value, String otherwise) {
        return value == null || value.isBlank() ? otherwise : value.trim();
    }

    @Override
    public ValidToken validate(String token, long nowMs) throws InvalidToken {
        Jwt jwt = Jwt.parse(token);
        if (jwt.signature().length != 0 || !jwt.algorithm().equals("none")) {
            throw InvalidToken.invalid("the listener accepts unsecured tokens only (alg none, no signature), got alg '"
                    + jwt.algorithm() + "'; configure the OAuthBearerValidatorCallbackHandler for signed tokens");
        }
        String principal = jwt.requiredString(principalClaim);
        long expiresAt = jwt.checkTimes(nowMs, skewMs, false);
        Scopes.require(jwt, scopeClaim, requiredScope);
        return new ValidToken(principal, expiresAt);
    }
}
