package io.herald.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.security.TestCertificates;
import io.herald.protocol.ListenerConfig;
import io.herald.protocol.ServerConfig;
import io.herald.protocol.security.ListenerSecurity;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listener security protocols, {@code ssl.*} / SASL configs with per-listener prefixes, and their refusals. */
class SecurityConfigTest {
    private static final String PLAIN_JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"admin\" password=\"admin-secret\" user_admin=\"admin-secret\" user_alice=\"alice \\\"q\\\"\";";

    @TempDir
    static Path dir;
    private static TestCertificates.Identity broker;

    @BeforeAll
    static void pki() {
        broker = TestCertificates.create(dir.resolve("pki")).server("broker");
    }

    private static HeraldConfig parse(String... pairs) {
        Map<String, String> props = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            props.put(pairs[i], pairs[i + 1]);
        }
        return HeraldConfig.parse(props);
    }

    private static ListenerSecurity security(HeraldConfig config, String listener) {
        return config.network().listeners().stream().filter(l -> l.name().equals(listener)).findFirst()
                .map(ListenerConfig::security).orElseThrow();
    }

    @Test
    void everyClientListenerIsServedWithItsProtocolAndTheInterBrokerOneIsNamed() {
        HeraldConfig config = parse("listeners", "INTERNAL://127.0.0.1:0,EXTERNAL://127.0.0.1:0",
                "listener.security.protocol.map", "INTERNAL:PLAINTEXT,EXTERNAL:SASL_SSL",
                "inter.broker.listener.name", "internal",
                "sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512",
                "listener.name.external.plain.sasl.jaas.config", PLAIN_JAAS,
                "listener.name.external.ssl.keystore.type", "PKCS12",
                "listener.name.external.ssl.keystore.location", broker.keystore().toString(),
                "listener.name.external.ssl.keystore.password", TestCertificates.PASSWORD);

        ServerConfig network = config.network();
        assertThat(network.listeners()).extracting(ListenerConfig::name).containsExactly("INTERNAL", "EXTERNAL");
        assertThat(config.node().interBrokerListenerName()).contains("INTERNAL");
        ListenerSecurity external = security(config, "EXTERNAL");
        assertThat(external.protocol()).isEqualTo(SecurityProtocol.SASL_SSL);
        assertThat(external.tls()).isPresent();
        assertThat(external.sasl().orElseThrow().names()).containsExactly("PLAIN", "SCRAM-SHA-512");
        assertThat(security(config, "INTERNAL").protocol()).isEqualTo(SecurityProtocol.PLAINTEXT);
    }

    @Test
    void theInterBrokerListenerDefaultsToTheOneNamedAfterSecurityInterBrokerProtocol() {
        HeraldConfig config = parse("listeners", "SSL://127.0.0.1:0,PLAINTEXT://127.0.0.1:0",
                "ssl.keystore.type", "PKCS12", "ssl.keystore.location", broker.keystore().toString(),
                "ssl.keystore.password", TestCertificates.PASSWORD);
        assertThat(config.node().interBrokerListenerName()).contains("PLAINTEXT");
        // Without a listener of that name, the first client listener (Herald's rule for single listeners).
        HeraldConfig single = parse("listeners", "CLIENT://127.0.0.1:0",
                "listener.security.protocol.map", "CLIENT:PLAINTEXT");
        assertThat(single.node().interBrokerListenerName()).contains("CLIENT");
    }

    @Test
    void aPrefixedValueWinsForItsListener() {
        HeraldConfig config = parse("listeners", "A://127.0.0.1:0,B://127.0.0.1:0",
                "listener.security.protocol.map", "A:SASL_PLAINTEXT,B:SASL_PLAINTEXT",
                "sasl.enabled.mechanisms", "SCRAM-SHA-256",
                "listener.name.b.sasl.enabled.mechanisms", "SCRAM-SHA-512",
                "listener.name.b.connections.max.reauth.ms", "30000");

        assertThat(security(config, "A").sasl().orElseThrow().names()).containsExactly("SCRAM-SHA-256");
        assertThat(security(config, "A").sasl().orElseThrow().reauthMs()).isZero();
        assertThat(security(config, "B").sasl().orElseThrow().names()).containsExactly("SCRAM-SHA-512");
        assertThat(security(config, "B").sasl().orElseThrow().reauthMs()).isEqualTo(30_000);
    }

    @Test
    void misconfiguredSecurityStopsTheNodeWithALineNamingTheSetting() {
        // Kafka's default mechanism is GSSAPI, which Herald does not serve.
        assertThatThrownBy(() -> parse("listeners", "SASL_PLAINTEXT://127.0.0.1:0"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("sasl.enabled.mechanisms")
                .hasMessageContaining("GSSAPI");
        assertThatThrownBy(() -> parse("listeners", "SASL_PLAINTEXT://127.0.0.1:0",
                "sasl.enabled.mechanisms", "PLAIN"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("listener.name.sasl_plaintext.plain.sasl.jaas.config");
        assertThatThrownBy(() -> parse("listeners", "SASL_PLAINTEXT://127.0.0.1:0",
                "sasl.enabled.mechanisms", "PLAIN", "listener.name.sasl_plaintext.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"x\""))
                .isInstanceOf(ConfigException.class).hasMessageContaining("';'");
        assertThatThrownBy(() -> parse("listeners", "SSL://127.0.0.1:0", "ssl.keystore.type", "PKCS12",
                "ssl.keystore.location", broker.keystore().toString(), "ssl.keystore.password", "wrong"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("listener SSL")
                .hasMessageContaining("ssl.keystore");
        assertThatThrownBy(() -> parse("listeners", "SSL://127.0.0.1:0", "ssl.keystore.type", "PKCS12",
                "ssl.keystore.location", broker.keystore().toString(), "ssl.keystore.password",
                TestCertificates.PASSWORD, "ssl.client.auth", "sometimes"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ssl.client.auth");
        assertThatThrownBy(() -> parse("listeners", "SSL://127.0.0.1:0", "ssl.keystore.type", "PEM",
                "ssl.keystore.location", broker.keystore().toString()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PEM");
        assertThatThrownBy(() -> parse("listeners", "PLAINTEXT://127.0.0.1:0", "listener.security.protocol.map",
                "PLAINTEXT:KERBEROS"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KERBEROS");
    }

    @Test
    void inAClusterTheControllerListenerIsPlaintext() {
        String voters = "1@127.0.0.1:19093";
        assertThatThrownBy(() -> parse("node.id", "1", "controller.quorum.voters", voters,
                "listeners", "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093",
                "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:SASL_PLAINTEXT",
                "sasl.enabled.mechanisms", "SCRAM-SHA-256"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("controller listener");
    }

    @Test
    void brokersAuthenticateToTheInterBrokerListenerWithItsMechanismAndJaasCredentials() {
        String[] cluster = {"node.id", "1", "controller.quorum.voters", "1@127.0.0.1:19093",
            "listeners", "SASL_SSL://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093",
            "ssl.keystore.type", "PKCS12", "ssl.keystore.location", broker.keystore().toString(),
            "ssl.keystore.password", TestCertificates.PASSWORD, "ssl.truststore.type", "PKCS12",
            "ssl.truststore.location", dir.resolve("pki/truststore.p12").toString(),
            "ssl.truststore.password", TestCertificates.PASSWORD, "sasl.enabled.mechanisms", "PLAIN",
            "listener.name.sasl_ssl.plain.sasl.jaas.config", PLAIN_JAAS};

        HeraldConfig config = parse(with(cluster, "sasl.mechanism.inter.broker.protocol", "PLAIN"));
        assertThat(config.interBrokerSecurity().tls()).isPresent();
        assertThat(config.interBrokerSecurity().verifyHostname()).isTrue();
        assertThat(config.interBrokerSecurity().sasl()).hasValueSatisfying(c -> {
            assertThat(c.mechanism()).isEqualTo("PLAIN");
            assertThat(c.username()).isEqualTo("admin");
            assertThat(c.password()).isEqualTo("admin-secret");
        });
        // Kafka's default inter-broker mechanism, GSSAPI, is not enabled on the listener.
        assertThatThrownBy(() -> parse(cluster)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("sasl.mechanism.inter.broker.protocol");
        assertThatThrownBy(() -> parse(with(with(cluster, "sasl.mechanism.inter.broker.protocol", "PLAIN"),
                "listener.name.sasl_ssl.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required user_admin=\"x\";")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("username and password");
        assertThat(parse().interBrokerSecurity().tls()).isEmpty();
    }

    private static String[] with(String[] pairs, String key, String value) {
        String[] more = java.util.Arrays.copyOf(pairs, pairs.length + 2);
        more[pairs.length] = key;
        more[pairs.length + 1] = value;
        return more;
    }

    @Test
    void pemKeyMaterialWorksAsAFileOrInline() throws Exception {
        String chain = java.nio.file.Files.readString(broker.certificatePem());
        String key = java.nio.file.Files.readString(broker.keyPem());
        HeraldConfig inline = parse("listeners", "SSL://127.0.0.1:0", "ssl.keystore.type", "PEM",
                "ssl.keystore.certificate.chain", chain, "ssl.keystore.key", key);
        assertThat(security(inline, "SSL").tls()).isPresent();
        Path both = dir.resolve("broker-both.pem");
        java.nio.file.Files.writeString(both, key + chain);
        HeraldConfig file = parse("listeners", "SSL://127.0.0.1:0", "ssl.keystore.type", "PEM",
                "ssl.keystore.location", both.toString());
        assertThat(security(file, "SSL").tls()).isPresent();
    }

    @Test
    void passwordsAreSensitiveAndNotShownAmongTheEffectiveValues() {
        HeraldConfig config = parse("listeners", "SSL://127.0.0.1:0", "ssl.keystore.type", "PKCS12",
                "ssl.keystore.location", broker.keystore().toString(), "ssl.keystore.password",
                TestCertificates.PASSWORD);
        assertThat(config.isSensitive("ssl.keystore.password")).isTrue();
        assertThat(config.isSensitive("ssl.keystore.location")).isFalse();
        assertThat(config.effectiveValues().get("ssl.keystore.password")).doesNotContain(TestCertificates.PASSWORD);
    }

    @Test
    void connectionLimitsAreReadWithOverridesAndTheInterBrokerListenerExempt() throws Exception {
        HeraldConfig config = parse("listeners", "INTERNAL://127.0.0.1:0,EXTERNAL://127.0.0.1:0",
                "listener.security.protocol.map", "INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT",
                "inter.broker.listener.name", "INTERNAL", "max.connections", "500", "max.connections.per.ip", "20",
                "max.connections.per.ip.overrides", "127.0.0.2:5, localhost:0",
                "listener.name.external.max.connections", "100");

        io.herald.protocol.ConnectionLimits limits = config.network().connectionLimits();
        assertThat(limits.perListener()).containsExactly(Map.entry("EXTERNAL", 100));
        assertThat(limits.limitOf("INTERNAL")).isEqualTo(Integer.MAX_VALUE);
        assertThat(limits.maxConnections()).isEqualTo(500);
        assertThat(limits.limitFor(java.net.InetAddress.getByName("127.0.0.2"))).isEqualTo(5);
        assertThat(limits.limitFor(java.net.InetAddress.getByName("localhost"))).isZero();
        assertThat(limits.limitFor(java.net.InetAddress.getByName("127.0.0.3"))).isEqualTo(20);
        assertThat(limits.exemptListeners()).containsExactly("INTERNAL");
        assertThat(parse().network().connectionLimits().maxPerIp()).isEqualTo(Integer.MAX_VALUE);

        assertThatThrownBy(() -> parse("max.connections.per.ip.overrides", "127.0.0.1").network())
                .isInstanceOf(ConfigException.class).hasMessageContaining("max.connections.per.ip.overrides");
        assertThatThrownBy(() -> parse("max.connections.per.ip", "0").network())
                .isInstanceOf(ConfigException.class).hasMessageContaining("max.connections.per.ip");
        assertThatThrownBy(() -> parse("listener.name.plaintext.max.connections", "-1").network())
                .isInstanceOf(ConfigException.class).hasMessageContaining("listener.name.plaintext.max.connections");
    }

    @Test
    void connectionCreationRatesAreReadPerListenerAndMeasuredOverTheQuotaWindows() {
        HeraldConfig config = parse("listeners", "INTERNAL://127.0.0.1:0,EXTERNAL://127.0.0.1:0",
                "listener.security.protocol.map", "INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT",
                "max.connection.creation.rate", "50", "listener.name.external.max.connection.creation.rate", "5",
                "quota.window.num", "4", "quota.window.size.seconds", "2");
        io.herald.protocol.ConnectionLimits.CreationRates rates = config.network().connectionLimits().creationRates();
        assertThat(rates.maxRate()).isEqualTo(50);
        assertThat(rates.of("EXTERNAL")).isEqualTo(5);
        assertThat(rates.of("INTERNAL")).isEqualTo(Integer.MAX_VALUE);
        assertThat(rates.samples()).isEqualTo(4);
        assertThat(rates.windowMs()).isEqualTo(2000);
        assertThat(parse().network().connectionLimits().creationRates().maxRate()).isEqualTo(Integer.MAX_VALUE);
        assertThatThrownBy(() -> parse("listener.name.plaintext.max.connection.creation.rate", "x").network())
                .isInstanceOf(ConfigException.class).hasMessageContaining("max.connection.creation.rate");
    }

    @Test
    void jaasConfigsParseQuotedAndBareValues() {
        JaasConfig jaas = JaasConfig.parse(PLAIN_JAAS);
        assertThat(jaas.loginModule()).isEqualTo("org.apache.kafka.common.security.plain.PlainLoginModule");
        assertThat(jaas.plainUsers()).containsExactly(Map.entry("admin", "admin-secret"),
                Map.entry("alice", "alice \"q\""));
        assertThat(JaasConfig.parse("M optional a=b;").option("a")).contains("b");
        for (String bad : new String[] {"", "M", "M always;", "M required a;", "M required a=\"b;", "M required a=b",
                "M required; N required;"}) {
            assertThatThrownBy(() -> JaasConfig.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void oauthBearerIsServedWithKafkasValidatorsAndOtherHandlerClassesAreRefused() throws Exception {
        HeraldConfig unsecured = parse("listeners", "SASL_PLAINTEXT://127.0.0.1:0",
                "sasl.enabled.mechanisms", "OAUTHBEARER,PLAIN",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config", PLAIN_JAAS);
        assertThat(security(unsecured, "SASL_PLAINTEXT").sasl().orElseThrow().names())
                .containsExactly("OAUTHBEARER", "PLAIN");

        Path jwks = dir.resolve("jwks.json");
        java.nio.file.Files.writeString(jwks, "{\"keys\":[]}");
        String handler = "listener.name.sasl_plaintext.oauthbearer.sasl.server.callback.handler.class";
        HeraldConfig signed = parse("listeners", "SASL_PLAINTEXT://127.0.0.1:0",
                "sasl.enabled.mechanisms", "OAUTHBEARER", handler,
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler",
                "listener.name.sasl_plaintext.sasl.oauthbearer.jwks.endpoint.url", jwks.toUri().toString());
        assertThat(security(signed, "SASL_PLAINTEXT").sasl().orElseThrow().names()).containsExactly("OAUTHBEARER");

        assertThatThrownBy(() -> parse("listeners", "SASL_PLAINTEXT://127.0.0.1:0",
                "sasl.enabled.mechanisms", "OAUTHBEARER", handler, "com.example.MyHandler"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("loads no callback handler classes");
        assertThatThrownBy(() -> parse("listeners", "SASL_PLAINTEXT://127.0.0.1:0",
                "sasl.enabled.mechanisms", "OAUTHBEARER", handler,
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("sasl.oauthbearer.jwks.endpoint.url");
        assertThatThrownBy(() -> parse("listeners", "SASL_PLAINTEXT://127.0.0.1:0",
                "sasl.enabled.mechanisms", "OAUTHBEARER", handler,
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler",
                "sasl.oauthbearer.jwks.endpoint.url", dir.resolve("absent.json").toUri().toString()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("absent.json");
    }
}

