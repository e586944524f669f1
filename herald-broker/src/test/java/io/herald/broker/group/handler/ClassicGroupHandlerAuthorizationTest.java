package io.herald.broker.group.handler;

import static io.herald.broker.group.handler.GroupHandlerFixture.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/** JoinGroup, SyncGroup, Heartbeat and LeaveGroup need READ on the group, as in Kafka's KafkaApis. */
class ClassicGroupHandlerAuthorizationTest {
    private final GroupHandlerFixture f = new GroupHandlerFixture();
    private final ClassicGroupHandler handler = new ClassicGroupHandler(f.coordinator, f.authorization);

    private static JoinGroupRequest join(String group, short version) {
        JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols =
                new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[0]));
        return new JoinGroupRequest(new JoinGroupRequestData().setGroupId(group).setMemberId("")
                .setProtocolType("consumer").setProtocols(protocols).setSessionTimeoutMs(10_000)
                .setRebalanceTimeoutMs(10_000), version);
    }

    @Test
    void joinGroupWithoutGroupReadAnswersGroupAuthorizationFailedWithoutJoining() {
        f.grants.allow(ALICE, ResourceType.GROUP, "g", AclOperation.DESCRIBE, AclOperation.DELETE);
        JoinGroupResponseData refused = f.answer(handler.joinGroup(), ALICE, join("g", (short) 9));
        assertThat(refused.errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(refused.memberId()).isEmpty();
        assertThat(refused.protocolName()).isNull(); // v7+: nullable, as Kafka's getErrorResponse
        assertThat(f.log.records(0)).isEmpty();

        JoinGroupResponseData v5 = f.answer(handler.joinGroup(), ALICE, join("g", (short) 5));
        assertThat(v5.errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(v5.protocolName()).isEmpty();
    }

    @Test
    void joinGroupWithGroupReadReachesTheCoordinator() {
        f.grants.allow(ALICE, ResourceType.GROUP, "g", AclOperation.READ);
        JoinGroupResponseData r = f.answer(handler.joinGroup(), ALICE, join("g", (short) 9));
        // KIP-394: a first join without a member id is handed one.
        assertThat(r.errorCode()).isEqualTo(Errors.MEMBER_ID_REQUIRED.code());
        assertThat(r.memberId()).isNotEmpty();
    }

    @Test
    void syncGroupChecksTheMandatoryProtocolBeforeTheAcl() {
        SyncGroupRequestData data = new SyncGroupRequestData().setGroupId("g").setMemberId("m").setGenerationId(1)
                .setAssignments(List.of());
        SyncGroupResponseData noProtocol = f.answer(handler.syncGroup(), ALICE,
                new SyncGroupRequest(data.duplicate(), (short) 5));
        assertThat(noProtocol.errorCode()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code());

        data.setProtocolType("consumer").setProtocolName("range");
        SyncGroupResponseData refused = f.answer(handler.syncGroup(), ALICE,
                new SyncGroupRequest(data.duplicate(), (short) 5));
        assertThat(refused.errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(refused.assignment()).isEmpty();

        f.grants.allow(ALICE, ResourceType.GROUP, "g", AclOperation.READ);
        SyncGroupResponseData allowed = f.answer(handler.syncGroup(), ALICE,
                new SyncGroupRequest(data.duplicate(), (short) 5));
        assertThat(allowed.errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
    }

    @Test
    void heartbeatNeedsGroupRead() {
        HeartbeatRequestData data = new HeartbeatRequestData().setGroupId("g").setMemberId("m").setGenerationId(1);
        HeartbeatResponseData refused = f.answer(handler.heartbeat(), ALICE,
                GroupHandlerFixture.body(data, (short) 4));
        assertThat(refused.errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());

        f.grants.allow(ALICE, ResourceType.GROUP, "g", AclOperation.READ);
        HeartbeatResponseData allowed = f.answer(handler.heartbeat(), ALICE,
                GroupHandlerFixture.body(data, (short) 4));
        assertThat(allowed.errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
    }

    @Test
    void leaveGroupNeedsGroupReadAndAnswersAtTheTopLevel() {
        LeaveGroupRequestData data = new LeaveGroupRequestData().setGroupId("g").setMembers(List.of(
                new LeaveGroupRequestData.MemberIdentity().setMemberId("m")));
        LeaveGroupResponseData refused = f.answer(handler.leaveGroup(), ALICE,
                GroupHandlerFixture.body(data, (short) 5));
        assertThat(refused.errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(refused.members()).isEmpty();

        f.grants.allow(ALICE, ResourceType.GROUP, "g", AclOperation.READ);
        LeaveGroupResponseData allowed = f.answer(handler.leaveGroup(), ALICE,
                GroupHandlerFixture.body(data, (short) 5));
        short error = allowed.errorCode() != Errors.NONE.code() ? allowed.errorCode()
                : allowed.members().get(0).errorCode();
        assertThat(error).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
    }
}
