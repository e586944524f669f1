package io.herald.group.share;

import io.herald.common.time.Time;
import io.herald.coordinator.share.SharePartitionKey;
import io.herald.group.GroupTimer;
import io.herald.group.RequestContext;
import io.herald.group.config.GroupConfigView;
import io.herald.group.config.ShareGroupSettings;
import io.herald.group.consumer.TopicsView;
import io.herald.group.record.ShareGroupRecord.CurrentAssignment;
import io.herald.group.record.ShareGroupRecord.CurrentAssignmentRemoved;
import io.herald.group.record.ShareGroupRecord.GroupEpoch;
import io.herald.group.record.ShareGroupRecord.MemberMetadata;
import io.herald.group.record.ShareGroupRecord.MemberRemoved;
import io.herald.group.record.ShareGroupRecord.TargetAssignmentMemberRemoved;
import io.herald.group.record.ShareGroupRecord.TopicPartitions;
import io.herald.group.share.SimpleAssignor.SubscriptionType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ShareGroupHeartbeat (KIP-932) and the session timeout, rule for rule as Kafka 4.3.1's
 * {@code GroupMetadataManager.shareGroupHeartbeat}: a member joins with epoch 0 and a client-chosen member id,
 * heartbeats with the epoch it was given (or the previous one, if the answer that moved it on was lost), and
 * leaves with -1; the group epoch moves when membership, a subscription or the subscribed topics change, or when
 * newly initialized share-partitions wait to be assigned; the target is then recomputed by {@link SimpleAssignor}
 * and a member takes its target at once (share members revoke nothing). A heartbeat also decides which subscribed
 * share-partitions must be initialized first ({@link ShareStatePartitions#toInitialize}); the coordinator does so
 * after the heartbeat committed, and members get a partition only once it is initialized.
 *
 * <p>Every check runs before the first record is written (the runtime's contract), and each failure is an answer:
 * the response's error code and message. Session deadlines are soft: a keyed timer per member, re-armed by every
 * heartbeat and, after a load, for every member.
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
final class ShareGroupMembership {
    private static final Logger log = LoggerFactory.getLogger(ShareGroupMembership.class);

    private final Time time;
    private final GroupTimer timer;
    private final GroupConfigView configs;
    private final ShareGroupStore store;
    private final Predicate<String> otherGroupTypeExists;
    private final long initializeRetryIntervalMs;
    private final ShareTargetAssignment targets = new ShareTargetAssignment();

    /**
     * @param otherGroupTypeExists whether a classic or consumer group has this id (a share heartbeat then fails)
     * @param initializeRetryIntervalMs how long a share-partition may stay initializing before a heartbeat
     *                                  initializes it again (Kafka's group.share.initialize.retry.interval.ms)
     */
    ShareGroupMembership(Time time, GroupTimer timer, GroupConfigView configs, ShareGroupStore store,
                         Predicate<String> otherGroupTypeExists, long initializeRetryIntervalMs) {
        this.time = time;
        this.timer = timer;
        this.configs = configs;
        this.store = store;
        this.otherGroupTypeExists = otherGroupTypeExists;
        this.initializeRetryIntervalMs = initializeRetryIntervalMs;
    }

    ShareHeartbeatResult heartbeat(RequestContext ctx, ShareGroupHeartbeatRequestData req, TopicsView topics) {
        try {
            ShareHeartbeatValidator.validate(req);
            if (req.memberEpoch() == ShareHeartbeatValidator.LEAVE_GROUP_MEMBER_EPOCH) {
                return new ShareHeartbeatResult(leave(req, topics), List.of());
            }
            return regularHeartbeat(ctx, req, topics);
        } catch (ShareGroupException e) {
            return new ShareHeartbeatResult(new ShareGroupHeartbeatResponseData().setErrorCode(e.error().code())
                    .setErrorMessage(e.getMessage()), List.of());
        }
    }

    private ShareHeartbeatResult regularHeartbeat(RequestContext ctx, ShareGroupHeartbeatRequestData req,
                                                  TopicsView topics) {
        String groupId = req.groupId();
        String memberId = req.memberId();
        int requestEpoch = req.memberEpoch();
        boolean joining = requestEpoch == 0;
        ShareGroupSettings settings = configs.share(groupId);

        // 1. Which group and member: every check before the first record.
        Optional<ShareGroup> existing = existingOrNew(groupId, joining);
        Optional<ShareGroup.Member> member = existing.flatMap(g -> g.member(memberId));
        int members = existing.map(g -> g.members().size()).orElse(0);
        if (members >= settings.maxSize() && member.isEmpty()) {
            throw new ShareGroupException(Errors.GROUP_MAX_SIZE_REACHED, "The share group has reached its maximum "
                    + "capacity of " + settings.maxSize() + " members.");
        }
        if (member.isEmpty() && !joining) {
            throw unknownMember(memberId, groupId);
        }
        CurrentAssignment before = member.map(ShareGroup.Member::current)
                .orElse(new CurrentAssignment(groupId, memberId, 0, -1, Map.of()));
        throwIfEpochFenced(before, requestEpoch);

        // 2. Metadata; whether the target assignment's inputs changed.
        Optional<MemberMetadata> previous = member.map(ShareGroup.Member::metadata);
        MemberMetadata metadata = new MemberMetadata(groupId, memberId,
                req.rackId() != null ? Optional.of(req.rackId()) : previous.flatMap(MemberMetadata::rackId),
                ctx.clientId(), ctx.clientHost(),
                req.subscribedTopicNames() != null ? req.subscribedTopicNames()
                        : previous.map(MemberMetadata::subscribedTopicNames).orElse(List.of()));
        boolean subscriptionChanged = !metadata.subscribedTopicNames()
                .equals(previous.map(MemberMetadata::subscribedTopicNames).orElse(List.of()));
        // Decided on the group as it was, as Kafka: newly initialized share-partitions no target covers yet.
        boolean bump = subscriptionChanged || existing.map(g -> g.groupEpoch() <= g.assignmentEpoch()
                && ShareTargetAssignment.initializedAssignmentPending(g, topics)).orElse(false);

        // 3. Write; from here on nothing throws.
        if (previous.isEmpty() || !metadata.equals(previous.get())) {
            store.write(metadata);
        }
        ShareGroup group = store.group(groupId).orElseThrow();
        Map<String, Integer> subscriptions = ShareTargetAssignment.subscriptionCounts(group.members().values());
        long metadataHash = ShareTargetAssignment.metadataHash(subscriptions.keySet(), topics);
        SubscriptionType type = ShareTargetAssignment.subscriptionType(subscriptions, group.members().size());
        bump |= metadataHash != group.metadataHash();
        int groupEpoch = group.groupEpoch();
        if (bump) {
            groupEpoch += 1;
            store.write(new GroupEpoch(groupId, groupEpoch, metadataHash));
            log.info("[GroupId {}] Bumped the share group epoch to {}.", groupId, groupEpoch);
        }
        if (groupEpoch > group.assignmentEpoch()) {
            targets.targetAssignment(group, groupEpoch, type, topics).forEach(store::write);
        }

        // 4. The member takes its target (only its subscribed topics) when the target moved on or it resubscribed.
        ShareGroup.Member self = group.member(memberId).orElseThrow();
        CurrentAssignment stored = self.current();
        Map<Uuid, Set<Integer>> target = ShareTargetAssignment.subscribedOnly(self.target(),
                metadata.subscribedTopicNames(), topics);
        CurrentAssignment next = stored;
        if (group.assignmentEpoch() != stored.memberEpoch()) {
            next = new CurrentAssignment(groupId, memberId, group.assignmentEpoch(), stored.memberEpoch(), target);
        } else if (bump) {
            next = new CurrentAssignment(groupId, memberId, stored.memberEpoch(), stored.previousMemberEpoch(), target);
        }
        if (!next.equals(stored) || member.isEmpty()) {
            store.write(next);
        }

        // 5. Share-partitions to initialize before they can be assigned.
        List<SharePartitionInit> initializations = new ArrayList<>();
        Map<Uuid, TopicPartitions> toInitialize = ShareStatePartitions.toInitialize(group, subscriptions.keySet(),
                topics, time.milliseconds(), initializeRetryIntervalMs);
        if (!toInitialize.isEmpty()) {
            store.write(ShareStatePartitions.withInitializing(group.statePartitions(), toInitialize));
            int stateEpoch = groupEpoch;
            toInitialize.forEach((topicId, tp) -> tp.partitions().forEach(p -> initializations.add(
                    new SharePartitionInit(new SharePartitionKey(groupId, topicId, p), tp.topicName(), stateEpoch,
                            SharePartitionInit.UNINITIALIZED_START_OFFSET))));
        }

        scheduleSession(groupId, memberId, settings.sessionTimeoutMs());
        ShareGroupHeartbeatResponseData response = new ShareGroupHeartbeatResponseData()
                .setMemberId(memberId)
                .setMemberEpoch(next.memberEpoch())
                .setHeartbeatIntervalMs(settings.heartbeatIntervalMs());
        // Kafka sends the assignment on joins, on full requests (the subscription is set) and when it changed.
        if (joining || req.subscribedTopicNames() != null || !next.assigned().equals(before.assigned())) {
            response.setAssignment(toResponse(next.assigned()));
        }
        return new ShareHeartbeatResult(response, initializations);
    }

    /** A member leaves (epoch -1): it is fenced, as by its session timeout. */
    private ShareGroupHeartbeatResponseData leave(ShareGroupHeartbeatRequestData req, TopicsView topics) {
        String groupId = req.groupId();
        ShareGroup group = shareGroup(groupId);
        if (group.member(req.memberId()).isEmpty()) {
            throw unknownMember(req.memberId(), groupId);
        }
        log.info("[GroupId {}] Member {} left the share group.", groupId, req.memberId());
        fence(group, req.memberId(), Optional.of(topics));
        return new ShareGroupHeartbeatResponseData().setMemberId(req.memberId())
                .setMemberEpoch(ShareHeartbeatValidator.LEAVE_GROUP_MEMBER_EPOCH);
    }

    /**
     * Removes a member and bumps the group epoch, so the others' next heartbeats recompute the target. The
     * metadata hash is refreshed when the topics are at hand (a leave); after a session timeout the next heartbeat
     * refreshes it.
     */
    private void fence(ShareGroup group, String memberId, Optional<TopicsView> topics) {
        String groupId = group.groupId();
        store.write(new CurrentAssignmentRemoved(groupId, memberId));
        store.write(new TargetAssignmentMemberRemoved(groupId, memberId));
        store.write(new MemberRemoved(groupId, memberId));
        long hash = topics.map(t -> ShareTargetAssignment.metadataHash(
                ShareTargetAssignment.subscriptionCounts(group.members().values()).keySet(), t))
                .orElse(group.metadataHash());
        store.write(new GroupEpoch(groupId, group.groupEpoch() + 1, hash));
        timer.cancel(sessionKey(groupId, memberId));
    }

    // ---- sessions ----

    /** After a load: every member gets a full session timeout from now, as Kafka does when it takes over. */
    void onLoaded() {
        for (ShareGroup g : store.groups()) {
            for (String memberId : g.members().keySet()) {
                scheduleSession(g.groupId(), memberId, configs.share(g.groupId()).sessionTimeoutMs());
            }
        }
    }

    private void scheduleSession(String groupId, String memberId, long timeoutMs) {
        timer.schedule(sessionKey(groupId, memberId), timeoutMs, () -> onSessionExpired(groupId, memberId));
    }

    private void onSessionExpired(String groupId, String memberId) {
        Optional<ShareGroup> group = store.group(groupId);
        if (group.isPresent() && group.get().member(memberId).isPresent()) {
            log.info("[GroupId {}] Member {} fenced from the share group because its session expired.", groupId,
                    memberId);
            fence(group.get(), memberId, Optional.empty());
        }
    }

    static String sessionKey(String groupId, String memberId) {
        // Lengths first: no pair of ids can make the same key.
        return "share-session-" + groupId.length() + ":" + groupId + ":" + memberId;
    }

    // ---- checks ----

    /** The share group, or GROUP_ID_NOT_FOUND with Kafka's message (unknown, or another type of group). */
    ShareGroup shareGroup(String groupId) {
        Optional<ShareGroup> group = store.group(groupId);
        if (group.isPresent()) {
            return group.get();
        }
        throw ShareGroupException.groupNotFound(otherGroupTypeExists.test(groupId)
                ? "Group " + groupId + " is not a share group." : "Group " + groupId + " not found.");
    }

    /** Kafka's getOrMaybeCreateShareGroup: empty when the group is to be created by this heartbeat. */
    Optional<ShareGroup> existingOrNew(String groupId, boolean create) {
        if (otherGroupTypeExists.test(groupId)) {
            throw ShareGroupException.groupNotFound("Group " + groupId + " is not a share group.");
        }
        Optional<ShareGroup> group = store.group(groupId);
        if (group.isEmpty() && !create) {
            throw ShareGroupException.groupNotFound("Share group " + groupId + " not found.");
        }
        return group;
    }

    private static ShareGroupException unknownMember(String memberId, String groupId) {
        return new ShareGroupException(Errors.UNKNOWN_MEMBER_ID,
                "Member " + memberId + " is not a member of group " + groupId + ".");
    }

    /**
     * Kafka's throwIfShareGroupMemberEpochIsInvalid: epoch 0 (re)joins; otherwise the member's epoch, or its
     * previous one when the answer that moved it on was lost. Share members own nothing exclusively, so unlike a
     * consumer member's nothing else is compared.
     */
    private static void throwIfEpochFenced(CurrentAssignment current, int requestEpoch) {
        if (requestEpoch == 0) {
            return;
        }
        if (requestEpoch > current.memberEpoch()) {
            throw new ShareGroupException(Errors.FENCED_MEMBER_EPOCH, "The share group member has a greater member "
                    + "epoch (" + requestEpoch + ") than the one known by the group coordinator ("
                    + current.memberEpoch() + "). The member must abandon all its partitions and rejoin.");
        }
        if (requestEpoch < current.memberEpoch() && requestEpoch != current.previousMemberEpoch()) {
            throw new ShareGroupException(Errors.FENCED_MEMBER_EPOCH, "The share group member has a smaller member "
                    + "epoch (" + requestEpoch + ") than the one known by the group coordinator ("
                    + current.memberEpoch() + "), and it does not match the previous member epoch ("
                    + current.previousMemberEpoch() + "). The member must abandon all its partitions and rejoin.");
        }
    }

    private static ShareGroupHeartbeatResponseData.Assignment toResponse(Map<Uuid, Set<Integer>> assigned) {
        List<ShareGroupHeartbeatResponseData.TopicPartitions> out = new ArrayList<>();
        assigned.forEach((topic, partitions) -> out.add(new ShareGroupHeartbeatResponseData.TopicPartitions()
                .setTopicId(topic).setPartitions(new ArrayList<>(partitions))));
        return new ShareGroupHeartbeatResponseData.Assignment().setTopicPartitions(out);
    }
}
