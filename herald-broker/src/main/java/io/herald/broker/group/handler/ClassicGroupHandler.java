package io.herald.broker.group.handler;

import io.herald.group.GroupCoordinator;
import io.herald.protocol.ApiHandler;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.SyncGroupRequest;

/**
 * The classic group protocol: JoinGroup, SyncGroup, Heartbeat, LeaveGroup. Requests go to the
 * {@link GroupCoordinator}; JoinGroup and SyncGroup answer when their rebalance phase completes. This class
 * only adapts versions (fields older versions cannot carry).
 */
public final class ClassicGroupHandler {
    private final GroupCoordinator coordinator;

    public ClassicGroupHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    public ApiHandler joinGroup() {
        return request -> {
            var data = ((JoinGroupRequest) request.body()).data();
            short version = request.apiVersion();
            return GroupResponses.answer(coordinator.joinGroup(GroupResponses.context(request), data),
                    r -> forVersion(r, version),
                    e -> forVersion(new JoinGroupResponseData().setErrorCode(e.code()).setMemberId(
                            data.memberId()).setLeader("").setProtocolName(null), version));
        };
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

    public ApiHandler syncGroup() {
        return request -> {
            var data = ((SyncGroupRequest) request.body()).data();
            return GroupResponses.answer(coordinator.syncGroup(data), r -> r,
                    e -> new SyncGroupResponseData().setErrorCode(e.code()).setAssignment(new byte[0]));
        };
    }

    public ApiHandler heartbeat() {
        return request -> {
            var data = ((HeartbeatRequest) request.body()).data();
            return GroupResponses.answer(coordinator.heartbeat(data),
                    error -> new HeartbeatResponseData().setErrorCode(error.code()),
                    e -> new HeartbeatResponseData().setErrorCode(e.code()));
        };
    }

    public ApiHandler leaveGroup() {
        return request -> {
            var data = ((LeaveGroupRequest) request.body()).data();
            short version = request.apiVersion();
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
        };
    }
}
