package io.herald.protocol.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.security.ScramAlgorithm;
import io.herald.common.security.ScramCredential;
import io.herald.protocol.security.SaslMechanism.AuthenticationFailure;
import io.herald.protocol.security.SaslMechanism.SaslExchange;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The broker's own SASL clients against Herald's SASL servers. */
class SaslClientTest {

    private static ScramCredentialStore store(ScramAlgorithm algorithm, String user, String password) {
        byte[] salt = "some-salt".getBytes(StandardCharsets.UTF_8);
        byte[] salted = algorithm.saltedPassword(password.getBytes(StandardCharsets.UTF_8), salt, 4096);
        ScramCredential credential = new ScramCredential(salt, algorithm.storedKey(salted),
                algorithm.serverKey(salted), 4096);
        return (u, a) -> u.equals(user) && a == algorithm ? Optional.of(credential) : Optional.empty();
    }

    /** Runs the exchange; returns the server's exchange at the end. */
    private static SaslExchange run(SaslClient client, SaslMechanism server) throws AuthenticationFailure {
        SaslExchange exchange = server.start();
        byte[] token = client.start();
        while (token != null) {
            byte[] answer = exchange.evaluate(token);
            token = client.isComplete() ? null : client.next(answer);
        }
        return exchange;
    }

    @Test
    void scramClientsAuthenticateAndCheckTheServersSignature() throws Exception {
        for (ScramAlgorithm algorithm : ScramAlgorithm.values()) {
            SaslClient client = SaslClient.of(algorithm.mechanismName(), "bro,ker=1", "secret");
            SaslExchange server = run(client, new ScramMechanism(algorithm,
                    store(algorithm, "bro,ker=1", "secret")));
            assertThat(client.isComplete()).isTrue();
            assertThat(server.isComplete()).isTrue();
            assertThat(server.authorizationId()).isEqualTo("bro,ker=1");
        }
    }

    @Test
    void aScramServerThatDoesNotKnowTheCredentialIsDetected() throws Exception {
        SaslClient client = SaslClient.of("SCRAM-SHA-256", "broker", "secret");
        // An impostor answers with a well-formed server-first but cannot produce the right signature.
        client.start();
        String clientNonce = new String(((SaslClient.Scram) client).start(), StandardCharsets.UTF_8)
                .substring("n,,n=broker,r=".length());
        client.next(("r=" + clientNonce + "xyz,s=c29tZQ==,i=4096").getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> client.next("v=AAAA".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(AuthenticationFailure.class).hasMessageContaining("signature");
        assertThat(client.isComplete()).isFalse();
    }

    @Test
    void plainClientSendsOneTokenTheServerAccepts() throws Exception {
        SaslClient client = SaslClient.of("PLAIN", "broker", "b-secret");
        SaslExchange server = run(client, new PlainMechanism(Map.of("broker", "b-secret")));
        assertThat(server.authorizationId()).isEqualTo("broker");
        assertThatThrownBy(() -> SaslClient.of("GSSAPI", "a", "b")).isInstanceOf(IllegalArgumentException.class);
    }
}
