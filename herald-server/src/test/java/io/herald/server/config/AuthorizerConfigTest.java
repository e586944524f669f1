package io.herald.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.metadata.authz.AclAuthorizer;
import io.herald.metadata.authz.AclAuthorizer.AclIndex;
import io.herald.metadata.authz.Authorizer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code authorizer.class.name}, {@code super.users} and {@code allow.everyone.if.no.acl.found}, as Kafka's. */
class AuthorizerConfigTest {
    @TempDir
    Path dir;

    private HeraldConfig parse(Map<String, String> overrides) {
        Map<String, String> props = new HashMap<>(Map.of("listeners", "PLAINTEXT://127.0.0.1:0",
                "log.dirs", dir.toString()));
        props.putAll(overrides);
        return HeraldConfig.parse(props);
    }

    @Test
    void noAuthorizerByDefaultAllowsEverything() {
        AuthorizerConfig config = parse(Map.of()).authorizerConfig();

        assertThat(config).isEqualTo(AuthorizerConfig.defaults());
        assertThat(config.enabled()).isFalse();
        assertThat(config.superUsers()).isEmpty();
        assertThat(config.allowEveryoneIfNoAclFound()).isFalse();
        assertThat(config.authorizer(() -> AclIndex.EMPTY)).isSameAs(Authorizer.ALLOW_ALL);
    }

    @Test
    void kafkasStandardAuthorizerAndHeraldsOwnNameEnableTheAclAuthorizer() {
        assertThat(AuthorizerConfig.HERALD_ACL_AUTHORIZER).isEqualTo(AclAuthorizer.class.getName());
        for (String name : new String[] {AuthorizerConfig.KAFKA_STANDARD_AUTHORIZER,
                AuthorizerConfig.HERALD_ACL_AUTHORIZER}) {
            AuthorizerConfig config = parse(Map.of("authorizer.class.name", name)).authorizerConfig();
            assertThat(config.enabled()).isTrue();
            Authorizer authorizer = config.authorizer(() -> AclIndex.EMPTY);
            assertThat(authorizer).isInstanceOf(AclAuthorizer.class);
            // No binding and allow.everyone.if.no.acl.found=false: denied, as by Kafka's StandardAuthorizer.
            assertThat(authorizer.authorize(KafkaPrincipal.ANONYMOUS, "h", AclOperation.DESCRIBE,
                    ResourceType.CLUSTER, "kafka-cluster")).isFalse();
        }
    }

    @Test
    void superUsersAreSemicolonSeparatedPrincipalsAndAllowEveryoneOpensResourcesWithoutAcls() {
        AuthorizerConfig config = parse(Map.of("authorizer.class.name", AuthorizerConfig.KAFKA_STANDARD_AUTHORIZER,
                "super.users", " User:admin ;;User:broker;", "allow.everyone.if.no.acl.found", "true"))
                .authorizerConfig();

        assertThat(config.superUsers()).containsExactly(new KafkaPrincipal("User", "admin"),
                new KafkaPrincipal("User", "broker"));
        assertThat(config.allowEveryoneIfNoAclFound()).isTrue();
        assertThat(config.authorizer(() -> AclIndex.EMPTY).authorize(new KafkaPrincipal("User", "x"), "h",
                AclOperation.ALTER, ResourceType.CLUSTER, "kafka-cluster")).isTrue();
    }

    @Test
    void anotherAuthorizerClassIsAConfigErrorNamingTheAcceptedOnes() {
        assertThatThrownBy(() -> parse(Map.of("authorizer.class.name", "com.example.MyAuthorizer")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("authorizer.class.name")
                .hasMessageContaining("com.example.MyAuthorizer")
                .hasMessageContaining(AuthorizerConfig.KAFKA_STANDARD_AUTHORIZER)
                .hasMessageContaining(AuthorizerConfig.HERALD_ACL_AUTHORIZER);
    }

    @Test
    void aSuperUserWithoutAPrincipalTypeIsAConfigError() {
        assertThatThrownBy(() -> parse(Map.of("super.users", "User:admin;broker")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("super.users")
                .hasMessageContaining("broker");
    }
}
