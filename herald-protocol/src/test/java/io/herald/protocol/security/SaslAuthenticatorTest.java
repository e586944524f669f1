package io.herald.protocol.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.time.ManualTime;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.security.oauthbearer.OAuthBearerMechanism;
import io.herald.common.security.TestTokens;
import io.herald.protocol.security.oauthbearer.UnsecuredJwtValidator;
import io.herald.protocol.security.SaslAuthenticator.Admission;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.Test;

/** The SASL state machine of one connection, on a clock the test moves. */
class SaslAuthenticatorTest {
    private static final long REAUTH_MS = 60_000;

    private final SaslAuthenticator sasl = new SaslAuthenticator(new SaslSettings(List.of(
            new PlainMechanism(Map.of("alice", "a-secret", "bob", "b-secret"))), 1024, REAUTH_MS));

    private static KafkaRequest request(AbstractRequest body) {
        return new KafkaRequest(new RequestHeader(body.apiKey(), body.version(), "test", 1), body, 0,
                new InetSocketAddress("127.0.0.1", 1), 0);
    }

    private static KafkaRequest handshake(String mechanism) {
        return request(new SaslHandshakeRequest(new SaslHandshakeRequestData().setMechanism(mechanism), (short) 1));
    }

    private static KafkaRequest authenticate(String user, String password) {
        byte[] token = ("\u0000" + user + "\u0000" + password).getBytes(StandardCharsets.UTF_8);
        return request(new SaslAuthenticateRequest(new SaslAuthenticateRequestData().setAuthBytes(token), (short) 2));
    }

    private static KafkaRequest metadata() {
        return request(new MetadataRequest(new MetadataRequestData(), (short) 12));
    }

    private static Admission.Answer answer(Admission admission) {
        assertThat(admission).isInstanceOf(Admission.Answer.class);
        return (Admission.Answer) admission;
    }

    private void logIn(String user, String password, long nowNanos) {
        assertThat(answer(sasl.admit(handshake("PLAIN"), nowNanos)).thenClose()).isFalse();
        Admission.Answer done = answer(sasl.admit(authenticate(user, password), nowNanos));
        assertThat(((SaslAuthenticateResponseData) done.data()).errorCode()).isEqualTo(Errors.NONE.code());
    }

    @Test
    void onlyApiVersionsAndTheHandshakeComeBeforeAuthentication() {
        assertThat(sasl.admit(request(new ApiVersionsRequest.Builder().build((short) 3)), 0))
                .isInstanceOf(Admission.Pass.class);
        assertThat(sasl.maxFrameBytes(1 << 20)).isEqualTo(1024);

        assertThat(sasl.admit(metadata(), 0)).isInstanceOf(Admission.Refuse.class);
    }

    @Test
    void aVersion0HandshakeWhichRawTokensWouldFollowIsRefused() {
        KafkaRequest v0 = request(new SaslHandshakeRequest(new SaslHandshakeRequestData().setMechanism("PLAIN"),
                (short) 0));
        assertThat(sasl.admit(v0, 0)).isInstanceOf(Admission.Refuse.class);
    }

    @Test
    void anUnknownMechanismIsAnsweredWithTheEnabledOnesThenTheConnectionCloses() {
        Admission.Answer answer = answer(sasl.admit(handshake("SCRAM-SHA-256"), 0));

        SaslHandshakeResponseData data = (SaslHandshakeResponseData) answer.data();
        assertThat(data.errorCode()).isEqualTo(Errors.UNSUPPORTED_SASL_MECHANISM.code());
        assertThat(data.mechanisms()).containsExactly("PLAIN");
        assertThat(answer.thenClose()).isTrue();
    }

    @Test
    void aFailedAuthenticationIsAnsweredThenTheConnectionCloses() {
        answer(sasl.admit(handshake("PLAIN"), 0));
        Admission.Answer failed = answer(sasl.admit(authenticate("alice", "wrong"), 0));

        assertThat(((SaslAuthenticateResponseData) failed.data()).errorCode())
                .isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
        assertThat(((SaslAuthenticateResponseData) failed.data()).errorMessage())
                .isEqualTo("Authentication failed: Invalid username or password");
        assertThat(failed.thenClose()).isTrue();
        assertThat(sasl.admit(metadata(), 0)).isInstanceOf(Admission.Refuse.class);
    }

    @Test
    void theSessionLastsConnectionsMaxReauthMsUnlessTheClientReauthenticates() {
        logIn("alice", "a-secret", 0);
        assertThat(sasl.principal()).contains(new KafkaPrincipal("User", "alice"));
        assertThat(sasl.maxFrameBytes(1 << 20)).isEqualTo(1 << 20);
        long almost = TimeUnit.MILLISECONDS.toNanos(REAUTH_MS) - 1;
        assertThat(sasl.admit(metadata(), almost)).isInstanceOf(Admission.Pass.class);

        // Re-authentication on the same connection starts a new session.
        logIn("alice", "a-secret", almost);
        assertThat(sasl.admit(metadata(), almost + TimeUnit.MILLISECONDS.toNanos(REAUTH_MS) - 1))
                .isInstanceOf(Admission.Pass.class);
        assertThat(sasl.admit(metadata(), almost + TimeUnit.MILLISECONDS.toNanos(REAUTH_MS)))
                .isInstanceOf(Admission.Refuse.class);
    }

    @Test
    void reauthenticationMayNotChangeThePrincipal() {
        logIn("alice", "a-secret", 0);
        answer(sasl.admit(handshake("PLAIN"), 1));
        Admission.Answer changed = answer(sasl.admit(authenticate("bob", "b-secret"), 1));

        assertThat(((SaslAuthenticateResponseData) changed.data()).errorCode())
                .isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
        assertThat(changed.thenClose()).isTrue();
    }

    @Test
    void theSessionLifetimeIsToldToTheClient() {
        answer(sasl.admit(handshake("PLAIN"), 0));
        Admission.Answer done = answer(sasl.admit(authenticate("bob", "b-secret"), 0));
        assertThat(((SaslAuthenticateResponseData) done.data()).sessionLifetimeMs()).isEqualTo(REAUTH_MS);
        assertThat(SaslAuthenticator.illegalState(ApiKeys.SASL_HANDSHAKE)).isInstanceOf(
                SaslHandshakeResponseData.class);
    }

    @Test
    void aCredentialThatExpiresBoundsTheSessionAsKafkaComputesIt() {
        assertThat(SaslAuthenticator.sessionLifetimeMs(60_000, OptionalLong.of(10_000))).isEqualTo(10_000);
        assertThat(SaslAuthenticator.sessionLifetimeMs(5_000, OptionalLong.of(10_000))).isEqualTo(5_000);
        assertThat(SaslAuthenticator.sessionLifetimeMs(5_000, OptionalLong.empty())).isEqualTo(5_000);
        assertThat(SaslAuthenticator.sessionLifetimeMs(0, OptionalLong.empty())).as("never expires").isEqualTo(-1);
        assertThat(SaslAuthenticator.sessionLifetimeMs(0, OptionalLong.of(-5))).isZero();

        long now = 1_800_000_000_000L;
        SaslAuthenticator oauth = new SaslAuthenticator(new SaslSettings(List.of(new OAuthBearerMechanism(
                UnsecuredJwtValidator.fromOptions(Map.of()), new ManualTime(now))), 1024, 0));
        answer(oauth.admit(handshake("OAUTHBEARER"), 0));
        byte[] token = ("n,,\u0001auth=Bearer " + TestTokens.unsecured(TestTokens.claims("erin", now, 10_000))
                + "\u0001\u0001").getBytes(StandardCharsets.UTF_8);
        Admission.Answer done = answer(oauth.admit(request(new SaslAuthenticateRequest(
                new SaslAuthenticateRequestData().setAuthBytes(token), (short) 2)), 0));
        assertThat(((SaslAuthenticateResponseData) done.data()).sessionLifetimeMs()).isEqualTo(10_000);
        assertThat(oauth.principal()).contains(new KafkaPrincipal("User", "erin"));
        long expiry = TimeUnit.MILLISECONDS.toNanos(10_000);
        assertThat(oauth.admit(metadata(), expiry - 1)).isInstanceOf(Admission.Pass.class);
        assertThat(oauth.admit(metadata(), expiry)).as("the token expired").isInstanceOf(Admission.Refuse.class);
    }
}
