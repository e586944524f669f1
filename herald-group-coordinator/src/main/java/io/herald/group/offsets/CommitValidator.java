package io.herald.group.offsets;

import io.herald.group.ConsumerGroups;
import io.herald.group.classic.ClassicGroup;
import io.herald.group.classic.ClassicGroupManager;
import io.herald.group.classic.GroupState;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Whether a member may commit offsets for its group, by Kafka's rules for OffsetCommit and TxnOffsetCommit:
 * generation and member checks for classic groups, member epochs for KIP-848 consumer groups, "simple"
 * groups (no member, generation -1) created by their first commit, and none for share groups (GROUP_ID_NOT_FOUND:
 * their progress is the share coordinator's, not committed offsets).
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
final class CommitValidator {

    /** Which API commits: TxnOffsetCommit keeps its older error codes (KIP-447) and may commit mid-rebalance. */
    enum Kind { OFFSET_COMMIT, TXN_OFFSET_COMMIT }

    /** One commit's identity fields; {@code generation} is the member epoch for a consumer group. */
    record Commit(Kind kind, String groupId, String memberId, String groupInstanceId, int generation,
                  short apiVersion) {
        Commit {
            memberId = memberId == null ? "" : memberId;
        }
    }

    private final ClassicGroupManager groups;
    private final ConsumerGroups consumerGroups;
    private final Predicate<String> shareGroupExists;

    CommitValidator(ClassicGroupManager groups, ConsumerGroups consumerGroups, Predicate<String> shareGroupExists) {
        this.groups = groups;
        this.consumerGroups = consumerGroups;
        this.shareGroupExists = shareGroupExists;
    }

    /**
     * One partition's error in a commit that passed {@link #validate} with {@code groupError}: the group's error,
     * else UNKNOWN_TOPIC_OR_PARTITION for a partition that does not exist, else OFFSET_METADATA_TOO_LARGE.
     */
    static Errors partitionError(Errors groupError, TopicPartition tp, Predicate<TopicPartition> partitionExists,
                                 String metadata, int metadataMaxBytes) {
        if (groupError != Errors.NONE) {
            return groupError;
        }
        if (!partitionExists.test(tp)) {
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        return metadata.length() > metadataMaxBytes ? Errors.OFFSET_METADATA_TOO_LARGE : Errors.NONE;
    }

    /** NONE, or the error every partition of the commit gets. */
    Errors validate(Commit c) {
        if (c.groupId() == null || c.groupId().isEmpty()) {
            return Errors.INVALID_GROUP_ID;
        }
        if (consumerGroups.exists(c.groupId())) {
            return validateConsumerGroupMember(c);
        }
        if (shareGroupExists.test(c.groupId())) {
            // Kafka's ShareGroup.validateOffsetCommit: "Group X is not a consumer group.", for both APIs.
            return Errors.GROUP_ID_NOT_FOUND;
        }
        Optional<ClassicGroup> found = groups.group(c.groupId());
        if (found.isEmpty()) {
            if (c.generation() < 0) {
                // A "simple" group: admin client or a consumer using assign(); it exists for its offsets.
                groups.getOrCreate(c.groupId());
                return Errors.NONE;
            }
            // OffsetCommit v9+ says so; older clients and TxnOffsetCommit expect ILLEGAL_GENERATION (Kafka keeps it).
            return c.kind() == Kind.OFFSET_COMMIT && c.apiVersion() >= 9 ? Errors.GROUP_ID_NOT_FOUND
                    : Errors.ILLEGAL_GENERATION;
        }
        return validateClassicMember(found.get(), c);
    }

    private Errors validateConsumerGroupMember(Commit c) {
        // KIP-848: the generation field carries the member epoch.
        Errors error = consumerGroups.validateOffsetCommit(c.groupId(), c.memberId(), c.generation());
        if (c.kind() == Kind.TXN_OFFSET_COMMIT) {
            // TxnOffsetCommit clients know no STALE_MEMBER_EPOCH: a stale epoch is an old generation to them.
            return error == Errors.STALE_MEMBER_EPOCH ? Errors.ILLEGAL_GENERATION : error;
        }
        if (error == Errors.NONE && c.generation() >= 0 && c.apiVersion() < 9) {
            // Kafka: members of the consumer protocol must commit with OffsetCommit v9+.
            return Errors.UNSUPPORTED_VERSION;
        }
        return error;
    }

    private static Errors validateClassicMember(ClassicGroup group, Commit c) {
        if (group.isInState(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (c.generation() < 0 && group.isInState(GroupState.EMPTY)) {
            return Errors.NONE;
        }
        if (c.generation() >= 0 || !c.memberId().isEmpty() || c.groupInstanceId() != null) {
            Optional<Errors> memberError = ClassicGroupManager.validateExistingMember(group, c.memberId(),
                    c.groupInstanceId());
            if (memberError.isPresent()) {
                return memberError.get();
            }
            if (c.generation() != group.generationId()) {
                return Errors.ILLEGAL_GENERATION;
            }
        } else if (!group.isInState(GroupState.EMPTY)) {
            // No member id and no generation: only accepted while nobody is a member.
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (c.kind() == Kind.OFFSET_COMMIT && group.isInState(GroupState.COMPLETING_REBALANCE)) {
            // The member has its new generation but not its assignment yet; let it retry after SyncGroup. A
            // transaction may commit meanwhile (Kafka: its offsets were fenced by the generation already).
            return Errors.REBALANCE_IN_PROGRESS;
        }
        return Errors.NONE;
    }
}
