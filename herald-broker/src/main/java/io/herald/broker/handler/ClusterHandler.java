package io.herald.broker.handler;

import io.herald.broker.security.Authorization;
import io.herald.metadata.api.MetadataPublisher;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import io.herald.storage.log.LogManager;
import io.herald.storage.log.LogDirInfo;
import io.herald.storage.log.PartitionLog;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.EndpointType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.requests.DescribeLogDirsRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * DescribeCluster (brokers, controller, cluster id) and DescribeLogDirs (dirs, space, partition sizes).
 *
 * <p>ACLs, as Kafka's broker checks them: DescribeCluster is open to every principal (Kafka's broker checks nothing
 * but answers the cluster's authorized operations, when asked, only to one that may DESCRIBE the cluster: 0 for the
 * others); DescribeLogDirs needs DESCRIBE on the cluster, else CLUSTER_AUTHORIZATION_FAILED with no directories.
 */
public final class ClusterHandler {
    private final MetadataPublisher metadata;
    private final LogManager logManager;
    private final int nodeId;
    private final Executor pool;
    private final Authorization authorization;

    /** @param authorization the ACL checks of each request's principal */
    public ClusterHandler(MetadataPublisher metadata, LogManager logManager, int nodeId, Executor pool,
                          Authorization authorization) {
        this.authorization = authorization;
        this.metadata = metadata;
        this.logManager = logManager;
        this.nodeId = nodeId;
        this.pool = pool;
    }

    /**
     * DescribeCluster v0 to v2. From v1 the client names the endpoints it wants described (KIP-919); this
     * listener serves brokers, so a request for controllers is MISMATCHED_ENDPOINT_TYPE, as on a Kafka broker.
     * Fenced brokers are left out, as from Metadata, unless a v2+ client asks for them (KIP-1073). Brokers are
     * given at their endpoint for the request's listener, and left out without one ({@link BrokerImage#node}).
     */
    public ServedApi describeCluster() {
        return new ServedApi(ApiKeys.DESCRIBE_CLUSTER, VersionRange.of(0, 2), request -> {
            DescribeClusterRequestData data = ((DescribeClusterRequest) request.body()).data();
            DescribeClusterResponseData response = new DescribeClusterResponseData()
                    .setEndpointType(EndpointType.BROKER.id());
            EndpointType asked = EndpointType.fromId(data.endpointType());
            if (asked != EndpointType.BROKER) {
                return Requests.now(failEndpointType(response, asked));
            }
            ClusterImage image = metadata.image();
            response.setErrorCode(Errors.NONE.code()).setClusterId(image.clusterId()).setControllerId(nodeId);
            String listener = request.connection().listenerName();
            for (BrokerImage broker : image.brokers().values()) {
                if (broker.fenced() && !data.includeFencedBrokers()) {
                    continue;
                }
                broker.node(listener).ifPresent(node -> response.brokers().add(
                        new DescribeClusterResponseData.DescribeClusterBroker().setBrokerId(node.id())
                                .setHost(node.host()).setPort(node.port()).setRack(node.rack())
                                .setIsFenced(broker.fenced())));
            }
            if (data.includeClusterAuthorizedOperations()) {
                response.setClusterAuthorizedOperations(authorization.cluster(request, AclOperation.DESCRIBE)
                        ? authorization.authorizedOperations(request, ResourceType.CLUSTER, Authorization.CLUSTER_NAME)
                        : 0);
            }
            return Requests.now(response);
        });
    }

    private static DescribeClusterResponseData failEndpointType(DescribeClusterResponseData response,
                                                                EndpointType asked) {
        if (asked == EndpointType.UNKNOWN) {
            return response.setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE.code())
                    .setErrorMessage("Unsupported endpoint type");
        }
        return response.setErrorCode(Errors.MISMATCHED_ENDPOINT_TYPE.code()).setErrorMessage(
                "The request asked to describe " + asked + " endpoints, but this is a broker listener");
    }

    /**
     * DescribeLogDirs v1 (Kafka 4's oldest) to v5: the top-level error from v3, total and usable bytes from v4,
     * and v5's is_cordoned, which stays false (no directory is ever cordoned).
     */
    public ServedApi describeLogDirs() {
        return new ServedApi(ApiKeys.DESCRIBE_LOG_DIRS, VersionRange.of(1, 5), request -> {
            if (!authorization.cluster(request, AclOperation.DESCRIBE)) {
                return CompletableFuture.completedFuture(Authorization.refusal(request,
                        Errors.CLUSTER_AUTHORIZATION_FAILED.exception()));
            }
            return Requests.onPool(pool, () -> describeLogDirs(((DescribeLogDirsRequest) request.body()).data()));
        });
    }

    private DescribeLogDirsResponseData describeLogDirs(DescribeLogDirsRequestData data) {
        Optional<Set<TopicPartition>> wanted = data.topics() == null ? Optional.empty()
                : Optional.of(data.topics().stream()
                        .flatMap(t -> t.partitions().stream().map(p -> new TopicPartition(t.topic(), p)))
                        .collect(Collectors.toSet()));
        DescribeLogDirsResponseData response = new DescribeLogDirsResponseData().setErrorCode(Errors.NONE.code());
        for (LogDirInfo dir : logManager.logDirs()) {
            var result = new DescribeLogDirsResponseData.DescribeLogDirsResult()
                    .setLogDir(dir.dir().toAbsolutePath().toString())
                    .setErrorCode((dir.online() ? Errors.NONE : Errors.KAFKA_STORAGE_ERROR).code())
                    .setTotalBytes(dir.totalBytes()).setUsableBytes(dir.usableBytes());
            Map<String, DescribeLogDirsResponseData.DescribeLogDirsTopic> topics = new LinkedHashMap<>();
            for (PartitionLog log : logManager.allLogs()) {
                TopicPartition tp = log.topicPartition();
                Optional<Path> logDir = logManager.logDirOf(tp);
                if (logDir.isEmpty() || !logDir.get().equals(dir.dir())
                        || wanted.map(w -> !w.contains(tp)).orElse(false)) {
                    continue;
                }
                topics.computeIfAbsent(tp.topic(), n -> new DescribeLogDirsResponseData.DescribeLogDirsTopic()
                                .setName(n))
                        .partitions().add(new DescribeLogDirsResponseData.DescribeLogDirsPartition()
                                .setPartitionIndex(tp.partition()).setPartitionSize(log.sizeInBytes())
                                .setOffsetLag(0).setIsFutureKey(false));
            }
            result.setTopics(List.copyOf(topics.values()));
            response.results().add(result);
        }
        return response;
    }
}
