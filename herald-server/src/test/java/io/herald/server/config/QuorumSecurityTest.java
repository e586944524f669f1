package io.herald.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.security.TestCertificates;
import io.herald.metadata.quorum.raft.QuorumTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The controller quorum's transport security from the controller listener's configs, and its refusals. */
class QuorumSecurityTest {
    private static final String VOTERS = "1@127.0.0.1:19093,2@127.0.0.1:29093,3@127.0.0.1:39093";

    @TempDir
    static Path dir;
    private static TestCertificates pki;
    private static TestCertificates.Identity controller;

    @BeforeAll
    static void pki() {
        pki = TestCertificates.create(dir.resolve("pki"));
        controller = pki.server("controller");
    }

    private static HeraldConfig node(String roles, String... extra) {
        Map<String, String> props = new HashMap<>(Map.of(
                "node.id", roles.contains("controller") ? "1" : "4",
                "process.roles", roles,
                "listeners", roles.equals("broker") ? "PLAINTEXT://127.0.0.1:49092"
                        : "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093",
                "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:SSL",
                "controller.quorum.voters", VOTERS));
        for (int i = 0; i < extra.length; i += 2) {
            props.put(extra[i], extra[i + 1]);
        }
        return HeraldConfig.parse(props);
    }

    private static String[] keystore(String... more) {
        String[] base = {"listener.name.controller.ssl.keystore.type", "PKCS12",
                "listener.name.controller.ssl.keystore.location", controller.keystore().toString(),
                "listener.name.controller.ssl.keystore.password", TestCertificates.PASSWORD,
                "listener.name.controller.ssl.truststore.type", "PKCS12",
                "listener.name.controller.ssl.truststore.location", pki.truststore().toString(),
                "listener.name.controller.ssl.truststore.password", TestCertificates.PASSWORD};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void aPlaintextControllerListenerAndASingleNodeHaveNoQuorumTls() {
        assertThat(HeraldConfig.parse(Map.of()).quorumTls()).isEmpty();
        HeraldConfig plaintext = node("broker,controller", "listener.security.protocol.map",
                "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        assertThat(plaintext.node().controllerSecurityProtocol()).isEqualTo(SecurityProtocol.PLAINTEXT);
        assertThat(plaintext.quorumTls()).isEmpty();
    }

    @Test
    void anSslControllerListenerWithClientAuthRequiredIsMutualTls() {
        HeraldConfig config = node("broker,controller", keystore("listener.name.controller.ssl.client.auth",
                "required"));
        QuorumTls tls = config.quorumTls().orElseThrow();
        assertThat(tls.mutual()).isTrue();
        assertThat(tls.keyManagers()).isPresent();
        assertThat(tls.admitsPeer().test("CN=anyone")).as("no authorizer: any trusted peer").isTrue();
        assertThat(node("broker,controller", keystore()).quorumTls().orElseThrow().mutual()).isFalse();
    }

    @Test
    void aBrokerOnlyNodeReachesTheVotersWithTheControllerListenersProtocol() {
        HeraldConfig broker = node("broker", "listener.name.controller.ssl.truststore.type", "PKCS12",
                "listener.name.controller.ssl.truststore.location", pki.truststore().toString(),
                "listener.name.controller.ssl.truststore.password", TestCertificates.PASSWORD);
        assertThat(broker.node().controllerSecurityProtocol()).isEqualTo(SecurityProtocol.SSL);
        QuorumTls tls = broker.quorumTls().orElseThrow();
        assertThat(tls.keyManagers()).as("a client needs no certificate without mutual TLS").isEmpty();
        assertThat(tls.mutual()).isFalse();
        assertThatThrownBy(() -> node("broker", "listener.name.controller.ssl.client.auth", "required"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("controller listener CONTROLLER")
                .hasMessageContaining("every node presents a certificate");
    }

    @Test
    void withAnAuthorizerOnlySuperUsersMappedFromTheSubjectAreAdmitted() {
        QuorumTls tls = node("broker,controller", keystore("listener.name.controller.ssl.client.auth", "required",
                "authorizer.class.name", AuthorizerConfig.KAFKA_STANDARD_AUTHORIZER,
                "super.users", "User:admin;User:controller",
                "listener.name.controller.ssl.principal.mapping.rules",
                "RULE:^CN=([a-z]+),OU=quorum,.*$/$1/,DEFAULT")).quorumTls().orElseThrow();
        assertThat(tls.admitsPeer().test("CN=controller,OU=quorum,O=Herald Test")).isTrue();
        assertThat(tls.admitsPeer().test("CN=alice,OU=quorum,O=Herald Test")).isFalse();
        assertThat(tls.admitsPeer().test("CN=controller,OU=clients,O=Herald Test"))
                .as("DEFAULT maps it to the whole subject, not a super user").isFalse();
    }

    @Test
    void pemKeyMaterialWorksAsForAnyListener() throws Exception {
        HeraldConfig config = node("broker,controller",
                "listener.name.controller.ssl.keystore.type", "PEM",
                "listener.name.controller.ssl.keystore.certificate.chain", Files.readString(controller.certificatePem()),
                "listener.name.controller.ssl.keystore.key", Files.readString(controller.keyPem()),
                "listener.name.controller.ssl.truststore.type", "PEM",
                "listener.name.controller.ssl.truststore.location", pki.caPem().toString(),
                "listener.name.controller.ssl.client.auth", "required");
        QuorumTls tls = config.quorumTls().orElseThrow();
        assertThat(tls.keyManagers()).isPresent();
        assertThat(tls.trustManager().getAcceptedIssuers()).hasSize(1);
    }

    @Test
    void aControllerWithoutKeyStoreOrWithSaslIsRefusedWithTheReason() {
        assertThatThrownBy(() -> node("broker,controller"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("controller listener CONTROLLER")
                .hasMessageContaining("ssl.keystore.location");
        assertThatThrownBy(() -> node("broker,controller", keystore("listener.name.controller.ssl.keystore.password",
                "wrong")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("controller listener CONTROLLER");
        assertThatThrownBy(() -> node("broker", "listener.security.protocol.map",
                "PLAINTEXT:PLAINTEXT,CONTROLLER:SASL_SSL"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ssl.client.auth=required");
        assertThatThrownBy(() -> node("broker", "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("the controller listener CONTROLLER");
    }
}
