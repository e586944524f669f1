package io.herald.broker.handler;

import io.herald.broker.security.Authorization;
import io.herald.metadata.api.MetadataPublisher;
import io.herald.metadata.api.ReassignmentAdmin;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignableTopicResponse;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.message.ElectLeadersResponseData.ReplicaElectionResult;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingPartitionReassignment;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingTopicReassignment;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsRequest;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.ElectLeadersRequest;
import org.apache.kafka.common.requests.ListPartitionReassignmentsRequest;

/**
 * AlterPartitionReassignments, ListPartitionReassignments and ElectLeaders: partition placement and leadership
 * changes an operator asks for. The controller decides; the replica managers follow the resulting images
 * (new replicas start fetching, and the reassignment completes once they are in sync).
 *
 * <p>ACLs, as Kafka's controller checks them: ALTER on the cluster to alter reassignments or elect leaders, DESCRIBE
 * to list reassignments; a principal without it is refused as a whole with CLUSTER_AUTHORIZATION_FAILED, in the
 * request's error shape (top-level, and on every named partition).
 */
public final class ReassignmentHandler {
    private final ReassignmentAdmin reassignments;
    private final MetadataPublisher metadata;
    private final Executor pool;
    private final Authorization authorization;

    /** @param authorization the ACL checks of each request's principal */
    public ReassignmentHandler(ReassignmentAdmin reassignments, MetadataPublisher metadata, Executor pool,
                               Authorization authorization) {
        this.reassignments = reassignments;
        this.metadata = metadata;
        this.pool = pool;
        this.authorization = authorization;
    }

    /** AlterPartitionReassignments v0 to v1 (v1: the client may forbid replication factor changes, KIP-860). */
    public ServedApi alterPartitionReassignments() {
        return new ServedApi(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, VersionRange.of(0, 1),
                authorization.requireCluster(AclOperation.ALTER, request -> Requests.onPool(pool,
                        () -> alter(((AlterPartitionReassignmentsRequest) request.body()).data()))));
    }

    /** ListPartitionReassignments v0, its only version. */
    public ServedApi listPartitionReassignments() {
        return new ServedApi(ApiKeys.LIST_PARTITION_REASSIGNMENTS, VersionRange.of(0, 0),
                authorization.requireCluster(AclOperation.DESCRIBE, request -> Requests.onPool(pool,
                        () -> list(((ListPartitionReassignmentsRequest) request.body()).data()))));
    }

    /** ElectLeaders v0 to v2: the election type from v1 (KIP-460; v0 means preferred), flexible encoding from v2. */
    public ServedApi electLeaders() {
        return new ServedApi(ApiKeys.ELECT_LEADERS, VersionRange.of(0, 2),
                authorization.requireCluster(AclOperation.ALTER, request -> Requests.onPool(pool,
                        () -> elect(((ElectLeadersRequest) request.body()).data()))));
    }

    private AlterPartitionReassignmentsResponseData alter(AlterPartitionReassignmentsRequestData data) {
        Map<TopicPartition, Optional<List<Integer>>> targets = new LinkedHashMap<>();
        for (var topic : data.topics()) {
            for (var partition : topic.partitions()) {
                targets.put(new TopicPartition(topic.name(), partition.partitionIndex()),
                        Optional.ofNullable(partition.replicas()));
            }
        }
        // v1 echoes the flag: a client that asked for a fixed replication factor learns it was honoured.
        AlterPartitionReassignmentsResponseData response = new AlterPartitionReassignmentsResponseData()
                .setAllowReplicationFactorChange(data.allowReplicationFactorChange());
        Map<TopicPartition, ApiError> errors = new LinkedHashMap<>();
        if (!data.allowReplicationFactorChange()) {
            errors.putAll(replicationFactorChanges(targets, metadata.image()));
        }
        Map<TopicPartition, Optional<List<Integer>>> accepted = new LinkedHashMap<>(targets);
        accepted.keySet().removeAll(errors.keySet());
        try {
            if (!accepted.isEmpty()) {
                errors.putAll(reassignments.alterPartitionReassignments(accepted));
            }
        } catch (RuntimeException e) {
            return response.setErrorCode(Requests.error(e).code()).setErrorMessage(Requests.message(e));
        }
        Map<String, ReassignableTopicResponse> byTopic = new LinkedHashMap<>();
        for (TopicPartition tp : targets.keySet()) {
            ApiError error = errors.getOrDefault(tp, ApiError.NONE);
            byTopic.computeIfAbsent(tp.topic(), name -> new ReassignableTopicResponse().setName(name))
                    .partitions().add(new ReassignablePartitionResponse().setPartitionIndex(tp.partition())
                            .setErrorCode(error.error().code()).setErrorMessage(error.message()));
        }
        response.responses().addAll(byTopic.values());
        return response;
    }

    /**
     * The targets that would change their partition's replication factor (KIP-860's
     * allow_replication_factor_change=false, v1): INVALID_REPLICATION_FACTOR. The factor of a partition being
     * reassigned is that of its target; unknown partitions and cancellations are left to the controller.
     */
    private static Map<TopicPartition, ApiError> replicationFactorChanges(
            Map<TopicPartition, Optional<List<Integer>>> targets, ClusterImage image) {
        Map<TopicPartition, ApiError> errors = new LinkedHashMap<>();
        targets.forEach((tp, target) -> {
            Optional<PartitionImage> partition = image.topic(tp.topic()).flatMap(t -> t.partition(tp.partition()));
            if (target.isEmpty() || partition.isEmpty()) {
                return;
            }
            int current = partition.get().targetReplicas().size();
            if (target.get().size() != current) {
                errors.put(tp, new ApiError(Errors.INVALID_REPLICATION_FACTOR, "The replication factor of " + tp
                        + " would change from " + current + " to " + target.get().size()
                        + ", which the request does not allow"));
            }
        });
        return errors;
    }

    private ListPartitionReassignmentsResponseData list(ListPartitionReassignmentsRequestData data) {
        var ongoing = reassignments.listPartitionReassignments();
        Map<String, OngoingTopicReassignment> byTopic = new LinkedHashMap<>();
        Set<TopicPartition> wanted = null;
        if (data.topics() != null) {
            wanted = new java.util.HashSet<>();
            for (var topic : data.topics()) {
                for (int p : topic.partitionIndexes()) {
                    wanted.add(new TopicPartition(topic.name(), p));
                }
            }
        }
        for (var entry : ongoing.entrySet()) {
            TopicPartition tp = entry.getKey();
            if (wanted != null && !wanted.contains(tp)) {
                continue;
            }
            var r = entry.getValue();
            byTopic.computeIfAbsent(tp.topic(), name -> new OngoingTopicReassignment().setName(name))
                    .partitions().add(new OngoingPartitionReassignment().setPartitionIndex(tp.partition())
                            .setReplicas(r.replicas()).setAddingReplicas(r.addingReplicas())
                            .setRemovingReplicas(r.removingReplicas()));
        }
        return new ListPartitionReassignmentsResponseData().setTopics(List.copyOf(byTopic.values()));
    }

    private ElectLeadersResponseData elect(ElectLeadersRequestData data) {
        boolean unclean = data.electionType() == 1;
        Set<TopicPartition> partitions = null;
        if (data.topicPartitions() != null) {
            partitions = new java.util.LinkedHashSet<>();
            for (var topic : data.topicPartitions()) {
                for (int p : topic.partitions()) {
                    partitions.add(new TopicPartition(topic.topic(), p));
                }
            }
        }
        ElectLeadersResponseData response = new ElectLeadersResponseData();
        Map<TopicPartition, ApiError> results;
        try {
            results = reassignments.electLeaders(unclean, partitions);
        } catch (RuntimeException e) {
            return response.setErrorCode(Requests.error(e).code());
        }
        Map<String, ReplicaElectionResult> byTopic = new LinkedHashMap<>();
        for (var entry : results.entrySet()) {
            ApiError error = entry.getValue();
            byTopic.computeIfAbsent(entry.getKey().topic(), name -> new ReplicaElectionResult().setTopic(name))
                    .partitionResult().add(new PartitionResult().setPartitionId(entry.getKey().partition())
                            .setErrorCode(error.error().code()).setErrorMessage(error.message()));
        }
        response.replicaElectionResults().addAll(byTopic.values());
        return response.setErrorCode(Errors.NONE.code());
    }
}
