package io.herald.metadata.controller;

import static io.herald.metadata.image.PartitionImage.NO_LEADER;

import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.record.MetadataRecord.PartitionRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntPredicate;
import org.apache.kafka.common.Uuid;

/**
 * The next state of one partition, with KRaft's epoch rules: the leader epoch grows by one whenever the
 * leader changes (followers truncate against it), the partition epoch by one whenever anything changes
 * (AlterPartition uses it to reject stale ISR updates).
 *
 * <p>Leaders are elected in replica order among ISR members that are {@code eligible} (registered and
 * unfenced, and not the broker being removed). With unclean election allowed and no eligible ISR member, the
 * first eligible replica leads alone (ISR = {it}): acknowledged records may be lost, which is what the
 * setting accepts. With no candidate the leader is -1 and the ISR keeps its last member, as in KRaft, so the
 * partition returns as soon as that replica does.
 *
 * <p>Every change also completes a reassignment whose adding replicas are all in the ISR (see
 * {@link #maybeCompleteReassignment}). Stateless.
 */
final class PartitionChange {
    private PartitionChange() {
    }

    /** Who may lead and join ISRs, and whether unclean election is allowed, for one partition. */
    record Rules(IntPredicate eligible, boolean unclean) {}

    /** A proposed state; {@link #build} turns it into the record that moves the partition there, if any. */
    record Target(List<Integer> replicas, List<Integer> isr, int leader, List<Integer> adding,
                  List<Integer> removing) {
        static Target of(PartitionImage p) {
            return new Target(p.replicas(), p.isr(), p.leader(), p.addingReplicas(), p.removingReplicas());
        }

        Target withIsr(List<Integer> newIsr) {
            return new Target(replicas, newIsr, leader, adding, removing);
        }

        Target withLeader(int newLeader) {
            return new Target(replicas, isr, newLeader, adding, removing);
        }
    }

    /**
     * The broker stops being a usable replica (fenced, restarted, shutting down): it leaves the ISR unless it
     * is the last member, and it loses leadership to the first eligible remaining ISR member.
     */
    static Optional<PartitionImage> removeBroker(PartitionImage p, int brokerId, Rules rules) {
        if (p.leader() != brokerId && !p.isr().contains(brokerId)) {
            return Optional.empty();
        }
        IntPredicate eligible = id -> id != brokerId && rules.eligible().test(id);
        List<Integer> isr = p.isr().size() > 1 ? without(p.isr(), brokerId) : p.isr();
        Target target = Target.of(p).withIsr(isr);
        if (p.leader() == brokerId) {
            target = elect(target, new Rules(eligible, rules.unclean()));
        }
        return build(p, target, rules);
    }

    /** A partition without a leader gets one if an eligible replica exists now. */
    static Optional<PartitionImage> electIfLeaderless(PartitionImage p, Rules rules) {
        if (p.leader() != NO_LEADER) {
            return Optional.empty();
        }
        return build(p, elect(Target.of(p).withLeader(NO_LEADER), rules), rules);
    }

    /**
     * Elects a leader for {@code target}: the first eligible ISR member in replica order; else, if unclean
     * election is allowed, the first eligible replica with ISR = {it}; else -1 with the ISR unchanged.
     */
    static Target elect(Target target, Rules rules) {
        for (int replica : target.replicas()) {
            if (target.isr().contains(replica) && rules.eligible().test(replica)) {
                return target.withLeader(replica);
            }
        }
        if (rules.unclean()) {
            for (int replica : target.replicas()) {
                if (rules.eligible().test(replica)) {
                    return target.withLeader(replica).withIsr(List.of(replica));
                }
            }
        }
        return target.withLeader(NO_LEADER);
    }

    /**
     * Completes a reassignment once every adding replica is in the ISR and the ISR keeps a target member:
     * replicas = target, ISR ∩ target, and a new leader from that ISR if the old one was removed.
     */
    static Target maybeCompleteReassignment(Target t, Rules rules) {
        if (t.adding().isEmpty() && t.removing().isEmpty()) {
            return t;
        }
        if (!t.isr().containsAll(t.adding())) {
            return t;
        }
        List<Integer> targetReplicas = t.replicas().stream().filter(r -> !t.removing().contains(r)).toList();
        List<Integer> isr = t.isr().stream().filter(targetReplicas::contains).toList();
        if (isr.isEmpty()) {
            return t;
        }
        Target done = new Target(targetReplicas, isr, t.leader(), List.of(), List.of());
        if (!isr.contains(t.leader())) {
            done = elect(done, new Rules(rules.eligible(), false));
        }
        return done;
    }

    /** The partition moved to {@code target} (after completing a reassignment if it can), if it changed. */
    static Optional<PartitionImage> build(PartitionImage p, Target target, Rules rules) {
        Target t = maybeCompleteReassignment(target, rules);
        boolean leaderChanged = t.leader() != p.leader();
        boolean changed = leaderChanged || !t.replicas().equals(p.replicas()) || !t.isr().equals(p.isr())
                || !t.adding().equals(p.addingReplicas()) || !t.removing().equals(p.removingReplicas());
        if (!changed) {
            return Optional.empty();
        }
        return Optional.of(new PartitionImage(p.partition(), t.replicas(), t.isr(), t.leader(),
                leaderChanged ? p.leaderEpoch() + 1 : p.leaderEpoch(), p.partitionEpoch() + 1, t.adding(),
                t.removing()));
    }

    static PartitionRecord toRecord(Uuid topicId, PartitionImage p) {
        return new PartitionRecord(topicId, p.partition(), p.replicas(), p.isr(), p.leader(), p.leaderEpoch(),
                p.partitionEpoch(), p.addingReplicas(), p.removingReplicas());
    }

    static List<Integer> without(List<Integer> list, int value) {
        List<Integer> copy = new ArrayList<>(list);
        copy.remove(Integer.valueOf(value));
        return copy;
    }
}
