package io.herald.broker.handler;

import io.herald.broker.security.Authorization;
import io.herald.metadata.api.MetadataPublisher;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import io.herald.protocol.ApiHandler;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.Cursor;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeTopicPartitionsRequest;
import org.apache.kafka.common.requests.DescribeTopicPartitionsResponse;
import org.apache.kafka.common.resource.ResourceType;

/**
 * DescribeTopicPartitions (API 75, v0; KIP-966), which Admin {@code describeTopics} and {@code kafka-topics.sh
 * --describe} use in place of Metadata where a broker offers it: topics in name order with their partitions,
 * paged by a partition limit and a cursor, as Kafka 4.3 answers it.
 *
 * <ul>
 *   <li>An empty topic list means every topic; then unknown names cannot occur. Named topics that do not exist
 *       are answered with UNKNOWN_TOPIC_OR_PARTITION (INVALID_TOPIC_EXCEPTION for an illegal name) and no
 *       partitions; they do not count against the limit.</li>
 *   <li>A cursor starts at its topic and partition; topics before the cursor's are skipped. With a named list,
 *       the cursor's topic must be in it, and a cursor partition must not be negative (else INVALID_REQUEST on
 *       every named topic).</li>
 *   <li>At most min({@code response_partition_limit}, {@code max.request.partition.size.limit}) partitions
 *       (at least 1) are returned; {@code next_cursor} then names the first partition left out.</li>
 *   <li>Herald has no eligible leader replicas (the {@code eligible.leader.replicas.version} feature is not
 *       finalized): ELR and last known ELR are empty lists. Offline replicas are those on an unregistered or
 *       fenced broker or in one of its failed log dirs.</li>
 *   <li>ACLs, as Kafka's {@code DescribeTopicPartitionsRequestHandler} checks them: a topic the principal may not
 *       DESCRIBE is left out of an every-topic answer; named (and at or after the cursor), it answers
 *       TOPIC_AUTHORIZATION_FAILED without partitions or id, after the page, and does not count against the limit.
 *       Every other topic answered carries its authorized operations (KIP-430; all of them when ACLs are off).</li>
 * </ul>
 *
 * <p>Answered from one metadata image on the event loop. Thread-safe.
 */
public final class DescribeTopicPartitionsHandler implements ApiHandler {
    private final MetadataPublisher metadata;
    private final int maxPartitions;
    private final Authorization authorization;

    /**
     * @param maxPartitions {@code max.request.partition.size.limit}: the most partitions one answer holds
     * @param authorization the ACL checks of each request's principal
     */
    public DescribeTopicPartitionsHandler(MetadataPublisher metadata, int maxPartitions, Authorization authorization) {
        this.metadata = metadata;
        this.maxPartitions = maxPartitions;
        this.authorization = authorization;
    }

    public ServedApi api() {
        return new ServedApi(ApiKeys.DESCRIBE_TOPIC_PARTITIONS, VersionRange.of(0, 0), this);
    }

    @Override
    public CompletableFuture<Response> handle(KafkaRequest request) {
        DescribeTopicPartitionsRequest body = (DescribeTopicPartitionsRequest) request.body();
        try {
            return Requests.now(describe(request, body.data(), metadata.image()));
        } catch (InvalidRequestException e) {
            return Requests.now(((DescribeTopicPartitionsResponse) body.getErrorResponse(0, e)).data());
        }
    }

    private DescribeTopicPartitionsResponseData describe(KafkaRequest request, DescribeTopicPartitionsRequestData data,
                                                         ClusterImage image) {
        boolean allTopics = data.topics().isEmpty();
        DescribeTopicPartitionsRequestData.Cursor cursor = data.cursor();
        String cursorTopic = cursor == null ? "" : cursor.topicName();
        TreeSet<String> names = new TreeSet<>();
        if (allTopics) {
            image.topics().values().forEach(t -> names.add(t.name()));
        } else {
            data.topics().forEach(t -> names.add(t.name()));
            if (cursor != null && !names.contains(cursorTopic)) {
                throw new InvalidRequestException("DescribeTopicPartitionsRequest topic list should contain the "
                        + "cursor topic: " + cursorTopic);
            }
        }
        if (cursor != null && cursor.partitionIndex() < 0) {
            throw new InvalidRequestException("DescribeTopicPartitionsRequest cursor partition must be valid: "
                    + cursor);
        }
        List<String> described = new ArrayList<>();
        List<DescribeTopicPartitionsResponseTopic> refused = new ArrayList<>();
        Predicate<String> mayDescribe = authorization.topicCheck(request, AclOperation.DESCRIBE);
        for (String name : names.tailSet(cursorTopic, true)) {
            if (mayDescribe.test(name)) {
                described.add(name);
            } else if (!allTopics) {
                refused.add(new DescribeTopicPartitionsResponseTopic()
                        .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setName(name)
                        .setTopicId(Uuid.ZERO_UUID).setIsInternal(false));
            }
        }
        int remaining = Math.max(Math.min(maxPartitions, data.responsePartitionLimit()), 1);
        DescribeTopicPartitionsResponseData response = new DescribeTopicPartitionsResponseData();
        for (String name : described) {
            if (remaining == 0) {
                // Every partition of the topics before is in: the next page starts with this topic.
                response.setNextCursor(new Cursor().setTopicName(name).setPartitionIndex(0));
                break;
            }
            Optional<TopicImage> topic = image.topic(name);
            if (topic.isEmpty()) {
                response.topics().add(missing(name));
                continue;
            }
            int start = name.equals(cursorTopic) ? cursor.partitionIndex() : 0;
            int count = topic.get().partitions().size();
            int end = (int) Math.min(count, (long) start + remaining);
            DescribeTopicPartitionsResponseTopic answered = topic(topic.get(), start, end, image);
            response.topics().add(answered);
            if (end < count) {
                response.setNextCursor(new Cursor().setTopicName(name).setPartitionIndex(end));
                break;
            }
            remaining -= answered.partitions().size();
        }
        response.topics().forEach(t -> t.setTopicAuthorizedOperations(
                authorization.authorizedOperations(request, ResourceType.TOPIC, t.name())));
        response.topics().addAll(refused);
        return response;
    }

    private static DescribeTopicPartitionsResponseTopic missing(String name) {
        Errors error;
        try {
            Topic.validate(name);
            error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
        } catch (RuntimeException e) {
            error = Errors.INVALID_TOPIC_EXCEPTION;
        }
        return new DescribeTopicPartitionsResponseTopic().setErrorCode(error.code()).setName(name)
                .setTopicId(Uuid.ZERO_UUID).setIsInternal(Topic.isInternal(name));
    }

    private static DescribeTopicPartitionsResponseTopic topic(TopicImage topic, int start, int end,
                                                              ClusterImage image) {
        DescribeTopicPartitionsResponseTopic result = new DescribeTopicPartitionsResponseTopic()
                .setErrorCode(Errors.NONE.code()).setName(topic.name()).setTopicId(topic.topicId())
                .setIsInternal(Topic.isInternal(topic.name()));
        for (int index = start; index < end; index++) {
            Optional<PartitionImage> p = topic.partition(index);
            if (p.isEmpty()) {
                continue;
            }
            PartitionImage partition = p.get();
            result.partitions().add(new DescribeTopicPartitionsResponsePartition()
                    .setErrorCode(Errors.NONE.code())
                    .setPartitionIndex(index)
                    .setLeaderId(liveLeader(partition, image))
                    .setLeaderEpoch(partition.leaderEpoch())
                    .setReplicaNodes(partition.replicas())
                    .setIsrNodes(partition.isr())
                    .setEligibleLeaderReplicas(List.of())
                    .setLastKnownElr(List.of())
                    .setOfflineReplicas(offline(topic.topicId(), partition, image)));
        }
        return result;
    }

    /** The leader if its broker is registered, else -1 (as Kafka: a leader without an endpoint is none). */
    private static int liveLeader(PartitionImage partition, ClusterImage image) {
        return image.brokers().containsKey(partition.leader()) ? partition.leader() : -1;
    }

    private static List<Integer> offline(Uuid topicId, PartitionImage partition, ClusterImage image) {
        List<Integer> offline = new ArrayList<>();
        for (int replica : partition.replicas()) {
            BrokerImage broker = image.brokers().get(replica);
            if (broker == null || broker.fenced() || broker.isOffline(topicId, partition.partition())) {
                offline.add(replica);
            }
        }
        return offline;
    }
}
