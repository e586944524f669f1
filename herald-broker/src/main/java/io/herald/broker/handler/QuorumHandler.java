package io.herald.broker.handler;

import io.herald.broker.security.Authorization;
import io.herald.metadata.api.QuorumView;
import io.herald.metadata.quorum.QuorumDescription;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeQuorumRequestData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.message.DescribeQuorumResponseData.Listener;
import org.apache.kafka.common.message.DescribeQuorumResponseData.ListenerCollection;
import org.apache.kafka.common.message.DescribeQuorumResponseData.PartitionData;
import org.apache.kafka.common.message.DescribeQuorumResponseData.ReplicaState;
import org.apache.kafka.common.message.DescribeQuorumResponseData.TopicData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeQuorumRequest;

/**
 * DescribeQuorum ({@code kafka-metadata-quorum.sh describe}, Admin {@code describeMetadataQuorum}): the metadata
 * quorum as its leader sees it. Kafka's brokers forward this request to the active controller; here any node
 * asks the quorum leader directly. The only partition it knows is Kafka's {@code __cluster_metadata-0}; any
 * other gets UNKNOWN_TOPIC_OR_PARTITION, and no reachable leader NOT_LEADER_OR_FOLLOWER.
 *
 * <p>Version differences: timestamps from v1, directory ids, error messages and voter endpoints from v2.
 * Directory ids are zero (Herald has no KIP-853 directory ids).
 *
 * <p>ACLs, as Kafka's controller checks them: DESCRIBE on the cluster, else the request answers
 * CLUSTER_AUTHORIZATION_FAILED (top-level).
 */
public final class QuorumHandler {
    /** Kafka's name for the metadata log's topic; DescribeQuorum asks for its partition 0. */
    public static final String METADATA_TOPIC = "__cluster_metadata";

    private final QuorumView quorum;
    private final Map<Integer, InetSocketAddress> voterEndpoints;
    private final String controllerListenerName;
    private final Authorization authorization;

    /**
     * @param voterEndpoints         {@code controller.quorum.voters} (empty on a single node, whose one voter
     *                               has no controller listener)
     * @param controllerListenerName the listener name the voters' endpoints are reported under
     * @param authorization          the ACL checks of each request's principal
     */
    public QuorumHandler(QuorumView quorum, Map<Integer, InetSocketAddress> voterEndpoints,
                         String controllerListenerName, Authorization authorization) {
        this.authorization = authorization;
        this.quorum = quorum;
        this.voterEndpoints = Map.copyOf(voterEndpoints);
        this.controllerListenerName = controllerListenerName;
    }

    /** DescribeQuorum v0 to v2 (see the class comment for what each version adds). */
    public ServedApi describeQuorum() {
        return new ServedApi(ApiKeys.DESCRIBE_QUORUM, VersionRange.of(0, 2),
                authorization.requireCluster(AclOperation.DESCRIBE, this::describe));
    }

    private CompletableFuture<Response> describe(KafkaRequest request) {
        short version = request.apiVersion();
        DescribeQuorumRequestData data = ((DescribeQuorumRequest) request.body()).data();
        if (!asksForTheMetadataPartition(data)) {
            return Requests.now(new DescribeQuorumResponseData()
                    .setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                    .setErrorMessage(version >= 2 ? "DescribeQuorum knows only " + METADATA_TOPIC + "-0" : null));
        }
        return this.quorum.describeQuorum().handle((quorum, error) -> new Response.Send(error == null
                ? answer(quorum, version)
                : partitionError(Requests.error(error), Requests.message(error), version)));
    }

    private static boolean asksForTheMetadataPartition(DescribeQuorumRequestData data) {
        return data.topics().size() == 1 && METADATA_TOPIC.equals(data.topics().getFirst().topicName())
                && data.topics().getFirst().partitions().size() == 1
                && data.topics().getFirst().partitions().getFirst().partitionIndex() == 0;
    }

    private DescribeQuorumResponseData answer(QuorumDescription quorum, short version) {
        PartitionData partition = new PartitionData().setPartitionIndex(0).setErrorCode(Errors.NONE.code())
                .setLeaderId(quorum.leaderId()).setLeaderEpoch((int) Math.min(Integer.MAX_VALUE, quorum.leaderEpoch()))
                .setHighWatermark(quorum.highWatermark())
                .setCurrentVoters(replicas(quorum.voters(), version))
                .setObservers(replicas(quorum.observers(), version));
        DescribeQuorumResponseData response = new DescribeQuorumResponseData().setErrorCode(Errors.NONE.code())
                .setTopics(List.of(new TopicData().setTopicName(METADATA_TOPIC).setPartitions(List.of(partition))));
        if (version >= 2) {
            DescribeQuorumResponseData.NodeCollection nodes = new DescribeQuorumResponseData.NodeCollection();
            for (QuorumDescription.Replica voter : quorum.voters()) {
                ListenerCollection listeners = new ListenerCollection();
                InetSocketAddress endpoint = voterEndpoints.get(voter.nodeId());
                if (endpoint != null) {
                    listeners.add(new Listener().setName(controllerListenerName).setHost(endpoint.getHostString())
                            .setPort(endpoint.getPort()));
                }
                nodes.add(new DescribeQuorumResponseData.Node().setNodeId(voter.nodeId()).setListeners(listeners));
            }
            response.setNodes(nodes);
        }
        return response;
    }

    private static List<ReplicaState> replicas(List<QuorumDescription.Replica> replicas, short version) {
        return replicas.stream().map(r -> {
            ReplicaState state = new ReplicaState().setReplicaId(r.nodeId()).setLogEndOffset(r.logEndOffset());
            if (version >= 1) {
                state.setLastFetchTimestamp(r.lastFetchTimestamp()).setLastCaughtUpTimestamp(r.lastCaughtUpTimestamp());
            }
            return state;
        }).toList();
    }

    private static DescribeQuorumResponseData partitionError(Errors error, String message, short version) {
        PartitionData partition = new PartitionData().setPartitionIndex(0).setErrorCode(error.code())
                .setErrorMessage(version >= 2 ? message : null);
        return new DescribeQuorumResponseData().setErrorCode(Errors.NONE.code())
                .setTopics(List.of(new TopicData().setTopicName(METADATA_TOPIC).setPartitions(List.of(partition))));
    }
}
