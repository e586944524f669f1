package io.herald.protocol.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.security.ScramAlgorithm;
import io.herald.protocol.security.SaslMechanism.AuthenticationFailure;
import io.herald.protocol.security.SaslMechanism.SaslExchange;
import io.herald.common.security.ScramCredential;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScramMechanismTest {
    private static final byte[] SALT = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    private static final String CLIENT_FIRST = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    private static final String NONCE = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";

    private static ScramMechanism rfc7677Server() {
        ScramAlgorithm sha256 = ScramAlgorithm.SHA_256;
        byte[] salted = sha256.saltedPassword("pencil".getBytes(StandardCharsets.UTF_8), SALT, 4096);
        ScramCredential credential = new ScramCredential(SALT, sha256.storedKey(salted), sha256.serverKey(salted),
                4096);
        return new ScramMechanism(sha256, (user, algorithm) -> user.equals("user") && algorithm == sha256
                ? Optional.of(credential) : Optional.empty(), () -> "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void servesTheExchangeOfRfc7677ByteForByte() throws Exception {
        SaslExchange exchange = rfc7677Server().start();

        assertThat(new String(exchange.evaluate(utf8(CLIENT_FIRST)), StandardCharsets.UTF_8))
                .isEqualTo("r=" + NONCE + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
        assertThat(exchange.isComplete()).isFalse();
        assertThat(new String(exchange.evaluate(utf8("c=biws,r=" + NONCE
                + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")), StandardCharsets.UTF_8))
                .isEqualTo("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
        assertThat(exchange.isComplete()).isTrue();
        assertThat(exchange.authorizationId()).isEqualTo("user");
    }

    /** librdkafka puts its nonce in front of the server's combined nonce again; Kafka's broker accepts that. */
    @Test
    void acceptsAFinalNonceThatEndsWithTheServersAsLibrdkafkaSendsIt() throws Exception {
        SaslExchange exchange = rfc7677Server().start();
        String serverFirst = new String(exchange.evaluate(utf8(CLIENT_FIRST)), StandardCharsets.UTF_8);
        String withoutProof = "c=biws,r=rOprNGfwEbeRWgbNEkqO" + NONCE;
        ScramAlgorithm sha256 = ScramAlgorithm.SHA_256;
        byte[] salted = sha256.saltedPassword(utf8("pencil"), SALT, 4096);
        byte[] authMessage = utf8(CLIENT_FIRST.substring(3) + "," + serverFirst + "," + withoutProof);
        byte[] proof = ScramAlgorithm.xor(sha256.clientKey(salted), sha256.hmac(sha256.storedKey(salted),
                authMessage));

        byte[] serverFinal = exchange.evaluate(utf8(withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)));

        assertThat(exchange.isComplete()).isTrue();
        assertThat(new String(serverFinal, StandardCharsets.UTF_8)).isEqualTo("v=" + Base64.getEncoder()
                .encodeToString(sha256.serverSignature(sha256.serverKey(salted), authMessage)));
    }

    @Test
    void aWrongProofAnUnknownUserOrAChangedNonceFail() throws Exception {
        SaslExchange wrongProof = rfc7677Server().start();
        wrongProof.evaluate(utf8(CLIENT_FIRST));
        assertThatThrownBy(() -> wrongProof.evaluate(utf8("c=biws,r=" + NONCE
                + ",p=AAAAZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="))).isInstanceOf(AuthenticationFailure.class)
                .hasMessage("Authentication failed during authentication due to invalid credentials with SASL "
                        + "mechanism SCRAM-SHA-256");
        assertThat(wrongProof.isComplete()).isFalse();

        assertThatThrownBy(() -> rfc7677Server().start().evaluate(utf8("n,,n=nobody,r=abc")))
                .isInstanceOf(AuthenticationFailure.class).hasMessageContaining("invalid credentials");

        SaslExchange otherNonce = rfc7677Server().start();
        otherNonce.evaluate(utf8(CLIENT_FIRST));
        assertThatThrownBy(() -> otherNonce.evaluate(utf8("c=biws,r=rOprNGfwEbeRWgbNEkqOX,p=AAAA")))
                .isInstanceOf(AuthenticationFailure.class).hasMessageContaining("nonce");
    }

    @Test
    void malformedMessagesChannelBindingAndTokensAreRefused() {
        for (String bad : new String[] {"", "n,,", "n,,r=abc", "p=tls-unique,,n=user,r=abc", "x,,n=user,r=abc",
                "n,,n=us=er,r=abc", "n,a=other,n=user,r=abc", "n,,n=user,r=abc,tokenauth=true"}) {
            assertThatThrownBy(() -> rfc7677Server().start().evaluate(utf8(bad))).as(bad)
                    .isInstanceOf(AuthenticationFailure.class);
        }
    }
}
