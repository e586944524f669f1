package io.herald.group.classic;

import io.herald.common.time.Time;
import io.herald.group.GroupConfig;
import io.herald.group.GroupTimer;
import io.herald.group.RecordSink;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rebalance of a classic group, after Kafka's {@code GroupMetadataManager}: PreparingRebalance (the join
 * phase, with {@code group.initial.rebalance.delay.ms} for a group that was empty and the rebalance timeout
 * otherwise), completing the join (dropping dynamic members that did not rejoin, electing a leader, the next
 * generation), CompletingRebalance (the wait for SyncGroups, with its pending-sync timeout), and SyncGroup,
 * where the leader's assignment is stored and handed out and the group becomes Stable.
 *
 * <p>Invariants: the join timer ({@link ClassicTimerKeys#join}) is armed only while the group is
 * PreparingRebalance: completing the join cancels it before the state changes. A member answered in a
 * generation stays in that generation's pending-sync set until its SyncGroup arrives; the sync timer
 * ({@link ClassicTimerKeys#sync}) removes the ones still there. Timer tasks re-check the group's state, and
 * the sync task the generation it was set for, since a timer may fire after the group moved on.
 *
 * <p>The metadata record of a generation is written when the leader's SyncGroup arrives or the join leaves the
 * group empty; it is not replayed, as the state already holds it (see {@link ClassicGroupManager}).
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
final class ClassicRebalance {
    private static final Logger log = LoggerFactory.getLogger(ClassicRebalance.class);

    private final GroupConfig config;
    private final Time time;
    private final GroupTimer timer;
    private final RecordSink sink;
    private final ClassicGroupRegistry groups;
    private final MemberSessions sessions;

    ClassicRebalance(GroupConfig config, Time time, GroupTimer timer, RecordSink sink, ClassicGroupRegistry groups,
                     MemberSessions sessions) {
        this.config = config;
        this.time = time;
        this.timer = timer;
        this.sink = sink;
        this.groups = groups;
        this.sessions = sessions;
    }

    // ---- join phase ----

    /** Membership changed: rebalance if the group may, else see whether the join phase under way is done. */
    void maybePrepareRebalanceOrCompleteJoin(ClassicGroup group, String reason) {
        if (group.canRebalance()) {
            prepareRebalance(group, reason);
        } else {
            maybeCompleteJoinPhase(group);
        }
    }

    void prepareRebalance(ClassicGroup group, String reason) {
        if (group.isInState(GroupState.COMPLETING_REBALANCE)) {
            resetAndPropagateAssignmentWithError(group, Errors.REBALANCE_IN_PROGRESS);
        }
        timer.cancel(ClassicTimerKeys.sync(group.groupId()));
        boolean initial = group.isInState(GroupState.EMPTY);
        group.transitionTo(GroupState.PREPARING_REBALANCE, time.milliseconds());
        log.info("Preparing to rebalance group {} in generation {}: {}", group.groupId(), group.generationId(),
                reason);
        String groupId = group.groupId();
        if (initial) {
            // group.initial.rebalance.delay.ms: let the other members of a starting application join first,
            // instead of rebalancing once per member.
            int delay = config.initialRebalanceDelayMs();
            int remaining = Math.max(rebalanceTimeout(group) - delay, 0);
            group.setNewMemberAdded(false);
            timer.schedule(ClassicTimerKeys.join(groupId), delay,
                    () -> tryCompleteInitialRebalance(groupId, delay, remaining));
        } else {
            timer.schedule(ClassicTimerKeys.join(groupId), rebalanceTimeout(group), () -> onJoinTimeout(groupId));
            maybeCompleteJoinPhase(group);
        }
    }

    private void tryCompleteInitialRebalance(String groupId, int delayMs, int remainingMs) {
        Optional<ClassicGroup> found = groups.group(groupId);
        if (found.isEmpty() || !found.get().isInState(GroupState.PREPARING_REBALANCE)) {
            return;
        }
        ClassicGroup group = found.get();
        if (group.newMemberAdded() && remainingMs != 0) {
            group.setNewMemberAdded(false);
            int newDelay = Math.min(config.initialRebalanceDelayMs(), remainingMs);
            int newRemaining = Math.max(remainingMs - delayMs, 0);
            timer.schedule(ClassicTimerKeys.join(groupId), newDelay, () -> tryCompleteInitialRebalance(groupId,
                    newDelay, newRemaining));
        } else {
            completeJoin(group);
        }
    }

    private void onJoinTimeout(String groupId) {
        groups.group(groupId).ifPresent(this::completeJoin);
    }

    void maybeCompleteJoinPhase(ClassicGroup group) {
        // The initial rebalance always waits out its delay (previous state Empty).
        if (group.isInState(GroupState.PREPARING_REBALANCE) && group.hasAllMembersJoined()
                && group.previousState() != GroupState.EMPTY) {
            completeJoin(group);
        }
    }

    /** Ends the join phase now: the members that rejoined form the next generation. */
    void completeJoin(ClassicGroup group) {
        timer.cancel(ClassicTimerKeys.join(group.groupId()));
        if (!group.isInState(GroupState.PREPARING_REBALANCE)) {
            return;
        }
        // Dynamic members that did not rejoin within the rebalance timeout are out; static members stay
        // (they are expected back and are removed by their session timeout).
        for (ClassicMember m : List.copyOf(group.members())) {
            if (!m.isAwaitingJoin() && !m.isStatic()) {
                log.info("Removing member {} from group {}: it did not rejoin in time", m.memberId(),
                        group.groupId());
                m.completeSync(new SyncGroupResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
                group.remove(m.memberId());
                sessions.cancel(group.groupId(), m.memberId());
            }
        }
        if (!group.maybeElectNewJoinedLeader() && group.size() > 0) {
            // Nobody rejoined: wait for session timeouts to remove the silent members.
            timer.schedule(ClassicTimerKeys.join(group.groupId()), rebalanceTimeout(group),
                    () -> onJoinTimeout(group.groupId()));
            return;
        }
        group.initNextGeneration(time.milliseconds());
        if (group.isInState(GroupState.EMPTY)) {
            log.info("Group {} with generation {} is now empty", group.groupId(), group.generationId());
            sink.writeApplied(ClassicGroupRecords.metadataRecord(group, ClassicMember::assignment));
            return;
        }
        log.info("Group {} entered generation {} with {} members (protocol {}, leader {})", group.groupId(),
                group.generationId(), group.size(), group.protocolName().orElse(""), group.leaderOrNull());
        for (ClassicMember m : group.members()) {
            JoinGroupResponseData response = ClassicResponses.currentGeneration(group, m);
            m.completeJoin(response);
            sessions.reschedule(group, m);
            m.setNew(false);
            group.pendingSyncMembers().add(m.memberId());
        }
        int generation = group.generationId();
        String groupId = group.groupId();
        timer.schedule(ClassicTimerKeys.sync(groupId), rebalanceTimeout(group),
                () -> onSyncTimeout(groupId, generation));
    }

    private void onSyncTimeout(String groupId, int generation) {
        Optional<ClassicGroup> found = groups.group(groupId);
        if (found.isEmpty()) {
            return;
        }
        ClassicGroup group = found.get();
        if (group.generationId() != generation || group.pendingSyncMembers().isEmpty()
                || !(group.isInState(GroupState.COMPLETING_REBALANCE) || group.isInState(GroupState.STABLE))) {
            return;
        }
        List<String> late = List.copyOf(group.pendingSyncMembers());
        for (String memberId : late) {
            ClassicMember m = group.member(memberId);
            m.completeSync(new SyncGroupResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
            group.remove(memberId);
            sessions.cancel(groupId, memberId);
        }
        maybePrepareRebalanceOrCompleteJoin(group, "removing " + late + " on pending sync request expiration");
    }

    // ---- SyncGroup ----

    void syncGroup(SyncGroupRequestData req, CompletableFuture<SyncGroupResponseData> future) {
        if (req.groupId() == null || req.groupId().isEmpty()) {
            future.complete(ClassicResponses.syncError(Errors.INVALID_GROUP_ID));
            return;
        }
        Optional<ClassicGroup> found = groups.group(req.groupId());
        if (found.isEmpty()) {
            future.complete(ClassicResponses.syncError(Errors.UNKNOWN_MEMBER_ID));
            return;
        }
        ClassicGroup group = found.get();
        if (group.isInState(GroupState.DEAD)) {
            future.complete(ClassicResponses.syncError(Errors.COORDINATOR_NOT_AVAILABLE));
            return;
        }
        Optional<Errors> error = ClassicMembership.validateExistingMember(group, req.memberId(),
                req.groupInstanceId());
        if (error.isEmpty() && req.generationId() != group.generationId()) {
            error = Optional.of(Errors.ILLEGAL_GENERATION);
        }
        if (error.isEmpty() && ((req.protocolType() != null
                && !group.protocolType().map(req.protocolType()::equals).orElse(false))
                || (req.protocolName() != null
                && !group.protocolName().map(req.protocolName()::equals).orElse(false)))) {
            error = Optional.of(Errors.INCONSISTENT_GROUP_PROTOCOL);
        }
        if (error.isPresent()) {
            future.complete(ClassicResponses.syncError(error.get()));
            return;
        }
        ClassicMember member = group.member(req.memberId());
        switch (group.state()) {
            case PREPARING_REBALANCE -> future.complete(ClassicResponses.syncError(Errors.REBALANCE_IN_PROGRESS));
            case COMPLETING_REBALANCE -> {
                member.completeSync(ClassicResponses.syncError(Errors.REBALANCE_IN_PROGRESS));
                member.awaitSync(future);
                group.pendingSyncMembers().remove(member.memberId());
                if (group.isLeader(member.memberId())) {
                    completeSync(group, req);
                }
            }
            case STABLE -> {
                group.pendingSyncMembers().remove(member.memberId());
                sessions.reschedule(group, member);
                future.complete(ClassicResponses.sync(group, member));
            }
            case EMPTY, DEAD -> future.complete(ClassicResponses.syncError(Errors.UNKNOWN_MEMBER_ID));
        }
    }

    /** The leader's assignment arrived: persist it, then hand every member its part. */
    private void completeSync(ClassicGroup group, SyncGroupRequestData leaderRequest) {
        Map<String, byte[]> assignments = new HashMap<>();
        for (SyncGroupRequestData.SyncGroupRequestAssignment a : leaderRequest.assignments()) {
            assignments.put(a.memberId(), a.assignment());
        }
        // Members the leader left out get an empty assignment, as in Kafka.
        Function<ClassicMember, byte[]> assignmentOf = m -> assignments.getOrDefault(m.memberId(), new byte[0]);
        // If this write fails the runtime reloads the partition: the members' answers fail with it and they
        // rejoin, as after a coordinator move.
        sink.writeApplied(ClassicGroupRecords.metadataRecord(group, assignmentOf));
        for (ClassicMember m : group.members()) {
            m.setAssignment(assignmentOf.apply(m));
        }
        group.transitionTo(GroupState.STABLE, time.milliseconds());
        for (ClassicMember m : group.members()) {
            if (m.completeSync(ClassicResponses.sync(group, m))) {
                sessions.reschedule(group, m);
            }
        }
        log.info("Group {} is stable in generation {}", group.groupId(), group.generationId());
    }

    private void resetAndPropagateAssignmentWithError(ClassicGroup group, Errors error) {
        for (ClassicMember m : group.members()) {
            m.setAssignment(new byte[0]);
            m.completeSync(ClassicResponses.syncError(error));
        }
    }

    private static int rebalanceTimeout(ClassicGroup group) {
        return group.members().stream().mapToInt(ClassicMember::rebalanceTimeoutMs).max().orElse(0);
    }
}
