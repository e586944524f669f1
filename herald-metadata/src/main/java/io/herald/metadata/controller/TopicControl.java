package io.herald.metadata.controller;

import io.herald.metadata.controller.ControllerCommand.AlterConfigs;
import io.herald.metadata.controller.ControllerCommand.CreatePartitions;
import io.herald.metadata.controller.ControllerCommand.CreateTopic;
import io.herald.metadata.controller.ControllerCommand.DeleteTopic;
import io.herald.metadata.controller.ControllerCommand.ReserveProducerIds;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import io.herald.metadata.record.MetadataRecord.ConfigRecord;
import io.herald.metadata.record.MetadataRecord.PartitionRecord;
import io.herald.metadata.record.MetadataRecord.ProducerIdsRecord;
import io.herald.metadata.record.MetadataRecord.RemoveTopicRecord;
import io.herald.metadata.record.MetadataRecord.ResourceKind;
import io.herald.metadata.record.MetadataRecord.TopicRecord;
import io.herald.metadata.record.MetadataRecordSerde;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Decisions about topics, their partitions and configs, and producer id blocks. Placement is over unfenced
 * brokers ({@link ReplicaPlacer}); a new partition's ISR is its unfenced replicas and its leader the first of
 * them. Stateless.
 */
final class TopicControl {
    private TopicControl() {
    }

    /** Payload: the records that created the topic (so a validate-only answer can show the topic too). */
    static byte[] createTopic(RecordBuffer buffer, CreateTopic c, long index) {
        ClusterImage image = buffer.image();
        if (image.topic(c.name()).isPresent()) {
            throw new TopicExistsException("Topic '" + c.name() + "' already exists.");
        }
        List<List<Integer>> assignments;
        if (c.assignments().isEmpty()) {
            if (c.partitions() <= 0) {
                throw new InvalidPartitionsException("Number of partitions must be larger than 0.");
            }
            assignments = place(image, c.name(), 0, c.partitions(), c.replicationFactor());
        } else {
            assignments = new ArrayList<>(c.assignments().values());
            if (!c.assignments().keySet().equals(new java.util.TreeSet<>(rangeOf(assignments.size())))) {
                throw new InvalidReplicaAssignmentException("Partitions should be a consecutive 0-based integer "
                        + "sequence, got " + c.assignments().keySet() + ".");
            }
            validateAssignments(image, 0, assignments, assignments.get(0).size());
        }
        Uuid topicId = TopicIds.derive(index, c.name(), id -> image.topic(id).isPresent());
        List<io.herald.metadata.record.MetadataRecord> created = new ArrayList<>();
        created.add(new TopicRecord(c.name(), topicId));
        for (int p = 0; p < assignments.size(); p++) {
            created.add(newPartition(image, topicId, p, assignments.get(p)));
        }
        c.configs().forEach((key, value) ->
                created.add(new ConfigRecord(ResourceKind.TOPIC, c.name(), key, Optional.of(value))));
        created.forEach(buffer::add);
        return MetadataRecordSerde.toBytes(created);
    }

    static byte[] deleteTopic(RecordBuffer buffer, DeleteTopic c) {
        if (buffer.image().topic(c.topicId()).isEmpty()) {
            throw new UnknownTopicOrPartitionException("Topic id " + c.topicId() + " does not exist.");
        }
        buffer.add(new RemoveTopicRecord(c.topicId()));
        return new byte[0];
    }

    static byte[] createPartitions(RecordBuffer buffer, CreatePartitions c) {
        ClusterImage image = buffer.image();
        TopicImage topic = image.topic(c.name()).orElseThrow(() ->
                new UnknownTopicOrPartitionException("Topic '" + c.name() + "' does not exist."));
        int current = topic.partitionCount();
        if (c.newCount() <= current) {
            throw new InvalidPartitionsException("Topic currently has " + current + " partitions, which is "
                    + (c.newCount() == current ? "equal to" : "higher than") + " the requested " + c.newCount() + ".");
        }
        int replicationFactor = topic.partitions().get(topic.partitions().firstKey()).targetReplicas().size();
        List<List<Integer>> assignments;
        if (c.assignments().isEmpty()) {
            assignments = place(image, c.name(), current, c.newCount() - current, replicationFactor);
        } else {
            if (c.assignments().size() != c.newCount() - current) {
                throw new InvalidReplicaAssignmentException("Attempted to add " + (c.newCount() - current)
                        + " additional partition(s), but only " + c.assignments().size()
                        + " assignment(s) were specified.");
            }
            assignments = c.assignments();
            validateAssignments(image, current, assignments, replicationFactor);
        }
        for (int i = 0; i < assignments.size(); i++) {
            buffer.add(newPartition(image, topic.topicId(), current + i, assignments.get(i)));
        }
        return new byte[0];
    }

    /**
     * The values were validated by the broker that took the request (the config definitions are the storage and
     * group-coordinator layers', which the controller does not know); here only what the image decides: a topic
     * must exist, a group need not (Kafka keeps configs of groups that do not exist yet), but must be named.
     */
    static byte[] alterConfigs(RecordBuffer buffer, AlterConfigs c) {
        if (c.kind() == ResourceKind.TOPIC && buffer.image().topic(c.resourceName()).isEmpty()) {
            throw new UnknownTopicOrPartitionException("The topic '" + c.resourceName() + "' does not exist.");
        }
        if (c.kind() == ResourceKind.GROUP && c.resourceName().isEmpty()) {
            throw new InvalidRequestException("Default group resources are not allowed.");
        }
        c.changes().forEach((key, value) -> buffer.add(new ConfigRecord(c.kind(), c.resourceName(), key, value)));
        return new byte[0];
    }

    /** Payload: the first id of the reserved block. */
    static byte[] reserveProducerIds(RecordBuffer buffer, ReserveProducerIds c) {
        if (c.blockSize() <= 0) {
            throw new InvalidRequestException("Producer id block size must be positive, got " + c.blockSize() + ".");
        }
        long start = buffer.image().nextProducerId();
        buffer.add(new ProducerIdsRecord(c.brokerId(), start + c.blockSize()));
        return ControllerReply.encodeLong(start);
    }

    static List<BrokerImage> unfencedBrokers(ClusterImage image) {
        return image.brokers().values().stream().filter(b -> !b.fenced())
                .sorted(Comparator.comparingInt(BrokerImage::brokerId)).toList();
    }

    private static List<List<Integer>> place(ClusterImage image, String topic, int first, int count,
                                             int replicationFactor) {
        List<BrokerImage> brokers = unfencedBrokers(image);
        if (replicationFactor <= 0 || replicationFactor > brokers.size()) {
            throw new InvalidReplicationFactorException("Replication factor: " + replicationFactor
                    + " larger than available brokers: " + brokers.size() + ".");
        }
        return ReplicaPlacer.place(topic, first, count, replicationFactor, brokers);
    }

    private static void validateAssignments(ClusterImage image, int firstPartition, List<List<Integer>> assignments,
                                            int replicationFactor) {
        for (int i = 0; i < assignments.size(); i++) {
            List<Integer> replicas = assignments.get(i);
            int partition = firstPartition + i;
            Optional<String> problem = assignmentProblem(image, replicas);
            if (problem.isPresent()) {
                throw new InvalidReplicaAssignmentException("Partition " + partition + ": " + problem.get());
            }
            if (replicas.size() != replicationFactor) {
                throw new InvalidReplicaAssignmentException("Partition " + partition + " has " + replicas.size()
                        + " replica(s), inconsistent with the other partitions, which have " + replicationFactor + ".");
            }
            if (replicas.stream().noneMatch(r -> PartitionControl.eligible(image, r))) {
                throw new InvalidReplicaAssignmentException("All brokers specified in the manual partition "
                        + "assignment for partition " + partition + " are fenced.");
            }
        }
    }

    /** Why a replica list cannot be used (empty, duplicates, unregistered brokers), if it cannot. */
    static Optional<String> assignmentProblem(ClusterImage image, List<Integer> replicas) {
        if (replicas.isEmpty()) {
            return Optional.of("The replica assignment is empty.");
        }
        if (new HashSet<>(replicas).size() != replicas.size()) {
            return Optional.of("The replica assignment " + replicas + " contains duplicate brokers.");
        }
        for (int broker : replicas) {
            if (!image.brokers().containsKey(broker)) {
                return Optional.of("The replica assignment includes broker " + broker
                        + ", but no such broker is registered.");
            }
        }
        return Optional.empty();
    }

    private static PartitionRecord newPartition(ClusterImage image, Uuid topicId, int partition,
                                                List<Integer> replicas) {
        List<Integer> isr = replicas.stream().filter(r -> PartitionControl.eligible(image, r)).toList();
        return new PartitionRecord(topicId, partition, replicas, isr, isr.get(0), 0, 0);
    }

    private static List<Integer> rangeOf(int n) {
        return java.util.stream.IntStream.range(0, n).boxed().toList();
    }

}
