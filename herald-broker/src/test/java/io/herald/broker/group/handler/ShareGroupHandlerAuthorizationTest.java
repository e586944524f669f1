package io.herald.broker.group.handler;

import static io.herald.broker.group.handler.GroupHandlerFixture.ADMIN;
import static io.herald.broker.group.handler.GroupHandlerFixture.ALICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ShareGroupDescribeRequestData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ShareGroupDescribeRequest;
import org.apache.kafka.common.requests.ShareGroupHeartbeatRequest;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.Test;

/** ShareGroupHeartbeat and ShareGroupDescribe with Kafka's ACL rules and KafkaApis' order of checks. */
class ShareGroupHandlerAuthorizationTest {
    private final GroupHandlerFixture f = new GroupHandlerFixture();
    private final ShareGroupHandler handler = new ShareGroupHandler(f.coordinator, () -> f.image, f.authorization);

    private static ShareGroupHeartbeatRequestData join(String member, String... topics) {
        return new ShareGroupHeartbeatRequestData().setGroupId("sg").setMemberId(member).setMemberEpoch(0)
                .setSubscribedTopicNames(List.of(topics));
    }

    private ShareGroupHeartbeatResponseData heartbeat(KafkaPrincipal principal, ShareGroupHeartbeatRequestData data) {
        return f.answer(handler.heartbeat(), principal, new ShareGroupHeartbeatRequest(data, (short) 1));
    }

    @Test
    void heartbeatWithoutGroupReadAnswersGroupAuthorizationFailedBeforeCheckingTheMemberId() {
        ShareGroupHeartbeatResponseData r = heartbeat(ALICE, join("", "orders"));
        assertThat(r.errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(r.errorMessage()).isNull(); // Kafka's getErrorResponse: the code only
    }

    @Test
    void heartbeatSubscribingToATopicThePrincipalMayNotDescribeIsRefusedAfterTheMemberIdCheck() {
        f.grants.allow(ALICE, ResourceType.GROUP, "sg", AclOperation.READ);
        f.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.DESCRIBE);
        assertThat(heartbeat(ALICE, join("", "secret")).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        String member = Uuid.randomUuid().toString();
        assertThat(heartbeat(ALICE, join(member, "orders", "secret")).errorCode())
                .isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        assertThat(f.log.records(0)).isEmpty();

        ShareGroupHeartbeatResponseData joined = heartbeat(ALICE, join(member, "orders"));
        assertThat(joined.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(joined.memberEpoch()).isEqualTo(1);
    }

    @Test
    void describeAnswersRefusedGroupsFirstAndHidesGroupsAssignedUndescribableTopics() {
        f.grants.allow(ADMIN, ResourceType.GROUP, "sg", AclOperation.READ);
        for (String topic : List.of("orders", "secret")) {
            f.grants.allow(ADMIN, ResourceType.TOPIC, topic, AclOperation.DESCRIBE);
        }
        String member = Uuid.randomUuid().toString();
        ShareGroupHeartbeatResponseData joined = heartbeat(ADMIN, join(member, "orders", "secret"));
        assertThat(joined.errorCode()).isEqualTo(Errors.NONE.code());
        // The share-partitions are initialized after the first heartbeat; the next one gets them assigned.
        ShareGroupHeartbeatResponseData assigned = heartbeat(ADMIN, new ShareGroupHeartbeatRequestData()
                .setGroupId("sg").setMemberId(member).setMemberEpoch(joined.memberEpoch()));
        assertThat(assigned.errorCode()).isEqualTo(Errors.NONE.code());

        f.grants.allow(ALICE, ResourceType.GROUP, "sg", AclOperation.DESCRIBE);
        f.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.DESCRIBE);
        var request = new ShareGroupDescribeRequest(new ShareGroupDescribeRequestData()
                .setGroupIds(List.of("sg", "hidden")), (short) 1);
        ShareGroupDescribeResponseData r = f.answer(handler.describe(), ALICE, request);
        assertThat(r.groups()).extracting(g -> g.groupId(), g -> g.errorCode()).containsExactly(
                tuple("hidden", Errors.GROUP_AUTHORIZATION_FAILED.code()),
                tuple("sg", Errors.TOPIC_AUTHORIZATION_FAILED.code()));
        assertThat(r.groups().get(1).errorMessage()).isEqualTo(ConsumerGroupHandler.UNDESCRIBABLE_TOPICS);
        assertThat(r.groups().get(1).members()).isEmpty();

        f.grants.allow(ALICE, ResourceType.TOPIC, "secret", AclOperation.DESCRIBE);
        ShareGroupDescribeResponseData allowed = f.answer(handler.describe(), ALICE, request);
        assertThat(allowed.groups().get(1).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(allowed.groups().get(1).members()).hasSize(1);
    }
}
