package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.security.TestCertificates;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateAclsResult;
import org.apache.kafka.clients.admin.DeleteAclsResult;
import org.apache.kafka.clients.admin.DeleteAclsResult.FilterResult;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kafka-clients' Admin {@code createAcls}, {@code describeAcls} and {@code deleteAcls} against a broker with Kafka's
 * {@code authorizer.class.name}: LITERAL and PREFIXED bindings, filters, what a deletion reports, Kafka 4.3's
 * refusals as the Java client surfaces them, the bindings' durability in the metadata log across a restart, a broker
 * without an authorizer (SECURITY_DISABLED), and cluster authorization of SASL users ({@code super.users}, a granted
 * DESCRIBE), for the SCRAM credential APIs too.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AclsTest {
    private static final int T = 20;
    private static final String STANDARD_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";

    private static final AclBinding ALICE_READS_ORDERS = new AclBinding(
            new ResourcePattern(ResourceType.TOPIC, "orders", PatternType.LITERAL),
            new AccessControlEntry("User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW));
    private static final AclBinding ALICE_WRITES_LOGS = new AclBinding(
            new ResourcePattern(ResourceType.TOPIC, "logs-", PatternType.PREFIXED),
            new AccessControlEntry("User:alice", "*", AclOperation.WRITE, AclPermissionType.ALLOW));
    private static final AclBinding BOB_DENIED_GROUP = new AclBinding(
            new ResourcePattern(ResourceType.GROUP, "payments", PatternType.LITERAL),
            new AccessControlEntry("User:bob", "10.0.0.1", AclOperation.READ, AclPermissionType.DENY));

    @TempDir
    Path dir;

    private static AclBindingFilter topicFilter(String name, PatternType pattern) {
        return new AclBindingFilter(new ResourcePatternFilter(ResourceType.TOPIC, name, pattern),
                AccessControlEntryFilter.ANY);
    }

    private static AclBindingFilter principalFilter(String principal) {
        return new AclBindingFilter(ResourcePatternFilter.ANY,
                new AccessControlEntryFilter(principal, null, AclOperation.ANY, AclPermissionType.ANY));
    }

    private static Collection<AclBinding> describe(Admin admin, AclBindingFilter filter) throws Exception {
        return admin.describeAcls(filter).values().get(T, TimeUnit.SECONDS);
    }

    /** The cause a failed future completes with. */
    private static Throwable failure(KafkaFuture<?> future) throws Exception {
        try {
            future.get(T, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("the future succeeded");
    }

    private static TestBroker withAuthorizer(Path dir) throws Exception {
        // allow.everyone.if.no.acl.found: the anonymous PLAINTEXT client may administer while no ACL names the
        // cluster, as against Kafka with the same settings.
        return TestBroker.start(dir, Map.of("authorizer.class.name", STANDARD_AUTHORIZER,
                "allow.everyone.if.no.acl.found", "true"));
    }

    @Test
    void bindingsAreCreatedDescribedByFiltersDeletedAndSurviveARestart() throws Exception {
        try (TestBroker broker = withAuthorizer(dir)) {
            Admin admin = broker.admin();
            admin.createAcls(List.of(ALICE_READS_ORDERS, ALICE_WRITES_LOGS, BOB_DENIED_GROUP)).all()
                    .get(T, TimeUnit.SECONDS);
            // Creating what exists succeeds and changes nothing.
            admin.createAcls(List.of(ALICE_READS_ORDERS)).all().get(T, TimeUnit.SECONDS);

            assertThat(describe(admin, AclBindingFilter.ANY))
                    .containsExactlyInAnyOrder(ALICE_READS_ORDERS, ALICE_WRITES_LOGS, BOB_DENIED_GROUP);
            assertThat(describe(admin, topicFilter("orders", PatternType.LITERAL)))
                    .containsExactly(ALICE_READS_ORDERS);
            // MATCH: every binding that applies to a topic named logs-app, the PREFIXED one here.
            assertThat(describe(admin, topicFilter("logs-app", PatternType.MATCH))).containsExactly(ALICE_WRITES_LOGS);
            assertThat(describe(admin, principalFilter("User:alice")))
                    .containsExactlyInAnyOrder(ALICE_READS_ORDERS, ALICE_WRITES_LOGS);
            assertThat(describe(admin, new AclBindingFilter(ResourcePatternFilter.ANY, new AccessControlEntryFilter(
                    null, "10.0.0.1", AclOperation.ANY, AclPermissionType.DENY)))).containsExactly(BOB_DENIED_GROUP);

            // Both filters match alice's READ on orders: both report it, and it is deleted once.
            AclBindingFilter alice = principalFilter("User:alice");
            AclBindingFilter orders = topicFilter("orders", PatternType.ANY);
            DeleteAclsResult deleted = admin.deleteAcls(List.of(alice, orders));
            assertThat(deleted.values().get(alice).get(T, TimeUnit.SECONDS).values())
                    .extracting(FilterResult::binding)
                    .containsExactlyInAnyOrder(ALICE_READS_ORDERS, ALICE_WRITES_LOGS);
            assertThat(deleted.values().get(orders).get(T, TimeUnit.SECONDS).values())
                    .extracting(FilterResult::binding).containsExactly(ALICE_READS_ORDERS);
            // The client's all() concatenates the filters' results, as against Kafka.
            assertThat(deleted.all().get(T, TimeUnit.SECONDS))
                    .containsExactlyInAnyOrder(ALICE_READS_ORDERS, ALICE_WRITES_LOGS, ALICE_READS_ORDERS);
            assertThat(describe(admin, AclBindingFilter.ANY)).containsExactly(BOB_DENIED_GROUP);

            broker.restart();

            assertThat(describe(broker.admin(), AclBindingFilter.ANY)).containsExactly(BOB_DENIED_GROUP);
        }
    }

    @Test
    void invalidBindingsGetKafkasErrorsAndTheValidOnesOfTheRequestAreCreated() throws Exception {
        try (TestBroker broker = withAuthorizer(dir)) {
            Admin admin = broker.admin();
            AclBinding notTheCluster = new AclBinding(
                    new ResourcePattern(ResourceType.CLUSTER, "my-cluster", PatternType.LITERAL),
                    new AccessControlEntry("User:alice", "*", AclOperation.ALTER, AclPermissionType.ALLOW));
            AclBinding emptyName = new AclBinding(new ResourcePattern(ResourceType.TOPIC, "", PatternType.LITERAL),
                    new AccessControlEntry("User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW));
            AclBinding noPrincipalType = new AclBinding(
                    new ResourcePattern(ResourceType.TOPIC, "orders", PatternType.LITERAL),
                    new AccessControlEntry("alice", "*", AclOperation.READ, AclPermissionType.ALLOW));

            CreateAclsResult result = admin.createAcls(List.of(notTheCluster, emptyName, noPrincipalType,
                    ALICE_READS_ORDERS));

            assertThat(failure(result.values().get(notTheCluster))).isInstanceOf(InvalidRequestException.class)
                    .hasMessage("The only valid name for the CLUSTER resource is kafka-cluster");
            assertThat(failure(result.values().get(emptyName))).isInstanceOf(InvalidRequestException.class)
                    .hasMessage("Invalid empty resource name");
            assertThat(failure(result.values().get(noPrincipalType))).isInstanceOf(InvalidRequestException.class)
                    .hasMessage("Could not parse principal from `alice` (no colon is present separating the "
                            + "principal type from the principal name)");
            result.values().get(ALICE_READS_ORDERS).get(T, TimeUnit.SECONDS);
            assertThat(describe(admin, AclBindingFilter.ANY)).containsExactly(ALICE_READS_ORDERS);
        }
    }

    @Test
    void withoutAnAuthorizerTheAclApisAreSecurityDisabled() throws Exception {
        try (TestBroker broker = TestBroker.start(dir)) {
            Admin admin = broker.admin();

            assertThat(failure(admin.describeAcls(AclBindingFilter.ANY).values()))
                    .isInstanceOf(SecurityDisabledException.class)
                    .hasMessage("No Authorizer is configured on the broker");
            assertThat(failure(admin.createAcls(List.of(ALICE_READS_ORDERS)).all()))
                    .isInstanceOf(SecurityDisabledException.class).hasMessage("No Authorizer is configured.");
            assertThat(failure(admin.deleteAcls(List.of(AclBindingFilter.ANY)).all()))
                    .isInstanceOf(SecurityDisabledException.class).hasMessage("No Authorizer is configured.");
        }
    }

    @Test
    void onlySuperUsersAndGrantedPrincipalsMayUseTheClusterApis() throws Exception {
        TestCertificates pki = TestCertificates.create(dir.resolve("pki"));
        Map<String, String> props = new HashMap<>(Map.of(
                "listeners", "SASL_SSL://127.0.0.1:0",
                "ssl.keystore.type", "PKCS12",
                "ssl.keystore.location", pki.server("broker").keystore().toString(),
                "ssl.keystore.password", TestCertificates.PASSWORD,
                "sasl.enabled.mechanisms", "PLAIN",
                "listener.name.sasl_ssl.plain.sasl.jaas.config", "org.apache.kafka.common.security.plain"
                        + ".PlainLoginModule required user_admin=\"admin-secret\" user_bob=\"bob-secret\";",
                "authorizer.class.name", STANDARD_AUTHORIZER,
                "super.users", "User:admin"));
        try (TestBroker broker = TestBroker.start(dir.resolve("broker"), props)) {
            Admin admin = Admin.create(plain(broker, pki, "admin", "admin-secret"));
            Admin bob = Admin.create(plain(broker, pki, "bob", "bob-secret"));
            try (admin; bob) {
                assertThat(failure(bob.createAcls(List.of(ALICE_READS_ORDERS)).all()))
                        .isInstanceOf(ClusterAuthorizationException.class)
                        .hasMessageContaining("principal=User:bob").hasMessageEndingWith("needs ALTER permission.");
                assertThat(failure(bob.describeAcls(AclBindingFilter.ANY).values()))
                        .isInstanceOf(ClusterAuthorizationException.class);
                assertThat(failure(bob.describeUserScramCredentials().all()))
                        .isInstanceOf(ClusterAuthorizationException.class);

                // The super user may; it lets bob DESCRIBE the cluster, which is not ALTER.
                AclBinding bobDescribesCluster = new AclBinding(
                        new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL),
                        new AccessControlEntry("User:bob", "*", AclOperation.DESCRIBE, AclPermissionType.ALLOW));
                admin.createAcls(List.of(bobDescribesCluster)).all().get(T, TimeUnit.SECONDS);

                assertThat(describe(bob, AclBindingFilter.ANY)).containsExactly(bobDescribesCluster);
                assertThat(bob.describeUserScramCredentials().all().get(T, TimeUnit.SECONDS)).isEmpty();
                assertThat(failure(bob.deleteAcls(List.of(AclBindingFilter.ANY)).all()))
                        .isInstanceOf(ClusterAuthorizationException.class);
                assertThat(failure(bob.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("carol",
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192), "carol-secret"))).all()))
                        .isInstanceOf(ClusterAuthorizationException.class)
                        .hasMessageEndingWith("needs ALTER permission.");
                assertThat(admin.deleteAcls(List.of(AclBindingFilter.ANY)).all().get(T, TimeUnit.SECONDS))
                        .containsExactly(bobDescribesCluster);
            }
        }
    }

    private static Map<String, Object> plain(TestBroker broker, TestCertificates pki, String user, String password) {
        Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        config.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        config.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, pki.caPem().toString());
        config.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        config.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required "
                + "username=\"" + user + "\" password=\"" + password + "\";");
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        return config;
    }
}
