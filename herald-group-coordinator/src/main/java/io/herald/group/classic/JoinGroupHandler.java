package io.herald.group.classic;

import io.herald.group.GroupConfig;
import io.herald.group.RecordSink;
import io.herald.group.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JoinGroup of the classic protocol, after Kafka's {@code GroupMetadataManager}: validates the request
 * (group id, session timeout bounds, {@code group.max.size}, protocol compatibility), admits new members
 * (v4+: MEMBER_ID_REQUIRED first, KIP-394), updates rejoining ones, and replaces a static member whose
 * instance id rejoins under a new member id (KIP-345). The join itself is parked on the member and answered
 * by {@link ClassicRebalance} when the join phase completes, or answered at once when the member's view of
 * the current generation is still right.
 *
 * <p>Invariants: every member added here has an expiry armed in {@link MemberSessions} (the new-member join
 * timeout, or for a pending id its session timeout), so an abandoned join never stays; a member has at most
 * one parked JoinGroup: a newer one answers the older with REBALANCE_IN_PROGRESS, and a replaced static
 * member's parked requests are answered FENCED_INSTANCE_ID.
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
final class JoinGroupHandler {
    private static final Logger log = LoggerFactory.getLogger(JoinGroupHandler.class);

    private final GroupConfig config;
    private final RecordSink sink;
    private final ClassicGroupRegistry groups;
    private final MemberSessions sessions;
    private final ClassicRebalance rebalance;

    JoinGroupHandler(GroupConfig config, RecordSink sink, ClassicGroupRegistry groups, MemberSessions sessions,
                     ClassicRebalance rebalance) {
        this.config = config;
        this.sink = sink;
        this.groups = groups;
        this.sessions = sessions;
        this.rebalance = rebalance;
    }

    void joinGroup(RequestContext ctx, JoinGroupRequestData req, CompletableFuture<JoinGroupResponseData> future) {
        String groupId = req.groupId();
        String memberId = req.memberId() == null ? "" : req.memberId();
        if (groupId == null || groupId.isEmpty()) {
            future.complete(ClassicResponses.joinError(memberId, Errors.INVALID_GROUP_ID));
            return;
        }
        if (req.sessionTimeoutMs() < config.minSessionTimeoutMs()
                || req.sessionTimeoutMs() > config.maxSessionTimeoutMs()) {
            future.complete(ClassicResponses.joinError(memberId, Errors.INVALID_SESSION_TIMEOUT));
            return;
        }
        boolean unknownMember = memberId.isEmpty();
        Optional<ClassicGroup> existing = groups.group(groupId);
        if (existing.isEmpty() && !unknownMember) {
            future.complete(ClassicResponses.joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
            return;
        }
        ClassicGroup group = existing.orElseGet(() -> groups.getOrCreate(groupId));
        if (!acceptJoiningMember(group, memberId)) {
            future.complete(ClassicResponses.joinError(memberId, Errors.GROUP_MAX_SIZE_REACHED));
            return;
        }
        if (unknownMember) {
            joinNewMember(ctx, req, group, future);
        } else {
            joinExistingMember(ctx, req, group, future);
        }
    }

    private boolean acceptJoiningMember(ClassicGroup group, String memberId) {
        return switch (group.state()) {
            case EMPTY, DEAD -> true;
            // Counting members that rejoined (not the group size) kicks out the last ones to rejoin when
            // group.max.size was lowered, as Kafka does.
            case PREPARING_REBALANCE -> (group.hasMember(memberId) && group.member(memberId).isAwaitingJoin())
                    || group.members().stream().filter(ClassicMember::isAwaitingJoin).count() < config.maxSize();
            case COMPLETING_REBALANCE, STABLE -> group.hasMember(memberId) || group.size() < config.maxSize();
        };
    }

    private void joinNewMember(RequestContext ctx, JoinGroupRequestData req, ClassicGroup group,
                               CompletableFuture<JoinGroupResponseData> future) {
        List<ClassicMember.Protocol> protocols = protocols(req);
        if (group.isInState(GroupState.DEAD)) {
            future.complete(ClassicResponses.joinError("", Errors.COORDINATOR_NOT_AVAILABLE));
            return;
        }
        if (!group.supportsProtocols(req.protocolType(), protocols)) {
            future.complete(ClassicResponses.joinError("", Errors.INCONSISTENT_GROUP_PROTOCOL));
            return;
        }
        String newMemberId = ctx.clientId() + "-" + UUID.randomUUID();
        String instanceId = req.groupInstanceId();
        if (instanceId != null) {
            Optional<String> existing = group.staticMemberId(instanceId);
            if (existing.isPresent()) {
                replaceStaticMember(req, group, existing.get(), newMemberId, future);
            } else {
                addMemberThenRebalanceOrCompleteJoin(ctx, req, group, newMemberId, future);
            }
        } else if (ctx.apiVersion() >= 4) {
            // KIP-394: hand out the id first, so a client that times out and retries does not leave a
            // defunct member behind; the pending id expires after the session timeout if never used.
            group.addPendingMember(newMemberId);
            sessions.expireAfter(group.groupId(), newMemberId, req.sessionTimeoutMs());
            future.complete(ClassicResponses.joinError(newMemberId, Errors.MEMBER_ID_REQUIRED));
        } else {
            addMemberThenRebalanceOrCompleteJoin(ctx, req, group, newMemberId, future);
        }
    }

    private void joinExistingMember(RequestContext ctx, JoinGroupRequestData req, ClassicGroup group,
                                    CompletableFuture<JoinGroupResponseData> future) {
        String memberId = req.memberId();
        List<ClassicMember.Protocol> protocols = protocols(req);
        if (group.isInState(GroupState.DEAD)) {
            future.complete(ClassicResponses.joinError(memberId, Errors.COORDINATOR_NOT_AVAILABLE));
            return;
        }
        if (!group.supportsProtocols(req.protocolType(), protocols)) {
            future.complete(ClassicResponses.joinError(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL));
            return;
        }
        if (group.isPendingMember(memberId)) {
            addMemberThenRebalanceOrCompleteJoin(ctx, req, group, memberId, future);
            return;
        }
        Optional<Errors> error = ClassicMembership.validateExistingMember(group, memberId, req.groupInstanceId());
        if (error.isPresent()) {
            future.complete(ClassicResponses.joinError(memberId, error.get()));
            return;
        }
        ClassicMember member = group.member(memberId);
        switch (group.state()) {
            case PREPARING_REBALANCE -> updateMemberThenRebalanceOrCompleteJoin(req, group, member, future);
            case COMPLETING_REBALANCE -> {
                if (member.matches(protocols)) {
                    // Same metadata: the member probably lost the JoinGroup response; answer it again.
                    future.complete(ClassicResponses.currentGeneration(group, member));
                } else {
                    updateMemberThenRebalanceOrCompleteJoin(req, group, member, future);
                }
            }
            case STABLE -> {
                // A rejoining leader forces a rebalance: that is how it reacts to changes that do not show in
                // member metadata (e.g. new partitions of a subscribed topic).
                if (group.isLeader(memberId) || !member.matches(protocols)) {
                    updateMemberThenRebalanceOrCompleteJoin(req, group, member, future);
                } else {
                    future.complete(ClassicResponses.currentGeneration(group, member));
                }
            }
            case EMPTY, DEAD -> future.complete(ClassicResponses.joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
        }
    }

    private void addMemberThenRebalanceOrCompleteJoin(RequestContext ctx, JoinGroupRequestData req,
                                                      ClassicGroup group, String memberId,
                                                      CompletableFuture<JoinGroupResponseData> future) {
        if (group.size() == 0) {
            group.setProtocolType(req.protocolType());
        }
        ClassicMember member = new ClassicMember(memberId, Optional.ofNullable(req.groupInstanceId()),
                ctx.clientId(), ctx.clientHost(), rebalanceTimeout(req), req.sessionTimeoutMs(), protocols(req));
        member.setNew(true);
        if (group.isInState(GroupState.PREPARING_REBALANCE) && group.previousState() == GroupState.EMPTY) {
            group.setNewMemberAdded(true);
        }
        group.add(member);
        member.awaitJoin(future);
        // A parked first join cannot heartbeat and its disconnect is not seen: time it out so abandoned
        // attempts do not pile up as defunct members (Kafka's new-member join timeout).
        sessions.expireAfter(group.groupId(), memberId, config.newMemberJoinTimeoutMs());
        rebalance.maybePrepareRebalanceOrCompleteJoin(group, "adding new member " + memberId);
    }

    private void updateMemberThenRebalanceOrCompleteJoin(JoinGroupRequestData req, ClassicGroup group,
                                                         ClassicMember member,
                                                         CompletableFuture<JoinGroupResponseData> future) {
        member.update(protocols(req), rebalanceTimeout(req), req.sessionTimeoutMs());
        // A JoinGroup already parked for this member is superseded; answer it rather than leave it hanging.
        member.completeJoin(ClassicResponses.joinError(member.memberId(), Errors.REBALANCE_IN_PROGRESS));
        member.awaitJoin(future);
        rebalance.maybePrepareRebalanceOrCompleteJoin(group, "member " + member.memberId() + " rejoining in "
                + group.state().kafkaName());
    }

    private void replaceStaticMember(JoinGroupRequestData req, ClassicGroup group, String oldMemberId,
                                     String newMemberId, CompletableFuture<JoinGroupResponseData> future) {
        ClassicMember old = group.member(oldMemberId);
        ClassicMember replacement = old.withMemberId(newMemberId);
        replacement.update(protocols(req), rebalanceTimeout(req), req.sessionTimeoutMs());
        group.replaceStaticMember(req.groupInstanceId(), oldMemberId, replacement);
        // The old incarnation may still be parked: fence it now (KIP-345).
        old.completeJoin(ClassicResponses.joinError(oldMemberId, Errors.FENCED_INSTANCE_ID));
        old.completeSync(new SyncGroupResponseData().setErrorCode(Errors.FENCED_INSTANCE_ID.code()));
        sessions.cancel(group.groupId(), oldMemberId);
        sessions.reschedule(group, replacement);
        replacement.awaitJoin(future);
        log.info("Static member {} of group {} rejoined as {} (replacing {})", req.groupInstanceId(),
                group.groupId(), newMemberId, oldMemberId);
        switch (group.state()) {
            case STABLE -> {
                if (!group.protocolName().orElse("").equals(group.selectProtocol())) {
                    rebalance.maybePrepareRebalanceOrCompleteJoin(group,
                            "static member changed the selected protocol");
                    return;
                }
                // Same protocol: the static member keeps its assignment and nobody rebalances; only the new
                // member id needs to be durable.
                sink.writeApplied(ClassicGroupRecords.metadataRecord(group, ClassicMember::assignment));
                boolean leader = group.isLeader(newMemberId);
                replacement.completeJoin(ClassicResponses.currentGeneration(group, replacement)
                        .setSkipAssignment(leader));
            }
            // The old incarnation may have sent SyncGroup already; start over so everyone agrees.
            case COMPLETING_REBALANCE -> rebalance.prepareRebalance(group,
                    "static member replaced during CompletingRebalance");
            case PREPARING_REBALANCE -> rebalance.maybeCompleteJoinPhase(group);
            case EMPTY, DEAD -> throw new IllegalStateException("Group " + group.groupId() + " in state "
                    + group.state() + " has static member " + oldMemberId);
        }
    }

    private static List<ClassicMember.Protocol> protocols(JoinGroupRequestData req) {
        List<ClassicMember.Protocol> list = new ArrayList<>();
        for (JoinGroupRequestData.JoinGroupRequestProtocol p : req.protocols()) {
            list.add(new ClassicMember.Protocol(p.name(), p.metadata() == null ? new byte[0] : p.metadata()));
        }
        return list;
    }

    /** v0 has no rebalance timeout: Kafka uses the session timeout. */
    private static int rebalanceTimeout(JoinGroupRequestData req) {
        return req.rebalanceTimeoutMs() < 0 ? req.sessionTimeoutMs() : req.rebalanceTimeoutMs();
    }
}
