package io.herald.protocol.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.protocol.security.SaslMechanism.AuthenticationFailure;
import io.herald.protocol.security.SaslMechanism.SaslExchange;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlainMechanismTest {
    private final PlainMechanism plain = new PlainMechanism(Map.of("alice", "alice-secret"));

    private static byte[] token(String authzid, String user, String password) {
        return (authzid + "\u0000" + user + "\u0000" + password).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void acceptsTheUserWithItsPasswordAndAnEmptyOrEqualAuthorizationId() throws Exception {
        for (String authzid : new String[] {"", "alice"}) {
            SaslExchange exchange = plain.start();
            assertThat(exchange.evaluate(token(authzid, "alice", "alice-secret"))).isEmpty();
            assertThat(exchange.isComplete()).isTrue();
            assertThat(exchange.authorizationId()).isEqualTo("alice");
        }
    }

    @Test
    void refusesWrongCredentialsWithKafkasMessages() {
        assertThatThrownBy(() -> plain.start().evaluate(token("", "alice", "wrong")))
                .isInstanceOf(AuthenticationFailure.class)
                .hasMessage("Authentication failed: Invalid username or password");
        assertThatThrownBy(() -> plain.start().evaluate(token("", "mallory", "alice-secret")))
                .hasMessage("Authentication failed: Invalid username or password");
        assertThatThrownBy(() -> plain.start().evaluate(token("", "", "x")))
                .hasMessage("Authentication failed: username not specified");
        assertThatThrownBy(() -> plain.start().evaluate(token("", "alice", "")))
                .hasMessage("Authentication failed: password not specified");
        assertThatThrownBy(() -> plain.start().evaluate(token("bob", "alice", "alice-secret")))
                .hasMessageContaining("authorization id that is different from username");
        assertThatThrownBy(() -> plain.start().evaluate("alice".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("Invalid SASL/PLAIN response: expected 3 tokens, got 1");
    }
}
