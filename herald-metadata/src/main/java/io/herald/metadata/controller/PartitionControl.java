package io.herald.metadata.controller;

import static io.herald.metadata.image.PartitionImage.NO_LEADER;

import io.herald.metadata.controller.ControllerCommand.AlterPartition;
import io.herald.metadata.controller.ControllerCommand.AlterReassignments;
import io.herald.metadata.controller.ControllerCommand.ElectLeaders;
import io.herald.metadata.controller.ControllerCommand.PartitionRef;
import io.herald.metadata.controller.ControllerCommand.Reassignment;
import io.herald.metadata.controller.ControllerReply.PartitionError;
import io.herald.metadata.controller.PartitionChange.Rules;
import io.herald.metadata.controller.PartitionChange.Target;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import io.herald.metadata.record.MetadataRecordSerde;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import org.apache.kafka.clients.admin.PartitionReassignment;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.IneligibleReplicaException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidUpdateVersionException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.protocol.Errors;

/**
 * Decisions about partition leadership and ISRs: AlterPartition, reassignments, leader elections, and the
 * cluster-wide sweeps that fencing and unfencing a broker cause. Pure functions of the image (through a
 * {@link RecordBuffer}); every iteration is in topic-name and partition order, so every member emits the
 * same records in the same order. Stateless.
 */
final class PartitionControl {
    static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";

    private PartitionControl() {
    }

    /** A registered, unfenced broker may lead and join ISRs. */
    static boolean eligible(ClusterImage image, int brokerId) {
        BrokerImage broker = image.brokers().get(brokerId);
        return broker != null && !broker.fenced();
    }

    /**
     * A registered, unfenced broker that has not reported its replica of this partition offline (its log dir
     * failed, KIP-858) may lead it and join its ISR.
     */
    static boolean eligible(ClusterImage image, int brokerId, Uuid topicId, int partition) {
        BrokerImage broker = image.brokers().get(brokerId);
        return broker != null && !broker.fenced() && !broker.isOffline(topicId, partition);
    }

    /** The topic override, else the cluster-wide dynamic default, else false (Kafka's default). */
    static boolean uncleanEnabled(ClusterImage image, TopicImage topic) {
        String value = topic.configs().get(UNCLEAN_LEADER_ELECTION_ENABLE);
        if (value == null) {
            value = image.brokerConfigs().get(UNCLEAN_LEADER_ELECTION_ENABLE);
        }
        return Boolean.parseBoolean(value == null ? "false" : value.trim());
    }

    static Rules rules(ClusterImage image, TopicImage topic, int partition) {
        return new Rules(id -> eligible(image, id, topic.topicId(), partition), uncleanEnabled(image, topic));
    }

    /** The reassignments in progress in {@code image}, by topic name and partition. */
    static Map<TopicPartition, PartitionReassignment> reassignments(ClusterImage image) {
        Map<TopicPartition, PartitionReassignment> result = new LinkedHashMap<>();
        for (TopicImage topic : sortedTopics(image)) {
            for (PartitionImage p : topic.partitions().values()) {
                if (p.isReassigning()) {
                    result.put(new TopicPartition(topic.name(), p.partition()),
                            new PartitionReassignment(p.replicas(), p.addingReplicas(), p.removingReplicas()));
                }
            }
        }
        return result;
    }

    static List<TopicImage> sortedTopics(ClusterImage image) {
        return image.topics().values().stream().sorted(Comparator.comparing(TopicImage::name)).toList();
    }

    /** Applies {@code change} to every partition, in order, recording the partitions it changed. */
    static void forEachPartition(RecordBuffer buffer,
                                 BiFunction<PartitionImage, Rules, Optional<PartitionImage>> change) {
        for (TopicImage topic : sortedTopics(buffer.image())) {
            for (PartitionImage p : topic.partitions().values()) {
                TopicImage now = buffer.image().topic(topic.topicId()).orElseThrow();
                change.apply(now.partitions().get(p.partition()), rules(buffer.image(), now, p.partition()))
                        .ifPresent(next -> buffer.add(PartitionChange.toRecord(topic.topicId(), next)));
            }
        }
    }

    /** The broker leaves every ISR where others remain and loses every leadership. */
    static void removeBrokerEverywhere(RecordBuffer buffer, int brokerId) {
        forEachPartition(buffer, (p, rules) -> PartitionChange.removeBroker(p, brokerId, rules));
    }

    /**
     * The broker leaves the ISR (unless it is the last member) and the leadership of every partition it reported
     * offline; the other ISR members stay, and the first eligible one leads.
     */
    static void removeOfflineReplicas(RecordBuffer buffer, int brokerId) {
        for (TopicImage topic : sortedTopics(buffer.image())) {
            for (int partition : topic.partitions().keySet()) {
                ClusterImage image = buffer.image();
                BrokerImage broker = image.brokers().get(brokerId);
                if (broker == null || !broker.isOffline(topic.topicId(), partition)) {
                    continue;
                }
                TopicImage now = image.topic(topic.topicId()).orElseThrow();
                PartitionChange.removeBroker(now.partitions().get(partition), brokerId, rules(image, now, partition))
                        .ifPresent(next -> buffer.add(PartitionChange.toRecord(topic.topicId(), next)));
            }
        }
    }

    /** Every leaderless partition gets a leader if one is eligible now. */
    static void electLeaderlessEverywhere(RecordBuffer buffer) {
        forEachPartition(buffer, PartitionChange::electIfLeaderless);
    }

    /** Kafka's AlterPartition validation, then the new ISR with partition epoch + 1. */
    static byte[] alterPartition(RecordBuffer buffer, AlterPartition c) {
        ClusterImage image = buffer.image();
        TopicImage topic = image.topic(c.topicId()).orElseThrow(() ->
                new UnknownTopicOrPartitionException("Topic id " + c.topicId() + " does not exist."));
        PartitionImage p = topic.partition(c.partition()).orElseThrow(() ->
                new UnknownTopicOrPartitionException("Partition " + topic.name() + "-" + c.partition()
                        + " does not exist."));
        String name = topic.name() + "-" + c.partition();
        if (c.brokerId() != p.leader()) {
            throw new NotLeaderOrFollowerException("Broker " + c.brokerId() + " is not the leader of " + name
                    + " (leader: " + p.leader() + ").");
        }
        if (c.leaderEpoch() != p.leaderEpoch()) {
            throw new FencedLeaderEpochException("Leader epoch " + c.leaderEpoch() + " of " + name
                    + " does not match the current " + p.leaderEpoch() + ".");
        }
        if (c.partitionEpoch() != p.partitionEpoch()) {
            throw new InvalidUpdateVersionException("Partition epoch " + c.partitionEpoch() + " of " + name
                    + " does not match the current " + p.partitionEpoch() + ".");
        }
        List<Integer> isr = c.newIsr();
        if (isr.isEmpty() || new HashSet<>(isr).size() != isr.size()) {
            throw new InvalidRequestException("The new ISR " + isr + " of " + name
                    + " is empty or has duplicates.");
        }
        if (!isr.contains(p.leader())) {
            throw new InvalidRequestException("The new ISR " + isr + " of " + name + " does not contain the leader "
                    + p.leader() + ".");
        }
        if (!p.replicas().containsAll(isr)) {
            throw new InvalidRequestException("The new ISR " + isr + " of " + name
                    + " contains brokers that are not replicas " + p.replicas() + ".");
        }
        for (int added : isr) {
            if (!p.isr().contains(added) && !eligible(image, added, topic.topicId(), c.partition())) {
                throw new IneligibleReplicaException("Broker " + added + " cannot join the ISR of " + name
                        + ": it is fenced, not registered, or its replica is offline.");
            }
        }
        Optional<PartitionImage> next = PartitionChange.build(p, Target.of(p).withIsr(isr),
                rules(image, topic, c.partition()));
        next.ifPresent(n -> buffer.add(PartitionChange.toRecord(topic.topicId(), n)));
        return MetadataRecordSerde.toBytes(List.of(PartitionChange.toRecord(topic.topicId(), next.orElse(p))));
    }

    static byte[] alterReassignments(RecordBuffer buffer, AlterReassignments c) {
        List<PartitionError> results = new ArrayList<>();
        for (Reassignment r : c.reassignments()) {
            results.add(reassign(buffer, r));
        }
        return ControllerReply.encodePartitionErrors(results);
    }

    private static PartitionError reassign(RecordBuffer buffer, Reassignment r) {
        ClusterImage image = buffer.image();
        Optional<TopicImage> topic = image.topic(r.topic());
        Optional<PartitionImage> partition = topic.flatMap(t -> t.partition(r.partition()));
        if (partition.isEmpty()) {
            return error(r.topic(), r.partition(), Errors.UNKNOWN_TOPIC_OR_PARTITION, "Unknown partition.");
        }
        PartitionImage p = partition.get();
        Rules rules = rules(image, topic.get(), r.partition());
        List<Integer> original = p.originalReplicas();
        Target target;
        if (r.target().isPresent()) {
            List<Integer> wanted = r.target().get();
            Optional<String> invalid = TopicControl.assignmentProblem(image, wanted);
            if (invalid.isPresent()) {
                return error(r.topic(), r.partition(), Errors.INVALID_REPLICA_ASSIGNMENT, invalid.get());
            }
            List<Integer> replicas = new ArrayList<>(wanted);
            original.stream().filter(o -> !wanted.contains(o)).forEach(replicas::add);
            List<Integer> adding = wanted.stream().filter(w -> !original.contains(w)).toList();
            List<Integer> removing = original.stream().filter(o -> !wanted.contains(o)).toList();
            target = new Target(replicas, p.isr().stream().filter(replicas::contains).toList(), p.leader(), adding,
                    removing);
        } else {
            if (!p.isReassigning()) {
                return error(r.topic(), r.partition(), Errors.NO_REASSIGNMENT_IN_PROGRESS,
                        "No reassignment is in progress for this partition.");
            }
            target = new Target(original, p.isr().stream().filter(original::contains).toList(), p.leader(),
                    List.of(), List.of());
        }
        if (target.isr().isEmpty()) {
            return error(r.topic(), r.partition(), Errors.INVALID_REPLICA_ASSIGNMENT,
                    "The change would leave the partition with an empty ISR.");
        }
        if (!target.isr().contains(target.leader())) {
            target = PartitionChange.elect(target, new Rules(rules.eligible(), false));
        }
        PartitionChange.build(p, target, rules)
                .ifPresent(n -> buffer.add(PartitionChange.toRecord(topic.get().topicId(), n)));
        return error(r.topic(), r.partition(), Errors.NONE, "");
    }

    static byte[] electLeaders(RecordBuffer buffer, ElectLeaders c) {
        List<PartitionRef> refs = c.partitions().orElseGet(() -> {
            List<PartitionRef> all = new ArrayList<>();
            for (TopicImage t : sortedTopics(buffer.image())) {
                t.partitions().keySet().forEach(p -> all.add(new PartitionRef(t.name(), p)));
            }
            return all;
        });
        List<PartitionError> results = new ArrayList<>();
        for (PartitionRef ref : refs) {
            PartitionError result = elect(buffer, ref, c.unclean());
            // Like Kafka: an election over all partitions reports only the partitions it tried to change.
            if (c.partitions().isPresent() || result.error() != Errors.ELECTION_NOT_NEEDED) {
                results.add(result);
            }
        }
        return ControllerReply.encodePartitionErrors(results);
    }

    private static PartitionError elect(RecordBuffer buffer, PartitionRef ref, boolean unclean) {
        ClusterImage image = buffer.image();
        Optional<TopicImage> topic = image.topic(ref.topic());
        Optional<PartitionImage> partition = topic.flatMap(t -> t.partition(ref.partition()));
        if (partition.isEmpty()) {
            return error(ref.topic(), ref.partition(), Errors.UNKNOWN_TOPIC_OR_PARTITION, "Unknown partition.");
        }
        PartitionImage p = partition.get();
        Rules rules = rules(image, topic.get(), ref.partition());
        Target target;
        if (unclean) {
            if (p.leader() != NO_LEADER) {
                return error(ref.topic(), ref.partition(), Errors.ELECTION_NOT_NEEDED, "The partition has a leader.");
            }
            target = PartitionChange.elect(Target.of(p), new Rules(rules.eligible(), true));
            if (target.leader() == NO_LEADER) {
                return error(ref.topic(), ref.partition(), Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE,
                        "No replica of the partition is alive.");
            }
        } else {
            int preferred = p.preferredLeader();
            if (p.leader() == preferred) {
                return error(ref.topic(), ref.partition(), Errors.ELECTION_NOT_NEEDED,
                        "The preferred replica already leads.");
            }
            if (!p.isr().contains(preferred) || !rules.eligible().test(preferred)) {
                return error(ref.topic(), ref.partition(), Errors.PREFERRED_LEADER_NOT_AVAILABLE,
                        "The preferred replica " + preferred + " is not in the ISR or is fenced.");
            }
            target = Target.of(p).withLeader(preferred);
        }
        PartitionChange.build(p, target, rules)
                .ifPresent(n -> buffer.add(PartitionChange.toRecord(topic.get().topicId(), n)));
        return error(ref.topic(), ref.partition(), Errors.NONE, "");
    }

    /** Whether some partition is led by a replica other than its eligible, in-sync preferred replica. */
    static boolean imbalanced(ClusterImage image) {
        for (TopicImage topic : image.topics().values()) {
            for (PartitionImage p : topic.partitions().values()) {
                int preferred = p.preferredLeader();
                if (p.leader() != preferred && p.isr().contains(preferred)
                        && eligible(image, preferred, topic.topicId(), p.partition())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static PartitionError error(String topic, int partition, Errors error, String message) {
        return new PartitionError(topic, partition, error.code(), message);
    }
}
