package io.herald.metadata.authz;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.metadata.authz.AclAuthorizer.AclIndex;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.Test;

/** StandardAuthorizer's rules, one at a time. */
class AclAuthorizerTest {
    private static final KafkaPrincipal ALICE = new KafkaPrincipal("User", "alice");
    private static final KafkaPrincipal BOB = new KafkaPrincipal("User", "bob");
    private static final KafkaPrincipal ADMIN = new KafkaPrincipal("User", "admin");

    private static AclBinding acl(ResourceType type, String name, PatternType pattern, String principal,
                                  String host, AclOperation operation, AclPermissionType permission) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry(principal, host, operation, permission));
    }

    private static AclBinding allowTopic(String name, PatternType pattern, String principal, AclOperation op) {
        return acl(ResourceType.TOPIC, name, pattern, principal, "*", op, AclPermissionType.ALLOW);
    }

    private static AclAuthorizer authorizer(boolean allowIfNoAcl, AclBinding... bindings) {
        AclIndex index = new AclIndex(List.of(bindings));
        return new AclAuthorizer(() -> index, Set.of(ADMIN), allowIfNoAcl);
    }

    private static boolean topic(Authorizer authorizer, KafkaPrincipal principal, AclOperation op, String name) {
        return authorizer.authorize(principal, "10.0.0.1", op, ResourceType.TOPIC, name);
    }

    @Test
    void literalWildcardAndPrefixedBindingsApply() {
        Authorizer authorizer = authorizer(false,
                allowTopic("orders", PatternType.LITERAL, "User:alice", AclOperation.READ),
                allowTopic("*", PatternType.LITERAL, "User:bob", AclOperation.WRITE),
                allowTopic("logs-", PatternType.PREFIXED, "User:alice", AclOperation.WRITE));

        assertThat(topic(authorizer, ALICE, AclOperation.READ, "orders")).isTrue();
        assertThat(topic(authorizer, ALICE, AclOperation.WRITE, "orders")).isFalse();
        assertThat(topic(authorizer, BOB, AclOperation.WRITE, "anything")).isTrue();
        assertThat(topic(authorizer, ALICE, AclOperation.WRITE, "logs-app")).isTrue();
        assertThat(topic(authorizer, ALICE, AclOperation.WRITE, "log")).isFalse();
    }

    @Test
    void denyWinsAndOnlyForItsOperationOrAll() {
        Authorizer authorizer = authorizer(false,
                allowTopic("*", PatternType.LITERAL, "User:*", AclOperation.ALL),
                acl(ResourceType.TOPIC, "secret", PatternType.LITERAL, "User:bob", "*", AclOperation.READ,
                        AclPermissionType.DENY),
                acl(ResourceType.TOPIC, "locked-", PatternType.PREFIXED, "User:*", "*", AclOperation.ALL,
                        AclPermissionType.DENY));

        assertThat(topic(authorizer, BOB, AclOperation.READ, "secret")).isFalse();
        assertThat(topic(authorizer, BOB, AclOperation.DESCRIBE, "secret")).isTrue();
        assertThat(topic(authorizer, ALICE, AclOperation.READ, "secret")).isTrue();
        assertThat(topic(authorizer, ALICE, AclOperation.DESCRIBE, "locked-x")).isFalse();
        // Super users are never denied.
        assertThat(topic(authorizer, ADMIN, AclOperation.READ, "locked-x")).isTrue();
    }

    @Test
    void operationsImplyDescribeAndAlterConfigsImpliesDescribeConfigs() {
        for (AclOperation granted : List.of(AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE,
                AclOperation.ALTER)) {
            assertThat(topic(authorizer(false, allowTopic("t", PatternType.LITERAL, "User:alice", granted)), ALICE,
                    AclOperation.DESCRIBE, "t")).as(granted.toString()).isTrue();
        }
        assertThat(topic(authorizer(false, allowTopic("t", PatternType.LITERAL, "User:alice",
                AclOperation.ALTER_CONFIGS)), ALICE, AclOperation.DESCRIBE_CONFIGS, "t")).isTrue();
        assertThat(topic(authorizer(false, allowTopic("t", PatternType.LITERAL, "User:alice",
                AclOperation.DESCRIBE)), ALICE, AclOperation.READ, "t")).isFalse();
    }

    @Test
    void hostsMustMatchUnlessTheBindingSaysAnyHost() {
        Authorizer authorizer = authorizer(false, acl(ResourceType.TOPIC, "t", PatternType.LITERAL, "User:alice",
                "10.0.0.1", AclOperation.READ, AclPermissionType.ALLOW));
        assertThat(authorizer.authorize(ALICE, "10.0.0.1", AclOperation.READ, ResourceType.TOPIC, "t")).isTrue();
        assertThat(authorizer.authorize(ALICE, "10.0.0.2", AclOperation.READ, ResourceType.TOPIC, "t")).isFalse();
    }

    @Test
    void withoutAnyBindingForTheResourceAllowEveryoneIfNoAclFoundDecides() {
        AclBinding other = allowTopic("other", PatternType.LITERAL, "User:bob", AclOperation.READ);
        assertThat(topic(authorizer(false, other), ALICE, AclOperation.READ, "t")).isFalse();
        assertThat(topic(authorizer(true, other), ALICE, AclOperation.READ, "t")).isTrue();
        // A binding for the resource, even another principal's, means the flag no longer applies.
        assertThat(topic(authorizer(true, other), ALICE, AclOperation.READ, "other")).isFalse();
    }

    @Test
    void authorizeAnyNeedsAnAllowNotCoveredByADeny() {
        Authorizer authorizer = authorizer(false,
                allowTopic("a", PatternType.LITERAL, "User:alice", AclOperation.WRITE),
                allowTopic("b-", PatternType.PREFIXED, "User:bob", AclOperation.WRITE),
                acl(ResourceType.TOPIC, "b", PatternType.PREFIXED, "User:bob", "*", AclOperation.WRITE,
                        AclPermissionType.DENY));

        assertThat(authorizer.authorizeAny(ALICE, "h", AclOperation.WRITE, ResourceType.TOPIC)).isTrue();
        assertThat(authorizer.authorizeAny(BOB, "h", AclOperation.WRITE, ResourceType.TOPIC)).isFalse();
        assertThat(authorizer.authorizeAny(ALICE, "h", AclOperation.READ, ResourceType.TOPIC)).isFalse();
        assertThat(authorizer.authorizeAny(ADMIN, "h", AclOperation.READ, ResourceType.TOPIC)).isTrue();
    }

    @Test
    void onlyTheUserWildcardMatchesEveryPrincipal() {
        KafkaPrincipal devs = new KafkaPrincipal("Group", "devs");
        // Kafka's StandardAuthorizer matches an ACL's principal against the request's and User:* only.
        assertThat(authorizer(false, allowTopic("t", PatternType.LITERAL, "User:*", AclOperation.READ))
                .authorize(devs, "h", AclOperation.READ, ResourceType.TOPIC, "t")).isTrue();
        assertThat(authorizer(false, allowTopic("t", PatternType.LITERAL, "Group:*", AclOperation.READ))
                .authorize(devs, "h", AclOperation.READ, ResourceType.TOPIC, "t")).isFalse();
        assertThat(authorizer(false, allowTopic("t", PatternType.LITERAL, "Group:devs", AclOperation.READ))
                .authorize(devs, "h", AclOperation.READ, ResourceType.TOPIC, "t")).isTrue();
    }

    @Test
    void authorizeAnyAllowsEveryoneWhenNoBindingAppliesToAnUnlistedResource() {
        // Kafka's authorizeByResourceType first authorizes a resource named "hardcode": with
        // allow.everyone.if.no.acl.found, bindings for other resources do not take that away.
        Authorizer authorizer = authorizer(true, acl(ResourceType.TOPIC, "secret", PatternType.LITERAL, "User:bob",
                "*", AclOperation.WRITE, AclPermissionType.DENY));
        assertThat(authorizer.authorizeAny(ALICE, "h", AclOperation.WRITE, ResourceType.TOPIC)).isTrue();

        Authorizer wildcard = authorizer(true, allowTopic("*", PatternType.LITERAL, "User:bob", AclOperation.WRITE));
        assertThat(wildcard.authorizeAny(ALICE, "h", AclOperation.WRITE, ResourceType.TOPIC)).isFalse();
        assertThat(wildcard.authorizeAny(BOB, "h", AclOperation.WRITE, ResourceType.TOPIC)).isTrue();
    }

    @Test
    void authorizeAnyNeedsTheOperationItselfOutsideTheWildcard() {
        // Beyond the "hardcode" resource, Kafka's authorizeByResourceType counts only ALLOWs of the operation or ALL.
        Authorizer prefixed = authorizer(false, allowTopic("logs-", PatternType.PREFIXED, "User:alice",
                AclOperation.READ));
        assertThat(prefixed.authorizeAny(ALICE, "h", AclOperation.READ, ResourceType.TOPIC)).isTrue();
        assertThat(prefixed.authorizeAny(ALICE, "h", AclOperation.DESCRIBE, ResourceType.TOPIC)).isFalse();

        Authorizer wildcard = authorizer(false, allowTopic("*", PatternType.LITERAL, "User:alice", AclOperation.READ));
        assertThat(wildcard.authorizeAny(ALICE, "h", AclOperation.DESCRIBE, ResourceType.TOPIC)).isTrue();
    }

    @Test
    void authorizeAnyIsDeniedByAWildcardDenyAndByADominatingPrefixDeny() {
        Authorizer wildcardDeny = authorizer(false,
                allowTopic("*", PatternType.LITERAL, "User:alice", AclOperation.WRITE),
                acl(ResourceType.TOPIC, "*", PatternType.LITERAL, "User:alice", "*", AclOperation.ALL,
                        AclPermissionType.DENY));
        assertThat(wildcardDeny.authorizeAny(ALICE, "h", AclOperation.WRITE, ResourceType.TOPIC)).isFalse();

        Authorizer literalUnderPrefix = authorizer(false,
                allowTopic("abc", PatternType.LITERAL, "User:alice", AclOperation.WRITE),
                allowTopic("xy", PatternType.PREFIXED, "User:alice", AclOperation.WRITE),
                acl(ResourceType.TOPIC, "ab", PatternType.PREFIXED, "User:alice", "*", AclOperation.WRITE,
                        AclPermissionType.DENY),
                acl(ResourceType.TOPIC, "xy", PatternType.LITERAL, "User:alice", "*", AclOperation.WRITE,
                        AclPermissionType.DENY));
        // "abc" is dominated by the prefix deny "ab"; the prefix allow "xy" is not dominated by a literal deny.
        assertThat(literalUnderPrefix.authorizeAny(ALICE, "h", AclOperation.WRITE, ResourceType.TOPIC)).isTrue();
        assertThat(authorizer(false,
                allowTopic("abc", PatternType.LITERAL, "User:alice", AclOperation.WRITE),
                acl(ResourceType.TOPIC, "ab", PatternType.PREFIXED, "User:alice", "*", AclOperation.WRITE,
                        AclPermissionType.DENY)).authorizeAny(ALICE, "h", AclOperation.WRITE, ResourceType.TOPIC))
                .isFalse();
    }
}
