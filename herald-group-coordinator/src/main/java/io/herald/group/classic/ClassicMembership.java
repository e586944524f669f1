package io.herald.group.classic;

import io.herald.group.GroupConfig;
import io.herald.group.RequestContext;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The liveness side of classic group membership, after Kafka's {@code GroupMetadataManager}: Heartbeat (and
 * offset commits, which count as one), LeaveGroup (v3+: a batch of members, static ones by instance id),
 * and the expiry of a member's session, of a new member's join, or of an unused MEMBER_ID_REQUIRED id.
 * Removing a member hands the group to {@link ClassicRebalance}, which rebalances the rest.
 *
 * <p>Invariants: a removed member's parked JoinGroup and SyncGroup are answered UNKNOWN_MEMBER_ID (the client
 * rejoins from scratch) and its expiry is cancelled, so nothing waits on a member that is gone. An expiry
 * re-checks the member first: it may be gone already, or be parked in a rebalance, where it cannot heartbeat
 * and is not failed (unless it is new: its first join may have been abandoned).
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
final class ClassicMembership {
    private static final Logger log = LoggerFactory.getLogger(ClassicMembership.class);

    private final GroupConfig config;
    private final ClassicGroupRegistry groups;
    private final MemberSessions sessions;
    private final ClassicRebalance rebalance;

    ClassicMembership(GroupConfig config, ClassicGroupRegistry groups, MemberSessions sessions,
                      ClassicRebalance rebalance) {
        this.config = config;
        this.groups = groups;
        this.sessions = sessions;
        this.rebalance = rebalance;
    }

    /** Kafka's validateExistingMember: unknown id, or a static member whose id was replaced (fenced). */
    static Optional<Errors> validateExistingMember(ClassicGroup group, String memberId, String instanceId) {
        if (instanceId == null) {
            return group.hasMember(memberId) ? Optional.empty() : Optional.of(Errors.UNKNOWN_MEMBER_ID);
        }
        Optional<String> existing = group.staticMemberId(instanceId);
        if (existing.isEmpty()) {
            return Optional.of(Errors.UNKNOWN_MEMBER_ID);
        }
        return existing.get().equals(memberId) ? Optional.empty() : Optional.of(Errors.FENCED_INSTANCE_ID);
    }

    // ---- Heartbeat ----

    Errors heartbeat(HeartbeatRequestData req) {
        if (req.groupId() == null || req.groupId().isEmpty()) {
            return Errors.INVALID_GROUP_ID;
        }
        Optional<ClassicGroup> found = groups.group(req.groupId());
        if (found.isEmpty()) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        ClassicGroup group = found.get();
        if (group.isInState(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        Optional<Errors> error = validateExistingMember(group, req.memberId(), req.groupInstanceId());
        if (error.isPresent()) {
            return error.get();
        }
        if (req.generationId() != group.generationId()) {
            return Errors.ILLEGAL_GENERATION;
        }
        return switch (group.state()) {
            case EMPTY, DEAD -> Errors.UNKNOWN_MEMBER_ID;
            case PREPARING_REBALANCE -> {
                sessions.reschedule(group, group.member(req.memberId()));
                yield Errors.REBALANCE_IN_PROGRESS;
            }
            // Heartbeats may start right after the JoinGroup response, in CompletingRebalance.
            case COMPLETING_REBALANCE, STABLE -> {
                sessions.reschedule(group, group.member(req.memberId()));
                yield Errors.NONE;
            }
        };
    }

    /** A successful offset commit by a member counts as a heartbeat, as in Kafka. */
    void onMemberCommitted(ClassicGroup group, String memberId) {
        if (group.hasMember(memberId) && !group.isInState(GroupState.PREPARING_REBALANCE)) {
            sessions.reschedule(group, group.member(memberId));
        }
    }

    /** After a partition loaded: loaded members must heartbeat within their session timeout. */
    void onLoaded() {
        for (ClassicGroup group : groups.groups()) {
            for (ClassicMember m : group.members()) {
                sessions.reschedule(group, m);
            }
        }
    }

    // ---- LeaveGroup ----

    LeaveGroupResponseData leaveGroup(RequestContext ctx, LeaveGroupRequestData req) {
        List<LeaveGroupRequestData.MemberIdentity> leaving = ctx.apiVersion() >= 3 ? req.members()
                : List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(req.memberId()));
        LeaveGroupResponseData response = new LeaveGroupResponseData().setErrorCode(Errors.NONE.code());
        if (req.groupId() == null || req.groupId().isEmpty()) {
            return response.setErrorCode(Errors.INVALID_GROUP_ID.code());
        }
        Optional<ClassicGroup> group = groups.group(req.groupId());
        if (group.isPresent() && group.get().isInState(GroupState.DEAD)) {
            return response.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
        }
        for (LeaveGroupRequestData.MemberIdentity identity : leaving) {
            Errors error = group.isEmpty() ? Errors.UNKNOWN_MEMBER_ID : leave(group.get(), identity);
            response.members().add(new LeaveGroupResponseData.MemberResponse().setMemberId(identity.memberId())
                    .setGroupInstanceId(identity.groupInstanceId()).setErrorCode(error.code()));
        }
        return response;
    }

    private Errors leave(ClassicGroup group, LeaveGroupRequestData.MemberIdentity identity) {
        String memberId = identity.memberId() == null ? "" : identity.memberId();
        String instanceId = identity.groupInstanceId();
        if (instanceId != null) {
            Optional<String> existing = group.staticMemberId(instanceId);
            if (existing.isEmpty()) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            if (!memberId.isEmpty() && !existing.get().equals(memberId)) {
                return Errors.FENCED_INSTANCE_ID;
            }
            memberId = existing.get();
        } else if (group.isPendingMember(memberId)) {
            group.removePendingMember(memberId);
            sessions.cancel(group.groupId(), memberId);
            rebalance.maybeCompleteJoinPhase(group);
            return Errors.NONE;
        } else if (!group.hasMember(memberId)) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        log.info("Member {} leaves group {}", memberId, group.groupId());
        removeMemberAndUpdateGroup(group, group.member(memberId), "member " + memberId + " left the group");
        return Errors.NONE;
    }

    // ---- expiry ----

    /** A member's expiry ran out ({@link MemberSessions}): drop a pending id, or remove a failed member. */
    void onSessionExpired(String groupId, String memberId) {
        Optional<ClassicGroup> found = groups.group(groupId);
        if (found.isEmpty() || found.get().isInState(GroupState.DEAD)) {
            return;
        }
        ClassicGroup group = found.get();
        if (group.removePendingMember(memberId)) {
            if (group.isInState(GroupState.PREPARING_REBALANCE) && group.hasAllMembersJoined()) {
                rebalance.completeJoin(group);
            }
            return;
        }
        if (!group.hasMember(memberId)) {
            return;
        }
        ClassicMember member = group.member(memberId);
        if (!member.hasSatisfiedHeartbeat()) {
            log.info("Member {} of group {} has failed (no heartbeat within {} ms), removing it", memberId,
                    groupId, member.isNew() ? config.newMemberJoinTimeoutMs() : member.sessionTimeoutMs());
            removeMemberAndUpdateGroup(group, member, "member " + memberId + " failed its session");
        }
    }

    private void removeMemberAndUpdateGroup(ClassicGroup group, ClassicMember member, String reason) {
        // UNKNOWN_MEMBER_ID makes a still-alive client rejoin from scratch.
        member.completeJoin(ClassicResponses.joinError("", Errors.UNKNOWN_MEMBER_ID));
        member.completeSync(ClassicResponses.syncError(Errors.UNKNOWN_MEMBER_ID));
        sessions.cancel(group.groupId(), member.memberId());
        group.remove(member.memberId());
        switch (group.state()) {
            case STABLE, COMPLETING_REBALANCE -> rebalance.maybePrepareRebalanceOrCompleteJoin(group, reason);
            case PREPARING_REBALANCE -> {
                if (group.hasAllMembersJoined()) {
                    rebalance.completeJoin(group);
                }
            }
            case EMPTY, DEAD -> {
            }
        }
    }
}
