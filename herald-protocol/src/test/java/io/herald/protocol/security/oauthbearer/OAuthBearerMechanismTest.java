package io.herald.protocol.security.oauthbearer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.security.TestTokens;
import io.herald.common.time.ManualTime;
import io.herald.protocol.security.SaslMechanism.AuthenticationFailure;
import io.herald.protocol.security.SaslMechanism.SaslExchange;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The server side of SASL/OAUTHBEARER with both validators, on a clock the test sets. */
class OAuthBearerMechanismTest {
    private static final long NOW = 1_800_000_000_000L;
    private static final KeyPair RSA = TestTokens.rsa();
    private static final KeyPair EC = TestTokens.ec();
    private static final KeyPair STRANGER = TestTokens.rsa();

    private final ManualTime time = new ManualTime(NOW);
    private final OAuthBearerMechanism unsecured = new OAuthBearerMechanism(
            UnsecuredJwtValidator.fromOptions(Map.of()), time);
    private final JwksValidator jwks = new JwksValidator(
            JwksSource.of(JsonWebKeys.parse(TestTokens.jwks(Map.of("rsa-1", RSA, "ec-1", EC))
                    .getBytes(StandardCharsets.UTF_8))), "sub", List.of("herald"), Optional.of("https://idp"), 30);

    private static byte[] initial(String token) {
        return ("n,,\u0001auth=Bearer " + token + "\u0001\u0001").getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, Object> signedClaims(String subject, long lifetimeMs) {
        Map<String, Object> claims = new HashMap<>(TestTokens.claims(subject, NOW, lifetimeMs));
        claims.put("aud", List.of("other", "herald"));
        claims.put("iss", "https://idp");
        return claims;
    }

    @Test
    void anUnsecuredTokenAuthenticatesItsSubjectForTheRestOfItsLifetime() throws Exception {
        SaslExchange exchange = unsecured.start();
        byte[] answer = exchange.evaluate(initial(TestTokens.unsecured(TestTokens.claims("erin", NOW, 60_000))));

        assertThat(answer).isEmpty();
        assertThat(exchange.isComplete()).isTrue();
        assertThat(exchange.authorizationId()).isEqualTo("erin");
        assertThat(exchange.credentialLifetimeMs()).hasValue(60_000);
    }

    @Test
    void aRefusedTokenIsAnsweredWithTheJsonErrorThenFailsOnTheClientsAcknowledgement() throws Exception {
        SaslExchange exchange = unsecured.start();
        byte[] answer = exchange.evaluate(initial(TestTokens.unsecured(TestTokens.claims("erin", NOW - 120_000,
                60_000))));

        assertThat(new String(answer, StandardCharsets.UTF_8)).isEqualTo("{\"status\":\"invalid_token\"}");
        assertThat(exchange.isComplete()).isFalse();
        assertThatThrownBy(() -> exchange.evaluate(new byte[] {0x01})).isInstanceOf(AuthenticationFailure.class)
                .hasMessage("{\"status\":\"invalid_token\"}");
    }

    @Test
    void aRequiredScopeTheTokenLacksIsInsufficientScope() throws Exception {
        OAuthBearerMechanism scoped = new OAuthBearerMechanism(UnsecuredJwtValidator.fromOptions(
                Map.of("unsecuredValidatorRequiredScope", "kafka admin")), time);
        Map<String, Object> claims = new HashMap<>(TestTokens.claims("erin", NOW, 60_000));
        claims.put("scope", "kafka");
        byte[] answer = scoped.start().evaluate(initial(TestTokens.unsecured(claims)));
        assertThat(new String(answer, StandardCharsets.UTF_8))
                .isEqualTo("{\"status\":\"insufficient_scope\", \"scope\":\"kafka admin\"}");

        claims.put("scope", List.of("admin", "kafka", "more"));
        SaslExchange enough = scoped.start();
        assertThat(enough.evaluate(initial(TestTokens.unsecured(claims)))).isEmpty();
        assertThat(enough.authorizationId()).isEqualTo("erin");
    }

    @Test
    void malformedMessagesAndAForeignAuthorizationIdFail() throws Exception {
        String token = TestTokens.unsecured(TestTokens.claims("erin", NOW, 60_000));
        for (String message : List.of("", "n,,auth=Bearer " + token, "n,,\u0001auth=Basic abc\u0001\u0001",
                "n,,\u0001key=value\u0001\u0001", "y,,\u0001auth=Bearer " + token + "\u0001\u0001")) {
            assertThatThrownBy(() -> unsecured.start().evaluate(message.getBytes(StandardCharsets.UTF_8)))
                    .as(message).isInstanceOf(AuthenticationFailure.class)
                    .hasMessageStartingWith("Invalid OAUTHBEARER client first message");
        }
        byte[] other = ("n,a=mallory,\u0001auth=Bearer " + token + "\u0001\u0001").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> unsecured.start().evaluate(other)).isInstanceOf(AuthenticationFailure.class)
                .hasMessageContaining("different from the token's principal name");
        SaslExchange same = unsecured.start();
        same.evaluate(("n,a=erin,\u0001auth=Bearer " + token + "\u0001ext=1\u0001\u0001")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(same.authorizationId()).isEqualTo("erin");
    }

    @Test
    void theUnsecuredValidatorRefusesSignedTokensAndTokensWithoutSubjectOrExpiry() {
        UnsecuredJwtValidator validator = UnsecuredJwtValidator.fromOptions(Map.of());
        assertThatThrownBy(() -> validator.validate(TestTokens.signed("RS256", "rsa-1", RSA,
                TestTokens.claims("erin", NOW, 60_000)), NOW)).isInstanceOf(TokenValidator.InvalidToken.class)
                .hasMessageContaining("unsecured tokens only");
        assertThatThrownBy(() -> validator.validate(TestTokens.unsecured(Map.of("exp", NOW / 1000 + 60)), NOW))
                .hasMessageContaining("no 'sub' claim");
        assertThatThrownBy(() -> validator.validate(TestTokens.unsecured(Map.of("sub", "erin")), NOW))
                .hasMessageContaining("no 'exp' claim");
        assertThatThrownBy(() -> validator.validate("not.a.jwt.at.all", NOW)).hasMessageContaining("compact JWS");
        assertThatThrownBy(() -> validator.validate("e30.!!!.", NOW)).hasMessageContaining("base64url");
    }

    @Test
    void signedTokensVerifyWithTheirJwksKeyForEachAlgorithm() throws Exception {
        for (String alg : List.of("RS256", "PS256", "ES256")) {
            KeyPair keys = alg.equals("ES256") ? EC : RSA;
            String kid = alg.equals("ES256") ? "ec-1" : "rsa-1";
            TokenValidator.ValidToken token = jwks.validate(TestTokens.signed(alg, kid, keys,
                    signedClaims("frank", 300_000)), NOW);
            assertThat(token.principal()).as(alg).isEqualTo("frank");
            assertThat(token.expiresAtMs()).as(alg).isEqualTo(NOW + 300_000);
        }
    }

    @Test
    void signedTokensAreRefusedForAWrongKeyAlgorithmTimeAudienceOrIssuer() {
        Map<String, Object> good = signedClaims("frank", 300_000);
        assertThatThrownBy(() -> jwks.validate(TestTokens.signed("RS256", "rsa-1", STRANGER, good), NOW))
                .hasMessageContaining("does not verify");
        assertThatThrownBy(() -> jwks.validate(TestTokens.signed("RS256", "rsa-2", RSA, good), NOW))
                .hasMessageContaining("no RSA key with kid 'rsa-2'");
        assertThatThrownBy(() -> jwks.validate(TestTokens.unsecured(good), NOW))
                .hasMessageContaining("algorithm 'none' is not accepted");
        assertThatThrownBy(() -> jwks.validate(TestTokens.signed("RS256", "rsa-1", RSA, good), NOW + 330_000))
                .as("expired beyond the 30 s skew").hasMessageContaining("expired");
        Map<String, Object> noIat = new HashMap<>(good);
        noIat.remove("iat");
        assertThatThrownBy(() -> jwks.validate(TestTokens.signed("RS256", "rsa-1", RSA, noIat), NOW))
                .hasMessageContaining("no 'iat' claim");
        Map<String, Object> audience = new HashMap<>(good);
        audience.put("aud", "someone-else");
        assertThatThrownBy(() -> jwks.validate(TestTokens.signed("RS256", "rsa-1", RSA, audience), NOW))
                .hasMessageContaining("audience");
        Map<String, Object> issuer = new HashMap<>(good);
        issuer.put("iss", "https://evil");
        assertThatThrownBy(() -> jwks.validate(TestTokens.signed("RS256", "rsa-1", RSA, issuer), NOW))
                .hasMessageContaining("issuer");
    }

    @Test
    void aJwksDocumentKeepsSignatureKeysOnly() {
        String document = "{\"keys\":[{\"kty\":\"oct\",\"k\":\"AAAA\"},"
                + "{\"kty\":\"RSA\",\"use\":\"enc\",\"n\":\"AQAB\",\"e\":\"AQAB\"},"
                + TestTokens.jwks(Map.of("rsa-1", RSA)).substring("{\"keys\":[".length());
        JsonWebKeys keys = JsonWebKeys.parse(document.getBytes(StandardCharsets.UTF_8));
        assertThat(keys.keys()).extracting(k -> k.keyId().orElseThrow()).containsExactly("rsa-1");
        assertThatThrownBy(() -> JsonWebKeys.parse("{}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("keys");
    }
}
