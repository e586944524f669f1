package io.herald.broker.group.handler;

import io.herald.broker.security.Authorization;
import io.herald.group.GroupCoordinator;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.SyncGroupRequest;

/**
 * The classic group protocol: JoinGroup, SyncGroup, Heartbeat, LeaveGroup. Requests go to the
 * {@link GroupCoordinator}; JoinGroup and SyncGroup answer when their rebalance phase completes. This class
 * adapts versions (fields older versions cannot carry) and checks, as Kafka's KafkaApis does, that the principal may
 * READ the group: a refused request answers GROUP_AUTHORIZATION_FAILED (the Java consumer's
 * GroupAuthorizationException) without reaching the coordinator.
 *
 * <p>Thread-safe.
 */
public final class ClassicGroupHandler {
    private final GroupCoordinator coordinator;
    private final Authorization authorization;

    public ClassicGroupHandler(GroupCoordinator coordinator, Authorization authorization) {
        this.coordinator = coordinator;
        this.authorization = authorization;
    }

    /**
     * JoinGroup v0 to v9: the coordinator hands out member ids first from v4 (KIP-394) and knows static members
     * from v5; this adapter fills what each version can carry (protocol type from v7, KIP-559; skip_assignment
     * only from v9, KIP-814).
     */
    public ServedApi joinGroup() {
        return new ServedApi(ApiKeys.JOIN_GROUP, VersionRange.of(0, 9), request -> {
            var data = ((JoinGroupRequest) request.body()).data();
            short version = request.apiVersion();
            if (!authorization.group(request, AclOperation.READ, data.groupId())) {
                return GroupResponses.refuse(request, Errors.GROUP_AUTHORIZATION_FAILED);
            }
            return GroupResponses.answer(coordinator.joinGroup(GroupResponses.context(request), data),
                    r -> forVersion(r, version),
                    e -> forVersion(new JoinGroupResponseData().setErrorCode(e.code()).setMemberId(
                            data.memberId()).setLeader("").setProtocolName(null), version));
        });
    }

    private static JoinGroupResponseData forVersion(JoinGroupResponseData r, short version) {
        if (version < 7 && r.protocolName() == null) {
            r.setProtocolName(""); // nullable only from v7
        }
        if (r.leader() == null) {
            r.setLeader("");
        }
        if (version < 9) {
            r.setSkipAssignment(false); // KIP-814 is v9+
        }
        return r;
    }

    /**
     * SyncGroup v0 to v5: static members from v3; from v5 the protocol type and name are mandatory (KIP-559,
     * INCONSISTENT_GROUP_PROTOCOL without them, checked before the ACL as KafkaApis does) and the coordinator
     * checks and returns them.
     */
    public ServedApi syncGroup() {
        return new ServedApi(ApiKeys.SYNC_GROUP, VersionRange.of(0, 5), request -> {
            SyncGroupRequest sync = (SyncGroupRequest) request.body();
            var data = sync.data();
            if (!sync.areMandatoryProtocolTypeAndNamePresent()) {
                return GroupResponses.refuse(request, Errors.INCONSISTENT_GROUP_PROTOCOL);
            }
            if (!authorization.group(request, AclOperation.READ, data.groupId())) {
                return GroupResponses.refuse(request, Errors.GROUP_AUTHORIZATION_FAILED);
            }
            return GroupResponses.answer(coordinator.syncGroup(data), r -> r,
                    e -> new SyncGroupResponseData().setErrorCode(e.code()).setAssignment(new byte[0]));
        });
    }

    /** Heartbeat v0 to v4: static members from v3, flexible encoding from v4. */
    public ServedApi heartbeat() {
        return new ServedApi(ApiKeys.HEARTBEAT, VersionRange.of(0, 4), request -> {
            var data = ((HeartbeatRequest) request.body()).data();
            if (!authorization.group(request, AclOperation.READ, data.groupId())) {
                return GroupResponses.refuse(request, Errors.GROUP_AUTHORIZATION_FAILED);
            }
            return GroupResponses.answer(coordinator.heartbeat(data),
                    error -> new HeartbeatResponseData().setErrorCode(error.code()),
                    e -> new HeartbeatResponseData().setErrorCode(e.code()));
        });
    }

    /** LeaveGroup v0 to v5: one member up to v2, a batch of members from v3 (KIP-345), a reason from v5. */
    public ServedApi leaveGroup() {
        return new ServedApi(ApiKeys.LEAVE_GROUP, VersionRange.of(0, 5), request -> {
            var data = ((LeaveGroupRequest) request.body()).data();
            short version = request.apiVersion();
            if (!authorization.group(request, AclOperation.READ, data.groupId())) {
                return GroupResponses.refuse(request, Errors.GROUP_AUTHORIZATION_FAILED);
            }
            return GroupResponses.answer(coordinator.leaveGroup(GroupResponses.context(request), data), r -> {
                if (version < 3 && r.errorCode() == Errors.NONE.code() && !r.members().isEmpty()) {
                    // v0-v2 have one member and no member list: its error is the answer.
                    r.setErrorCode(r.members().get(0).errorCode());
                }
                if (version < 3) {
                    r.members().clear();
                }
                return r;
            }, e -> new LeaveGroupResponseData().setErrorCode(e.code()));
        });
    }
}
