package io.herald.group;

import io.herald.group.classic.ClassicGroup;
import io.herald.group.classic.ClassicMember;
import io.herald.group.classic.GroupState;
import io.herald.group.record.GroupRecord;
import static io.herald.group.ShardFixture.assignment;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The classic protocol state machine on a manual clock: flows, timeouts, errors, static members, replay. */
@Timeout(20)
class ClassicGroupStateMachineTest {
    private final ShardFixture f = new ShardFixture(ShardFixture.config(3000, Integer.MAX_VALUE));

    /** Runs one member through join and sync to a stable generation; returns its join response. */
    private JoinGroupResponseData stableSingleMember(String group) {
        CompletableFuture<JoinGroupResponseData> join = f.joinNew(group);
        f.clock.advance(3000);
        JoinGroupResponseData joined = join.join();
        SyncGroupResponseData synced = f.sync(group, joined.memberId(), null, joined.generationId(),
                List.of(assignment(joined.memberId(), new byte[]{42}))).join();
        assertThat(synced.errorCode()).isEqualTo(Errors.NONE.code());
        return joined;
    }

    @Test
    void firstJoinGetsMemberIdRequiredThenCompletesAfterInitialDelay() {
        JoinGroupResponseData required = f.join("g", "").join();
        assertThat(Errors.forCode(required.errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        assertThat(required.memberId()).startsWith("client-");

        CompletableFuture<JoinGroupResponseData> join = f.join("g", required.memberId());
        assertThat(f.group("g").state()).isEqualTo(GroupState.PREPARING_REBALANCE);
        f.clock.advance(2999);
        assertThat(join).isNotDone();
        f.clock.advance(1);
        JoinGroupResponseData joined = join.join();
        assertThat(joined.errorCode()).isZero();
        assertThat(joined.generationId()).isEqualTo(1);
        assertThat(joined.leader()).isEqualTo(required.memberId());
        assertThat(joined.protocolName()).isEqualTo("range");
        assertThat(joined.members()).extracting(JoinGroupResponseData.JoinGroupResponseMember::memberId)
                .containsExactly(required.memberId());
        assertThat(f.group("g").state()).isEqualTo(GroupState.COMPLETING_REBALANCE);

        SyncGroupResponseData synced = f.sync("g", joined.memberId(), null, 1,
                List.of(assignment(joined.memberId(), new byte[]{7}))).join();
        assertThat(synced.assignment()).containsExactly(7);
        assertThat(f.group("g").state()).isEqualTo(GroupState.STABLE);
        assertThat(f.log).singleElement().isInstanceOf(GroupRecord.GroupMetadata.class);
        assertThat(f.heartbeat("g", joined.memberId(), null, 1)).isEqualTo(Errors.NONE);
    }

    @Test
    void newMemberTriggersRebalanceAndFollowerSyncWaitsForLeader() {
        JoinGroupResponseData a = stableSingleMember("g");
        CompletableFuture<JoinGroupResponseData> bJoin = f.joinNew("g");
        assertThat(f.group("g").state()).isEqualTo(GroupState.PREPARING_REBALANCE);
        assertThat(f.heartbeat("g", a.memberId(), null, 1)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        assertThat(bJoin).isNotDone();

        CompletableFuture<JoinGroupResponseData> aJoin = f.join("g", a.memberId());
        JoinGroupResponseData a2 = aJoin.join();
        JoinGroupResponseData b2 = bJoin.join();
        assertThat(a2.generationId()).isEqualTo(2).isEqualTo(b2.generationId());
        assertThat(a2.leader()).isEqualTo(a.memberId());
        assertThat(a2.members()).hasSize(2);
        assertThat(b2.members()).isEmpty();

        CompletableFuture<SyncGroupResponseData> bSync = f.sync("g", b2.memberId(), null, 2, List.of());
        assertThat(bSync).isNotDone();
        f.sync("g", a.memberId(), null, 2, List.of(assignment(a.memberId(), new byte[]{1}),
                assignment(b2.memberId(), new byte[]{2}))).join();
        assertThat(bSync.join().assignment()).containsExactly(2);
        assertThat(f.group("g").state()).isEqualTo(GroupState.STABLE);
        assertThat(f.heartbeat("g", a.memberId(), null, 1)).isEqualTo(Errors.ILLEGAL_GENERATION);
    }

    @Test
    void sessionExpiryRemovesSilentMemberAndRebalancesTheRest() {
        JoinGroupResponseData a = stableSingleMember("g");
        CompletableFuture<JoinGroupResponseData> bJoin = f.joinNew("g");
        f.join("g", a.memberId());
        JoinGroupResponseData b = bJoin.join();
        f.sync("g", b.memberId(), null, 2, List.of());
        f.sync("g", a.memberId(), null, 2, List.of()).join();
        assertThat(f.group("g").state()).isEqualTo(GroupState.STABLE);

        // a heartbeats, b goes silent
        for (int i = 0; i < 3; i++) {
            f.clock.advance(3000);
            assertThat(f.heartbeat("g", a.memberId(), null, 2)).isEqualTo(Errors.NONE);
        }
        f.clock.advance(3000);
        assertThat(f.heartbeat("g", a.memberId(), null, 2)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        assertThat(f.group("g").hasMember(b.memberId())).isFalse();
        assertThat(f.group("g").state()).isEqualTo(GroupState.PREPARING_REBALANCE);
        assertThat(f.heartbeat("g", b.memberId(), null, 2)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        JoinGroupResponseData a3 = f.join("g", a.memberId()).join();
        assertThat(a3.generationId()).isEqualTo(3);
        assertThat(a3.members()).hasSize(1);
    }

    @Test
    void rebalanceTimeoutDropsMembersThatDoNotRejoin() {
        JoinGroupResponseData a = stableSingleMember("g");
        CompletableFuture<JoinGroupResponseData> bJoin = f.joinNew("g");
        // a never rejoins; its heartbeats keep its session alive, the rebalance timeout (30 s) ends the wait
        for (int i = 0; i < 10; i++) {
            f.clock.advance(3000);
            f.heartbeat("g", a.memberId(), null, 1);
        }
        JoinGroupResponseData b = bJoin.join();
        assertThat(b.errorCode()).isZero();
        assertThat(b.leader()).isEqualTo(b.memberId());
        assertThat(f.group("g").hasMember(a.memberId())).isFalse();
    }

    @Test
    void errorsAreKafkas() {
        assertThat(Errors.forCode(f.join("", "").join().errorCode())).isEqualTo(Errors.INVALID_GROUP_ID);
        var shortSession = ShardFixture.joinRequest("g", "", null, "range", new byte[0]).setSessionTimeoutMs(1000);
        assertThat(Errors.forCode(f.join(shortSession, (short) 9).join().errorCode()))
                .isEqualTo(Errors.INVALID_SESSION_TIMEOUT);
        var longSession = ShardFixture.joinRequest("g", "", null, "range", new byte[0])
                .setSessionTimeoutMs(1_800_001);
        assertThat(Errors.forCode(f.join(longSession, (short) 9).join().errorCode()))
                .isEqualTo(Errors.INVALID_SESSION_TIMEOUT);
        assertThat(Errors.forCode(f.join("nope", "made-up").join().errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);

        JoinGroupResponseData a = stableSingleMember("g");
        var otherType = ShardFixture.joinRequest("g", "", null, "range", new byte[0]).setProtocolType("connect");
        assertThat(Errors.forCode(f.join(otherType, (short) 9).join().errorCode()))
                .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        var otherProtocol = ShardFixture.joinRequest("g", "", null, "roundrobin", new byte[0]);
        assertThat(Errors.forCode(f.join(otherProtocol, (short) 9).join().errorCode()))
                .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        assertThat(f.heartbeat("g", a.memberId(), null, 5)).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(f.heartbeat("g", "stranger", null, 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(f.heartbeat("missing", "x", null, 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(Errors.forCode(f.sync("g", a.memberId(), null, 9, List.of()).join().errorCode()))
                .isEqualTo(Errors.ILLEGAL_GENERATION);
    }

    @Test
    void groupMaxSizeRejectsTheExtraMember() {
        ShardFixture small = new ShardFixture(ShardFixture.config(0, 1));
        CompletableFuture<JoinGroupResponseData> a = small.joinNew("g");
        small.clock.runDue();
        assertThat(a.join().errorCode()).isZero();
        assertThat(Errors.forCode(small.join("g", "").join().errorCode())).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED);
    }

    @Test
    void restartedStaticMemberGetsItsAssignmentWithoutRebalance() {
        CompletableFuture<JoinGroupResponseData> aJoin = f.joinStatic("g", "", "instance-a");
        CompletableFuture<JoinGroupResponseData> bJoin = f.joinStatic("g", "", "instance-b");
        f.clock.advance(3000);
        assertThat(aJoin).as("a member joined during the delay: it is extended").isNotDone();
        f.clock.advance(3000);
        JoinGroupResponseData a = aJoin.join();
        JoinGroupResponseData b = bJoin.join();
        assertThat(a.generationId()).isEqualTo(1);
        CompletableFuture<SyncGroupResponseData> bSync = f.sync("g", b.memberId(), "instance-b", 1, List.of());
        f.sync("g", a.memberId(), "instance-a", 1, List.of(assignment(a.memberId(), new byte[]{1}),
                assignment(b.memberId(), new byte[]{2}))).join();
        assertThat(bSync.join().assignment()).containsExactly(2);

        // b restarts: joins again with its instance id and no member id
        JoinGroupResponseData b2 = f.joinStatic("g", "", "instance-b").join();
        assertThat(b2.errorCode()).isZero();
        assertThat(b2.memberId()).isNotEqualTo(b.memberId());
        assertThat(b2.generationId()).isEqualTo(1);
        assertThat(f.group("g").state()).isEqualTo(GroupState.STABLE);
        assertThat(f.sync("g", b2.memberId(), "instance-b", 1, List.of()).join().assignment()).containsExactly(2);
        // the old incarnation is fenced; the leader never noticed anything
        assertThat(f.heartbeat("g", b.memberId(), "instance-b", 1)).isEqualTo(Errors.FENCED_INSTANCE_ID);
        assertThat(f.heartbeat("g", a.memberId(), "instance-a", 1)).isEqualTo(Errors.NONE);
        assertThat(f.group("g").generationId()).isEqualTo(1);
    }

    @Test
    void leaveGroupV3RemovesABatchOfMembers() {
        CompletableFuture<JoinGroupResponseData> aJoin = f.joinStatic("g", "", "ia");
        CompletableFuture<JoinGroupResponseData> bJoin = f.joinStatic("g", "", "ib");
        f.clock.advance(6000);
        String a = aJoin.join().memberId();
        String b = bJoin.join().memberId();
        LeaveGroupResponseData left = f.shard.classic.leaveGroup(new RequestContext("c", "h", (short) 5),
                new LeaveGroupRequestData().setGroupId("g").setMembers(List.of(
                        new LeaveGroupRequestData.MemberIdentity().setMemberId(a).setGroupInstanceId("ia"),
                        new LeaveGroupRequestData.MemberIdentity().setMemberId("").setGroupInstanceId("ib"),
                        new LeaveGroupRequestData.MemberIdentity().setMemberId("x").setGroupInstanceId("ic"))));
        assertThat(left.members()).extracting(LeaveGroupResponseData.MemberResponse::errorCode)
                .containsExactly(Errors.NONE.code(), Errors.NONE.code(), Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(f.group("g").state()).isEqualTo(GroupState.EMPTY);
        assertThat(f.group("g").size()).isZero();
        assertThat(b).isNotEmpty();
    }

    @Test
    void replayOfTheWrittenRecordsReproducesTheGroup() {
        CompletableFuture<JoinGroupResponseData> aJoin = f.joinStatic("g", "", "ia");
        CompletableFuture<JoinGroupResponseData> bJoin = f.joinNew("g");
        f.clock.advance(6000);
        JoinGroupResponseData a = aJoin.join();
        JoinGroupResponseData b = bJoin.join();
        f.sync("g", b.memberId(), null, 1, List.of());
        f.sync("g", a.memberId(), "ia", 1, List.of(assignment(a.memberId(), new byte[]{1}),
                assignment(b.memberId(), new byte[]{2}))).join();

        ShardFixture restarted = f.restarted(ShardFixture.config(3000, Integer.MAX_VALUE));
        ClassicGroup before = f.group("g");
        ClassicGroup after = restarted.group("g");
        assertThat(after.state()).isEqualTo(GroupState.STABLE);
        assertThat(after.generationId()).isEqualTo(before.generationId());
        assertThat(after.leaderId()).isEqualTo(before.leaderId());
        assertThat(after.protocolType()).contains("consumer");
        assertThat(after.protocolName()).contains("range");
        assertThat(after.members()).extracting(ClassicMember::memberId)
                .containsExactlyInAnyOrderElementsOf(before.members().stream().map(ClassicMember::memberId).toList());
        assertThat(after.member(b.memberId()).assignment()).containsExactly(2);
        assertThat(after.staticMemberId("ia")).contains(a.memberId());
        // loaded members heartbeat on as before
        assertThat(restarted.heartbeat("g", b.memberId(), null, 1)).isEqualTo(Errors.NONE);
        assertThat(restarted.sync("g", a.memberId(), "ia", 1, List.of()).join().assignment()).containsExactly(1);
    }

    @Test
    void stateTransitionsFollowKafkasTable() {
        assertThat(GroupState.STABLE.canTransitionFrom(GroupState.COMPLETING_REBALANCE)).isTrue();
        assertThat(GroupState.STABLE.canTransitionFrom(GroupState.PREPARING_REBALANCE)).isFalse();
        assertThat(GroupState.COMPLETING_REBALANCE.canTransitionFrom(GroupState.STABLE)).isFalse();
        assertThat(GroupState.EMPTY.canTransitionFrom(GroupState.PREPARING_REBALANCE)).isTrue();
        assertThat(GroupState.PREPARING_REBALANCE.canTransitionFrom(GroupState.EMPTY)).isTrue();
        assertThat(GroupState.fromKafkaName("stable")).contains(GroupState.STABLE);
    }
}
