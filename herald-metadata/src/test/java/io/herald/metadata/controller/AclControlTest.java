package io.herald.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.metadata.api.AclAdmin;
import io.herald.metadata.authz.AclAuthorizer;
import io.herald.metadata.controller.ControllerCommand.CreateAcls;
import io.herald.metadata.controller.ControllerCommand.DeleteAcls;
import io.herald.metadata.controller.ControllerCommand.InitCluster;
import io.herald.metadata.controller.ControllerLogic.Decision;
import io.herald.metadata.controller.ControllerReply.AclResult;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.quorum.local.LocalMetadataQuorum;
import io.herald.metadata.record.MetadataRecord;
import io.herald.metadata.record.MetadataRecord.AccessControlEntryRecord;
import io.herald.metadata.record.MetadataRecord.RemoveAccessControlEntryRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CreateAcls and DeleteAcls decisions against Kafka 4.3.1's rules and messages (AclControlManager.validateNewAcl,
 * validateFilter, its idempotent creation and its per-filter deletion), and the bindings' durability in the image,
 * its authorization index, its snapshot and the metadata log.
 */
class AclControlTest {
    private static final AclResult OK = new AclResult(Errors.NONE.code(), "", List.of());

    @TempDir
    Path dir;

    private static AclBinding acl(ResourceType type, String name, PatternType pattern, String principal,
                                  String host, AclOperation operation, AclPermissionType permission) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry(principal, host, operation, permission));
    }

    private static AclBinding allowTopic(String name, PatternType pattern, String principal, AclOperation op) {
        return acl(ResourceType.TOPIC, name, pattern, principal, "*", op, AclPermissionType.ALLOW);
    }

    private static final AclBinding ALICE_READS_ORDERS = allowTopic("orders", PatternType.LITERAL, "User:alice",
            AclOperation.READ);
    private static final AclBinding ALICE_WRITES_LOGS = allowTopic("logs-", PatternType.PREFIXED, "User:alice",
            AclOperation.WRITE);
    private static final AclBinding BOB_READS_ORDERS = allowTopic("orders", PatternType.LITERAL, "User:bob",
            AclOperation.READ);

    private static ClusterImage newCluster() {
        return apply(ClusterImage.EMPTY, new InitCluster("c"));
    }

    private static Decision decide(ClusterImage image, ControllerCommand command) {
        return ControllerLogic.decide(image, command, image.offset() + 1, 1);
    }

    private static ClusterImage apply(ClusterImage image, ControllerCommand command) {
        for (MetadataRecord record : decide(image, command).records()) {
            image = image.apply(record);
        }
        return image;
    }

    private static CreateAcls create(AclBinding... bindings) {
        return new CreateAcls(List.of(bindings));
    }

    private static List<AclResult> results(Decision decision) {
        return ControllerReply.decodeAclResults(decision.payload());
    }

    private static AclResult invalid(String message) {
        return new AclResult(Errors.INVALID_REQUEST.code(), message, List.of());
    }

    private static AclResult deleted(AclBinding... bindings) {
        return new AclResult(Errors.NONE.code(), "", List.of(bindings));
    }

    private static AclBindingFilter topicsOf(String principal) {
        return new AclBindingFilter(new ResourcePatternFilter(ResourceType.TOPIC, null, PatternType.ANY),
                new AccessControlEntryFilter(principal, null, AclOperation.ANY, AclPermissionType.ANY));
    }

    @Test
    void createdBindingsAreRecordsUnderNewIdsAndReachTheAuthorizationIndex() {
        ClusterImage image = newCluster();
        Decision decision = decide(image, create(ALICE_READS_ORDERS, ALICE_WRITES_LOGS));

        assertThat(results(decision)).containsExactly(OK, OK);
        assertThat(decision.records()).hasSize(2).allSatisfy(r -> assertThat(r)
                .isInstanceOf(AccessControlEntryRecord.class));
        for (MetadataRecord record : decision.records()) {
            image = image.apply(record);
        }
        assertThat(image.acls().bindings()).containsExactlyInAnyOrder(ALICE_READS_ORDERS, ALICE_WRITES_LOGS);
        assertThat(image.acls().byId().keySet()).doesNotHaveDuplicates().hasSize(2);

        ClusterImage current = image;
        AclAuthorizer authorizer = new AclAuthorizer(current::aclIndex, Set.of(), false);
        KafkaPrincipal alice = new KafkaPrincipal("User", "alice");
        assertThat(authorizer.authorize(alice, "h", AclOperation.READ, ResourceType.TOPIC, "orders")).isTrue();
        assertThat(authorizer.authorize(alice, "h", AclOperation.WRITE, ResourceType.TOPIC, "logs-app")).isTrue();
        assertThat(authorizer.authorize(alice, "h", AclOperation.WRITE, ResourceType.TOPIC, "orders")).isFalse();
    }

    @Test
    void theIndexIsBuiltOncePerChangeOfTheAclsNotPerImage() {
        ClusterImage image = apply(newCluster(), create(ALICE_READS_ORDERS));
        ClusterImage later = image.apply(new MetadataRecord.ProducerIdsRecord(1, 1000));

        assertThat(later.acls()).isSameAs(image.acls());
        assertThat(later.aclIndex()).isSameAs(image.aclIndex());
        assertThat(apply(later, create(BOB_READS_ORDERS)).aclIndex()).isNotSameAs(image.aclIndex());
    }

    @Test
    void creatingAnExistingBindingOrOneTwiceInARequestSucceedsWithoutAnotherRecord() {
        ClusterImage image = apply(newCluster(), create(ALICE_READS_ORDERS));

        Decision again = decide(image, create(ALICE_READS_ORDERS, BOB_READS_ORDERS, BOB_READS_ORDERS));

        assertThat(results(again)).containsExactly(OK, OK, OK);
        assertThat(again.records()).singleElement().isInstanceOfSatisfying(AccessControlEntryRecord.class,
                r -> assertThat(r.binding()).isEqualTo(BOB_READS_ORDERS));
    }

    @Test
    void invalidBindingsAreRefusedAloneWithKafkasMessagesInKafkasOrder() {
        AclBinding unknownEverything = acl(ResourceType.UNKNOWN, "", PatternType.UNKNOWN, "nobody", "",
                AclOperation.UNKNOWN, AclPermissionType.UNKNOWN);
        Decision decision = decide(newCluster(), create(
                unknownEverything,
                acl(ResourceType.TOPIC, "", PatternType.UNKNOWN, "nobody", "", AclOperation.UNKNOWN,
                        AclPermissionType.UNKNOWN),
                acl(ResourceType.TOPIC, "", PatternType.LITERAL, "nobody", "", AclOperation.UNKNOWN,
                        AclPermissionType.UNKNOWN),
                acl(ResourceType.TOPIC, "", PatternType.LITERAL, "nobody", "", AclOperation.READ,
                        AclPermissionType.UNKNOWN),
                acl(ResourceType.TOPIC, "", PatternType.LITERAL, "nobody", "", AclOperation.READ,
                        AclPermissionType.DENY),
                acl(ResourceType.TOPIC, "t", PatternType.LITERAL, "nobody", "", AclOperation.READ,
                        AclPermissionType.DENY),
                ALICE_READS_ORDERS,
                // Kafka checks no host: an empty one is accepted.
                acl(ResourceType.GROUP, "g", PatternType.LITERAL, "User:alice", "", AclOperation.READ,
                        AclPermissionType.ALLOW)));

        assertThat(results(decision)).containsExactly(
                invalid("Invalid resourceType UNKNOWN"),
                invalid("Invalid patternType UNKNOWN"),
                invalid("Invalid operation UNKNOWN"),
                invalid("Invalid permissionType UNKNOWN"),
                invalid("Resource name should not be empty"),
                invalid("Could not parse principal from `nobody` (no colon is present separating the principal "
                        + "type from the principal name)"),
                OK, OK);
        assertThat(decision.records()).hasSize(2);
    }

    @Test
    void deletionRemovesEveryMatchedBindingOnceAndReportsItForEveryFilterThatMatchedIt() {
        ClusterImage image = apply(newCluster(), create(ALICE_READS_ORDERS, ALICE_WRITES_LOGS, BOB_READS_ORDERS));
        AclBindingFilter orders = new AclBindingFilter(new ResourcePatternFilter(ResourceType.TOPIC, "orders",
                PatternType.LITERAL), AccessControlEntryFilter.ANY);
        AclBindingFilter nothing = topicsOf("User:carol");

        Decision decision = decide(image, new DeleteAcls(List.of(topicsOf("User:alice"), orders, nothing)));

        List<AclResult> results = results(decision);
        assertThat(results).hasSize(3);
        assertThat(results.get(0).bindings()).containsExactlyInAnyOrder(ALICE_READS_ORDERS, ALICE_WRITES_LOGS);
        assertThat(results.get(1).bindings()).containsExactlyInAnyOrder(ALICE_READS_ORDERS, BOB_READS_ORDERS);
        assertThat(results.get(2)).isEqualTo(deleted());
        assertThat(results).allSatisfy(r -> assertThat(r.error()).isEqualTo(Errors.NONE));
        assertThat(decision.records()).hasSize(3).allSatisfy(r -> assertThat(r)
                .isInstanceOf(RemoveAccessControlEntryRecord.class));
        ClusterImage after = image;
        for (MetadataRecord record : decision.records()) {
            after = after.apply(record);
        }
        assertThat(after.acls().isEmpty()).isTrue();
    }

    @Test
    void aPatternMatchFilterDeletesTheLiteralWildcardAndPrefixedBindingsThatApplyToTheName() {
        AclBinding wildcard = allowTopic("*", PatternType.LITERAL, "User:bob", AclOperation.READ);
        AclBinding prefix = allowTopic("ord", PatternType.PREFIXED, "User:bob", AclOperation.READ);
        AclBinding other = allowTopic("payments", PatternType.LITERAL, "User:bob", AclOperation.READ);
        ClusterImage image = apply(newCluster(), create(ALICE_READS_ORDERS, wildcard, prefix, other));

        Decision decision = decide(image, new DeleteAcls(List.of(new AclBindingFilter(new ResourcePatternFilter(
                ResourceType.TOPIC, "orders", PatternType.MATCH), AccessControlEntryFilter.ANY))));

        assertThat(results(decision).getFirst().bindings()).containsExactlyInAnyOrder(ALICE_READS_ORDERS, wildcard,
                prefix);
    }

    @Test
    void unknownFiltersAreRefusedAloneAndTheOthersStillDelete() {
        ClusterImage image = apply(newCluster(), create(ALICE_READS_ORDERS));
        AclBindingFilter unknownPattern = new AclBindingFilter(new ResourcePatternFilter(ResourceType.UNKNOWN, null,
                PatternType.ANY), AccessControlEntryFilter.ANY);
        AclBindingFilter unknownEntry = new AclBindingFilter(ResourcePatternFilter.ANY,
                new AccessControlEntryFilter(null, null, AclOperation.UNKNOWN, AclPermissionType.ANY));

        Decision decision = decide(image, new DeleteAcls(List.of(unknownPattern, unknownEntry, AclBindingFilter.ANY)));

        assertThat(results(decision)).containsExactly(invalid("Unknown patternFilter."),
                invalid("Unknown entryFilter."), deleted(ALICE_READS_ORDERS));
        assertThat(decision.records()).hasSize(1);
    }

    @Test
    void moreNewBindingsThanKafkaWritesInOneOperationRefuseTheWholeCreation() {
        List<AclBinding> many = IntStream.rangeClosed(0, AclControl.MAX_RECORDS_PER_USER_OP)
                .mapToObj(i -> allowTopic("t" + i, PatternType.LITERAL, "User:alice", AclOperation.READ)).toList();

        assertThatThrownBy(() -> decide(newCluster(), new CreateAcls(many)))
                .isInstanceOf(PolicyViolationException.class)
                .hasMessage("Unable to perform excessively large batch operation.");
        // Existing bindings need no record, so they do not count.
        ClusterImage image = apply(newCluster(), create(many.getFirst()));
        assertThat(decide(image, new CreateAcls(many)).records()).hasSize(AclControl.MAX_RECORDS_PER_USER_OP);
    }

    @Test
    void moreRemovalsThanKafkaWritesInOneOperationRefuseTheWholeDeletion() {
        List<AclBinding> many = IntStream.rangeClosed(0, AclControl.MAX_RECORDS_PER_USER_OP)
                .mapToObj(i -> allowTopic("t" + i, PatternType.LITERAL, "User:alice", AclOperation.READ)).toList();
        ClusterImage image = apply(apply(newCluster(), new CreateAcls(many.subList(1, many.size()))),
                create(many.getFirst()));

        assertThatThrownBy(() -> decide(image, new DeleteAcls(List.of(AclBindingFilter.ANY))))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("Cannot remove more than 10000 acls in a single delete operation.");
    }

    @Test
    void bindingsSurviveASnapshotUnderTheirIds() {
        ClusterImage image = apply(newCluster(), create(ALICE_READS_ORDERS, ALICE_WRITES_LOGS, BOB_READS_ORDERS));
        image = apply(image, new DeleteAcls(List.of(topicsOf("User:bob"))));

        ClusterImage restored = ControllerSnapshot.read(ControllerSnapshot.write(image));

        assertThat(restored).isEqualTo(image);
        assertThat(restored.acls().byId()).isEqualTo(image.acls().byId());
    }

    @Test
    void bindingsSurviveARestartOfTheMetadataLog() throws Exception {
        List<ApiError> created;
        List<AclAdmin.FilterResult> removed;
        try (MetadataController controller = MetadataController.start(LocalMetadataQuorum.durable(1, dir),
                ControllerSettings.defaults(1), "cluster-a")) {
            created = controller.createAcls(List.of(ALICE_READS_ORDERS, BOB_READS_ORDERS,
                    allowTopic("x", PatternType.LITERAL, "alice", AclOperation.READ)));
            removed = controller.deleteAcls(List.of(topicsOf("User:bob")));
        }
        assertThat(created).containsExactly(ApiError.NONE, ApiError.NONE, new ApiError(Errors.INVALID_REQUEST,
                "Could not parse principal from `alice` (no colon is present separating the principal type from the "
                        + "principal name)"));
        assertThat(removed).containsExactly(new AclAdmin.FilterResult(ApiError.NONE, List.of(BOB_READS_ORDERS)));

        try (MetadataController controller = MetadataController.start(LocalMetadataQuorum.durable(1, dir),
                ControllerSettings.defaults(1), "cluster-a")) {
            assertThat(new ArrayList<>(controller.image().acls().bindings())).containsExactly(ALICE_READS_ORDERS);
            assertThat(controller.createAcls(List.of())).isEmpty();
            assertThat(controller.deleteAcls(List.of())).isEmpty();
        }
    }
}
