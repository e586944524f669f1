package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.security.TestTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerTokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SASL/OAUTHBEARER with kafka-clients: a listener on Kafka's default validator takes the unsigned tokens of the
 * client's default login handler (and refuses one without the scope it requires); a listener on Kafka's
 * {@code OAuthBearerValidatorCallbackHandler} takes tokens signed by a key of its JWKS file, authenticates the
 * {@code sub} as the principal the ACLs see, and refuses a token signed by another key or for another audience.
 */
class OAuthBearerTest {
    private static final KeyPair ISSUER_KEY = TestTokens.rsa();
    private static final KeyPair STRANGER_KEY = TestTokens.rsa();

    @TempDir
    static Path dir;
    private static TestBroker unsecured;
    private static TestBroker signed;

    @BeforeAll
    static void start() throws Exception {
        unsecured = TestBroker.start(dir.resolve("unsecured"), Map.of("listeners", "SASL_PLAINTEXT://127.0.0.1:0",
                "sasl.enabled.mechanisms", "OAUTHBEARER",
                "listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config", "org.apache.kafka.common.security"
                        + ".oauthbearer.OAuthBearerLoginModule required unsecuredValidatorRequiredScope=\"kafka\";"));
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, TestTokens.jwks(Map.of("issuer-1", ISSUER_KEY)));
        Map<String, String> props = new HashMap<>(Map.of("listeners", "SASL_PLAINTEXT://127.0.0.1:0",
                "sasl.enabled.mechanisms", "OAUTHBEARER",
                "listener.name.sasl_plaintext.oauthbearer.sasl.server.callback.handler.class",
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler",
                "sasl.oauthbearer.jwks.endpoint.url", jwks.toUri().toString(),
                "sasl.oauthbearer.expected.audience", "herald",
                "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "super.users", "User:frank"));
        signed = TestBroker.start(dir.resolve("signed"), props);
    }

    @AfterAll
    static void stop() {
        for (TestBroker broker : new TestBroker[] {unsecured, signed}) {
            if (broker != null) {
                broker.close();
            }
        }
    }

    private static Map<String, Object> client(TestBroker broker, String jaas) {
        Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        config.put(SaslConfigs.SASL_MECHANISM, "OAUTHBEARER");
        config.put(SaslConfigs.SASL_JAAS_CONFIG, jaas);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
        return config;
    }

    /** A client that logs in with {@code token} through {@link StaticToken}. */
    private static Map<String, Object> withToken(String token) {
        Map<String, Object> config = client(signed, "org.apache.kafka.common.security.oauthbearer"
                + ".OAuthBearerLoginModule required token=\"" + token + "\";");
        config.put(SaslConfigs.SASL_LOGIN_CALLBACK_HANDLER_CLASS, StaticToken.class.getName());
        return config;
    }

    private static String token(KeyPair key, String subject, String audience) {
        long now = System.currentTimeMillis();
        Map<String, Object> claims = new HashMap<>(TestTokens.claims(subject, now, 3_600_000));
        claims.put("aud", audience);
        return TestTokens.signed("RS256", "issuer-1", key, claims);
    }

    @Test
    void theDefaultValidatorTakesTheClientsUnsignedTokenWithTheRequiredScope() throws Exception {
        Map<String, Object> erin = client(unsecured, "org.apache.kafka.common.security.oauthbearer"
                + ".OAuthBearerLoginModule required unsecuredLoginStringClaim_sub=\"erin\" "
                + "unsecuredLoginListClaim_scope=\",kafka,other\";");
        try (Admin admin = Admin.create(erin)) {
            admin.createTopics(List.of(new NewTopic("oauth-unsecured", 1, (short) 1))).all()
                    .get(30, TimeUnit.SECONDS);
        }
        try (var producer = unsecured.producer(erin)) {
            producer.send(new ProducerRecord<>("oauth-unsecured", "k", "v")).get(30, TimeUnit.SECONDS);
        }

        Map<String, Object> noScope = client(unsecured, "org.apache.kafka.common.security.oauthbearer"
                + ".OAuthBearerLoginModule required unsecuredLoginStringClaim_sub=\"erin\";");
        try (Admin admin = Admin.create(noScope)) {
            assertThatThrownBy(() -> admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(SaslAuthenticationException.class)
                    .hasMessageContaining("insufficient_scope");
        }
    }

    @Test
    void aSignedTokenAuthenticatesItsSubjectAndTheAclsSeeIt() throws Exception {
        try (Admin frank = Admin.create(withToken(token(ISSUER_KEY, "frank", "herald")))) {
            frank.createTopics(List.of(new NewTopic("oauth-signed", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            assertThat(frank.listTopics().names().get(30, TimeUnit.SECONDS)).contains("oauth-signed");
        }
        // grace authenticates too, but is no super user and has no ACL: the broker saw her token's subject.
        try (var producer = signed.producer(withToken(token(ISSUER_KEY, "grace", "herald")))) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("oauth-signed", "k", "v"))
                    .get(30, TimeUnit.SECONDS)).cause().isInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void aTokenOfAnotherKeyOrAudienceIsRefused() throws Exception {
        for (String token : List.of(token(STRANGER_KEY, "frank", "herald"), token(ISSUER_KEY, "frank", "elsewhere"))) {
            try (Admin admin = Admin.create(withToken(token))) {
                assertThatThrownBy(() -> admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).cause()
                        .isInstanceOf(SaslAuthenticationException.class).hasMessageContaining("invalid_token");
            }
        }
    }

    /** A login callback handler that hands the client the token of its JAAS option {@code token}. */
    public static final class StaticToken implements AuthenticateCallbackHandler {
        private String token;

        @Override
        public void configure(Map<String, ?> configs, String saslMechanism, List<AppConfigurationEntry> entries) {
            token = (String) entries.get(0).getOptions().get("token");
        }

        @Override
        public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
            for (Callback callback : callbacks) {
                if (!(callback instanceof OAuthBearerTokenCallback tokenCallback)) {
                    throw new UnsupportedCallbackException(callback);
                }
                long now = System.currentTimeMillis();
                String value = token;
                tokenCallback.token(new OAuthBearerToken() {
                    @Override
                    public String value() {
                        return value;
                    }

                    @Override
                    public Set<String> scope() {
                        return Set.of();
                    }

                    @Override
                    public long lifetimeMs() {
                        return now + 3_600_000;
                    }

                    @Override
                    public String principalName() {
                        return "token-holder";
                    }

                    @Override
                    public Long startTimeMs() {
                        return now;
                    }
                });
            }
        }

        @Override
        public void close() {
        }
    }
}
