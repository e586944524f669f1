package io.herald.group.consumer;

import io.herald.group.record.ConsumerGroupRecord.CurrentAssignment;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;
import org.apache.kafka.common.Uuid;

/**
 * Moves one member's current assignment one step toward its target (KIP-848 reconciliation).
 *
 * <p>The rules that keep a partition from having two owners:
 * <ul>
 *   <li>a member first gives up what its target no longer contains: those partitions go to
 *       "pending revocation", the member keeps its epoch ({@link MemberState#UNREVOKED_PARTITIONS})
 *       and is only moved on once its heartbeat's owned partitions no longer include any of them;
 *   <li>only then does it take the target epoch and the new partitions, and of those only the ones
 *       no other member owns; the rest wait ({@link MemberState#UNRELEASED_PARTITIONS}) and are
 *       picked up at a later heartbeat after their owner released them.
 * </ul>
 * Pure function; thread-safe.
 */
final class Reconciler {

    private Reconciler() {
    }

    /**
     * @param current the member's current assignment
     * @param target the member's target assignment
     * @param targetEpoch the epoch of the target assignment
     * @param ownedByMember the partitions the member's heartbeat says it owns, if it sent them
     * @param ownedByOther whether a partition is owned by another member of the group
     * @return the next current assignment (equal to {@code current} when nothing changes)
     */
    static CurrentAssignment reconcile(
            CurrentAssignment current,
            Map<Uuid, Set<Integer>> target,
            int targetEpoch,
            Optional<Map<Uuid, Set<Integer>>> ownedByMember,
            BiPredicate<Uuid, Integer> ownedByOther) {
        return switch (current.state()) {
            case UNREVOKED_PARTITIONS -> {
                boolean revoked = ownedByMember
                        .map(owned -> TopicPartitionSets.disjoint(owned, current.partitionsPendingRevocation()))
                        .orElse(false);
                yield revoked ? next(current, target, targetEpoch, ownedByOther) : current;
            }
            case STABLE -> current.memberEpoch() == targetEpoch ? current : next(current, target, targetEpoch, ownedByOther);
            case UNRELEASED_PARTITIONS -> next(current, target, targetEpoch, ownedByOther);
        };
    }

    private static CurrentAssignment next(
            CurrentAssignment current,
            Map<Uuid, Set<Integer>> target,
            int targetEpoch,
            BiPredicate<Uuid, Integer> ownedByOther) {
        Map<Uuid, Set<Integer>> kept = TopicPartitionSets.intersect(current.assigned(), target);
        Map<Uuid, Set<Integer>> toRevoke = TopicPartitionSets.minus(current.assigned(), target);
        if (!toRevoke.isEmpty()) {
            return new CurrentAssignment(current.groupId(), current.memberId(), current.memberEpoch(),
                    current.previousMemberEpoch(), MemberState.UNREVOKED_PARTITIONS, kept, toRevoke);
        }
        Map<Uuid, Set<Integer>> wanted = TopicPartitionSets.minus(target, kept);
        Map<Uuid, Set<Integer>> free = TopicPartitionSets.filter(wanted, (t, p) -> !ownedByOther.test(t, p));
        MemberState state = TopicPartitionSets.size(free) == TopicPartitionSets.size(wanted)
                ? MemberState.STABLE
                : MemberState.UNRELEASED_PARTITIONS;
        int previous = targetEpoch != current.memberEpoch() ? current.memberEpoch() : current.previousMemberEpoch();
        return new CurrentAssignment(current.groupId(), current.memberId(), targetEpoch, previous, state,
                TopicPartitionSets.union(kept, free), TopicPartitionSets.EMPTY);
    }
}
