package io.herald.broker.group.handler;

import static io.herald.broker.group.handler.GroupHandlerFixture.ADMIN;
import static io.herald.broker.group.handler.GroupHandlerFixture.ALICE;
import static io.herald.broker.group.handler.GroupHandlerFixture.ORDERS_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ConsumerGroupDescribeRequest;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatRequest;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.Test;

/**
 * ConsumerGroupHeartbeat and ConsumerGroupDescribe with Kafka's ACL rules: READ on the group and DESCRIBE on the
 * subscribed topics to heartbeat, regexes resolved to describable topics only, DESCRIBE on the group and on its
 * assigned topics to describe it.
 */
class ConsumerGroupHandlerAuthorizationTest {
    private final GroupHandlerFixture f = new GroupHandlerFixture();
    private final ConsumerGroupHandler handler = new ConsumerGroupHandler(f.coordinator, () -> f.image,
            f.authorization);

    private static ConsumerGroupHeartbeatRequestData join(String group, List<String> topics, String regex) {
        return new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(Uuid.randomUuid().toString())
                .setMemberEpoch(0).setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(topics)
                .setSubscribedTopicRegex(regex).setTopicPartitions(List.of());
    }

    private ConsumerGroupHeartbeatResponseData heartbeat(KafkaPrincipal principal,
                                                         ConsumerGroupHeartbeatRequestData data) {
        return f.answer(handler.heartbeat(), principal, new ConsumerGroupHeartbeatRequest(data, (short) 1));
    }

    @Test
    void heartbeatWithoutGroupReadAnswersGroupAuthorizationFailed() {
        f.grants.allow(ALICE, ResourceType.GROUP, "cg", AclOperation.DESCRIBE);
        f.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.DESCRIBE);
        ConsumerGroupHeartbeatResponseData r = heartbeat(ALICE, join("cg", List.of("orders"), null));
        assertThat(r.errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(f.log.records(0)).isEmpty();
    }

    @Test
    void heartbeatSubscribingToATopicThePrincipalMayNotDescribeIsRefusedWhole() {
        f.grants.allow(ALICE, ResourceType.GROUP, "cg", AclOperation.READ);
        f.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.DESCRIBE);
        ConsumerGroupHeartbeatResponseData r = heartbeat(ALICE, join("cg", List.of("orders", "secret"), null));
        assertThat(r.errorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        assertThat(r.memberEpoch()).isZero();
        assertThat(f.log.records(0)).isEmpty();

        ConsumerGroupHeartbeatResponseData joined = heartbeat(ALICE, join("cg", List.of("orders"), null));
        assertThat(joined.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(joined.memberEpoch()).isEqualTo(1);
    }

    @Test
    void aRegexResolvesOnlyToTopicsThePrincipalMayDescribe() {
        f.grants.allow(ALICE, ResourceType.GROUP, "cg", AclOperation.READ);
        f.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.DESCRIBE);
        ConsumerGroupHeartbeatResponseData r = heartbeat(ALICE, join("cg", null, "orders|secret"));
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(r.assignment().topicPartitions()).extracting(tp -> tp.topicId(), tp -> tp.partitions())
                .containsExactly(tuple(ORDERS_ID, List.of(0, 1)));
    }

    @Test
    void describeAnswersRefusedGroupsFirstAndHidesGroupsAssignedUndescribableTopics() {
        f.grants.allow(ADMIN, ResourceType.GROUP, "cg", AclOperation.READ);
        for (String topic : List.of("orders", "secret")) {
            f.grants.allow(ADMIN, ResourceType.TOPIC, topic, AclOperation.DESCRIBE);
        }
        assertThat(heartbeat(ADMIN, join("cg", List.of("orders", "secret"), null)).errorCode())
                .isEqualTo(Errors.NONE.code());

        f.grants.allow(ALICE, ResourceType.GROUP, "cg", AclOperation.DESCRIBE);
        f.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.DESCRIBE);
        var request = new ConsumerGroupDescribeRequest(new ConsumerGroupDescribeRequestData()
                .setGroupIds(List.of("cg", "hidden")), (short) 1);
        ConsumerGroupDescribeResponseData r = f.answer(handler.describe(), ALICE, request);
        assertThat(r.groups()).extracting(g -> g.groupId(), g -> g.errorCode()).containsExactly(
                tuple("hidden", Errors.GROUP_AUTHORIZATION_FAILED.code()),
                tuple("cg", Errors.TOPIC_AUTHORIZATION_FAILED.code()));
        assertThat(r.groups().get(1).errorMessage()).isEqualTo(ConsumerGroupHandler.UNDESCRIBABLE_TOPICS);
        assertThat(r.groups().get(1).members()).isEmpty();

        f.grants.allow(ALICE, ResourceType.TOPIC, "secret", AclOperation.DESCRIBE);
        ConsumerGroupDescribeResponseData allowed = f.answer(handler.describe(), ALICE, request);
        assertThat(allowed.groups().get(1).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(allowed.groups().get(1).members()).hasSize(1);
    }
}
