package io.herald.broker.group.handler;

import static io.herald.broker.group.handler.GroupHandlerFixture.ADMIN;
import static io.herald.broker.group.handler.GroupHandlerFixture.ALICE;
import static io.herald.broker.group.handler.GroupHandlerFixture.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.herald.broker.security.Authorization;
import io.herald.metadata.authz.Authorizer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OffsetCommit, OffsetFetch and OffsetDelete with Kafka's ACL rules: the group's error where each version puts it,
 * topics' errors per partition, and the topics the principal may not DESCRIBE left out of an all-offsets fetch.
 */
class GroupOffsetsHandlerAuthorizationTest {
    private final GroupHandlerFixture f = new GroupHandlerFixture();
    private final GroupOffsetsHandler handler = new GroupOffsetsHandler(f.coordinator, () -> f.image,
            f.authorization);

    @BeforeEach
    void adminCommitsToBothTopics() {
        for (String group : List.of("g", "other")) {
            f.grants.allow(ADMIN, ResourceType.GROUP, group, AclOperation.READ, AclOperation.DESCRIBE);
        }
        for (String topic : List.of("orders", "secret")) {
            f.grants.allow(ADMIN, ResourceType.TOPIC, topic, AclOperation.READ, AclOperation.DESCRIBE);
        }
        for (String group : List.of("g", "other")) {
            OffsetCommitResponseData r = f.answer(handler.offsetCommit(), ADMIN, body(commit(group, 5), (short) 9));
            assertThat(errors(r)).containsOnly(Errors.NONE.code());
        }
    }

    private static OffsetCommitRequestData commit(String group, long offset) {
        return new OffsetCommitRequestData().setGroupId(group).setGenerationIdOrMemberEpoch(-1).setTopics(List.of(
                new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("secret").setPartitions(List.of(
                        new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0)
                                .setCommittedOffset(offset))),
                new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("orders").setPartitions(List.of(
                        new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(1)
                                .setCommittedOffset(offset)))));
    }

    private static List<Short> errors(OffsetCommitResponseData r) {
        return r.topics().stream().flatMap(t -> t.partitions().stream()).map(p -> p.errorCode()).toList();
    }

    @Test
    void offsetCommitWithoutGroupReadFailsEveryPartition() {
        f.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.READ);
        OffsetCommitResponseData r = f.answer(handler.offsetCommit(), ALICE, body(commit("g", 9), (short) 9));
        assertThat(r.topics()).extracting(t -> t.name()).containsExactly("secret", "orders");
        assertThat(errors(r)).containsOnly(Errors.GROUP_AUTHORIZATION_FAILED.code());
    }

    @Test
    void offsetCommitCommitsOnlyTheTopicsThePrincipalMayRead() {
        f.grants.allow(ALICE, ResourceType.GROUP, "g", AclOperation.READ, AclOperation.DESCRIBE);
        f.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.READ, AclOperation.DESCRIBE);
        OffsetCommitResponseData r = f.answer(handler.offsetCommit(), ALICE, body(commit("g", 9), (short) 9));
        assertThat(r.topics()).extracting(t -> t.name(), t -> t.partitions().get(0).errorCode()).containsExactly(
                tuple("secret", Errors.TOPIC_AUTHORIZATION_FAILED.code()), tuple("orders", Errors.NONE.code()));

        OffsetFetchResponseData fetched = f.answer(handler.offsetFetch(), ADMIN, body(fetchAll("g"), (short) 9));
        assertThat(fetched.groups().get(0).topics()).extracting(t -> t.name(),
                t -> t.partitions().get(0).committedOffset())
                .containsExactlyInAnyOrder(tuple("secret", 5L), tuple("orders", 9L));
    }

    @Test
    void offsetCommitOfOnlyRefusedTopicsNeverReachesTheCoordinator() {
        f.grants.allow(ALICE, ResourceType.GROUP, "g", AclOperation.READ);
        int records = f.log.records(0).size();
        OffsetCommitRequestData data = commit("g", 9);
        data.setGenerationIdOrMemberEpoch(7).setMemberId("stranger"); // the coordinator would say ILLEGAL_GENERATION
        OffsetCommitResponseData r = f.answer(handler.offsetCommit(), ALICE, body(data, (short) 9));
        assertThat(errors(r)).containsOnly(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        assertThat(f.log.records(0)).hasSize(records);
    }

    private static OffsetFetchRequestData fetchAll(String... groups) {
        OffsetFetchRequestData data = new OffsetFetchRequestData();
        for (String g : groups) {
            data.groups().add(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(g).setTopics(null));
        }
        return data;
    }

    private static OffsetFetchRequestData.OffsetFetchRequestGroup named(String group) {
        return new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(group).setTopics(List.of(
                new OffsetFetchRequestData.OffsetFetchRequestTopics().setName("secret").setPartitionIndexes(List.of(0)),
                new OffsetFetchRequestData.OffsetFetchRequestTopics().setName("orders")
                        .setPartitionIndexes(List.of(1))));
    }

    @Test
    void offsetFetchAnswersEachGroupByItsOwnDescribeAcl() {
        f.grants.allow(ALICE, ResourceType.GROUP, "other", AclOperation.DESCRIBE);
        f.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.DESCRIBE);
        f.grants.allow(ALICE, ResourceType.TOPIC, "secret", AclOperation.DESCRIBE);
        OffsetFetchResponseData r = f.answer(handler.offsetFetch(), ALICE, body(fetchAll("g", "other"), (short) 9));
        assertThat(r.groups()).extracting(g -> g.groupId(), g -> g.errorCode()).containsExactly(
                tuple("g", Errors.GROUP_AUTHORIZATION_FAILED.code()), tuple("other", Errors.NONE.code()));
        assertThat(r.groups().get(0).topics()).isEmpty();
        assertThat(r.groups().get(1).topics()).hasSize(2);
    }

    @Test
    void offsetFetchOfNamedTopicsAnswersTopicAuthorizationFailedAfterTheOthers() {
        f.grants.allow(ALICE, ResourceType.GROUP, "g", AclOperation.DESCRIBE);
        f.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.DESCRIBE);
        OffsetFetchRequestData data = new OffsetFetchRequestData();
        data.groups().add(named("g"));
        OffsetFetchResponseData r = f.answer(handler.offsetFetch(), ALICE, body(data, (short) 9));
        var group = r.groups().get(0);
        assertThat(group.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(group.topics()).extracting(t -> t.name(), t -> t.partitions().get(0).errorCode(),
                t -> t.partitions().get(0).committedOffset()).containsExactly(
                tuple("orders", Errors.NONE.code(), 5L),
                tuple("secret", Errors.TOPIC_AUTHORIZATION_FAILED.code(), -1L));
    }

    @Test
    void offsetFetchOfAllOffsetsLeavesOutTopicsThePrincipalMayNotDescribe() {
        f.grants.allow(ALICE, ResourceType.GROUP, "g", AclOperation.DESCRIBE);
        f.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.DESCRIBE);
        OffsetFetchResponseData r = f.answer(handler.offsetFetch(), ALICE, body(fetchAll("g"), (short) 9));
        assertThat(r.groups().get(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(r.groups().get(0).topics()).extracting(t -> t.name()).containsExactly("orders");

        // v2-v7: one group, all offsets with null topics.
        OffsetFetchResponseData v7 = f.answer(handler.offsetFetch(), ALICE,
                body(new OffsetFetchRequestData().setGroupId("g").setTopics(null), (short) 7));
        assertThat(v7.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(v7.topics()).extracting(t -> t.name()).containsExactly("orders");
    }

    @Test
    void offsetFetchOfARefusedGroupFailsAtTheTopLevelFromV2AndPerPartitionBefore() {
        OffsetFetchRequestData single = new OffsetFetchRequestData().setGroupId("g").setTopics(List.of(
                new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("orders")
                        .setPartitionIndexes(List.of(0, 1))));
        OffsetFetchResponseData v7 = f.answer(handler.offsetFetch(), ALICE, body(single, (short) 7));
        assertThat(v7.errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(v7.topics()).isEmpty();

        // v1 has no group error: the consumer reads it from every partition.
        OffsetFetchResponseData v1 = f.answer(handler.offsetFetch(), ALICE, body(single, (short) 1));
        assertThat(v1.topics()).hasSize(1);
        assertThat(v1.topics().get(0).partitions()).extracting(p -> p.partitionIndex(), p -> p.errorCode(),
                p -> p.committedOffset()).containsExactly(
                tuple(0, Errors.GROUP_AUTHORIZATION_FAILED.code(), -1L),
                tuple(1, Errors.GROUP_AUTHORIZATION_FAILED.code(), -1L));
    }

    private static OffsetDeleteRequestData delete(String group) {
        var topics = new OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection();
        topics.add(new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("secret").setPartitions(List.of(
                new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0))));
        topics.add(new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("orders").setPartitions(List.of(
                new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(1))));
        return new OffsetDeleteRequestData().setGroupId(group).setTopics(topics);
    }

    @Test
    void offsetDeleteWithoutGroupDeleteFailsAtTheTopLevel() {
        f.grants.allow(ALICE, ResourceType.GROUP, "g", AclOperation.READ, AclOperation.DESCRIBE);
        f.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.READ);
        OffsetDeleteResponseData r = f.answer(handler.offsetDelete(), ALICE, body(delete("g"), (short) 0));
        assertThat(r.errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(r.topics()).isEmpty();
    }

    @Test
    void offsetDeleteDeletesOnlyTheTopicsThePrincipalMayRead() {
        f.grants.allow(ALICE, ResourceType.GROUP, "g", AclOperation.DELETE);
        f.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.READ);
        OffsetDeleteResponseData r = f.answer(handler.offsetDelete(), ALICE, body(delete("g"), (short) 0));
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(r.topics()).extracting(t -> t.name(), t -> t.partitions().iterator().next().errorCode())
                .containsExactly(tuple("secret", Errors.TOPIC_AUTHORIZATION_FAILED.code()),
                        tuple("orders", Errors.NONE.code()));

        OffsetFetchResponseData fetched = f.answer(handler.offsetFetch(), ADMIN, body(fetchAll("g"), (short) 9));
        assertThat(fetched.groups().get(0).topics()).extracting(t -> t.name()).containsExactly("secret");
    }

    @Test
    void withoutAnAuthorizerNoTopicIsChecked() {
        AtomicInteger checks = new AtomicInteger();
        Authorizer off = new Authorizer() {
            @Override
            public boolean authorize(KafkaPrincipal principal, String host, AclOperation operation, ResourceType type,
                                     String name) {
                checks.incrementAndGet();
                return true;
            }

            @Override
            public boolean authorizeAny(KafkaPrincipal principal, String host, AclOperation operation,
                                        ResourceType type) {
                checks.incrementAndGet();
                return true;
            }

            @Override
            public boolean enabled() {
                return false;
            }
        };
        GroupOffsetsHandler open = new GroupOffsetsHandler(f.coordinator, () -> f.image, new Authorization(off));
        assertThat(errors(f.answer(open.offsetCommit(), ALICE, body(commit("g", 9), (short) 9))))
                .containsOnly(Errors.NONE.code());
        OffsetFetchResponseData fetched = f.answer(open.offsetFetch(), ALICE, body(fetchAll("g"), (short) 9));
        assertThat(fetched.groups().get(0).topics()).hasSize(2);
        assertThat(checks).as("one group check per request, no topic checks").hasValue(2);
    }
}
