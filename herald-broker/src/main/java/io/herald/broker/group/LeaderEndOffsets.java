package io.herald.broker.group;

import io.herald.broker.network.InterBrokerSender;
import io.herald.broker.replica.Partition;
import io.herald.broker.replica.ReplicaManager;
import io.herald.group.share.PartitionEndOffsets;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Partitions' latest offsets as Kafka's share-group lag asks for them: the high watermark of a partition this
 * broker leads is read from its replica; the others are asked of their leaders with one ListOffsets (LATEST,
 * read_uncommitted) per leader.
 *
 * <p>Thread-safety: thread-safe; the future completes on the caller's thread (local answers) or the inter-broker
 * sender's.
 */
public final class LeaderEndOffsets implements PartitionEndOffsets {
    private static final Logger log = LoggerFactory.getLogger(LeaderEndOffsets.class);
    /** ListOffsets v7+ carries the timeout; v4+ the leader epoch. Every Herald broker serves it. */
    private static final short LIST_OFFSETS_VERSION = 7;

    private final int localBrokerId;
    private final ReplicaManager replicas;
    private final Supplier<ClusterImage> images;
    private final InterBrokerSender sender;
    private final int requestTimeoutMs;

    public LeaderEndOffsets(int localBrokerId, ReplicaManager replicas, Supplier<ClusterImage> images,
                            InterBrokerSender sender, int requestTimeoutMs) {
        this.localBrokerId = localBrokerId;
        this.replicas = replicas;
        this.images = images;
        this.sender = sender;
        this.requestTimeoutMs = requestTimeoutMs;
    }

    @Override
    public CompletableFuture<Map<TopicPartition, EndOffset>> latestOffsets(Set<TopicPartition> partitions) {
        Map<TopicPartition, EndOffset> answers = new HashMap<>();
        Map<Integer, List<TopicPartition>> remote = new LinkedHashMap<>();
        ClusterImage image = images.get();
        for (TopicPartition tp : partitions) {
            Optional<Partition> local = replicas.partition(tp).filter(Partition::isLeader);
            if (local.isPresent()) {
                answers.put(tp, new EndOffset(Errors.NONE, local.get().highWatermark()));
                continue;
            }
            Optional<Integer> leader = image.topic(tp.topic()).flatMap(t -> t.partition(tp.partition()))
                    .map(PartitionImage::leader).filter(id -> id >= 0 && image.brokers().containsKey(id));
            if (leader.isEmpty()) {
                answers.put(tp, new EndOffset(image.topic(tp.topic()).isPresent() ? Errors.LEADER_NOT_AVAILABLE
                        : Errors.UNKNOWN_TOPIC_OR_PARTITION, -1));
            } else if (leader.get() == localBrokerId) {
                answers.put(tp, new EndOffset(Errors.NOT_LEADER_OR_FOLLOWER, -1)); // the image is ahead of us
            } else {
                remote.computeIfAbsent(leader.get(), id -> new ArrayList<>()).add(tp);
            }
        }
        List<CompletableFuture<Void>> asked = new ArrayList<>();
        for (Map.Entry<Integer, List<TopicPartition>> e : remote.entrySet()) {
            asked.add(ask(e.getKey(), e.getValue()).thenAccept(a -> {
                synchronized (answers) {
                    answers.putAll(a);
                }
            }));
        }
        return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new)).thenApply(v -> {
            synchronized (answers) {
                return Map.copyOf(answers);
            }
        });
    }

    private CompletableFuture<Map<TopicPartition, EndOffset>> ask(int leader, List<TopicPartition> partitions) {
        Map<String, ListOffsetsTopic> topics = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            topics.computeIfAbsent(tp.topic(), t -> new ListOffsetsTopic().setName(t)).partitions()
                    .add(new ListOffsetsPartition().setPartitionIndex(tp.partition())
                            .setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP));
        }
        ListOffsetsRequest request = ListOffsetsRequest.Builder.forConsumer(false, IsolationLevel.READ_UNCOMMITTED)
                .setTargetTimes(new ArrayList<>(topics.values())).setTimeoutMs(requestTimeoutMs)
                .build(LIST_OFFSETS_VERSION);
        return sender.send(leader, request).handle((response, failure) -> {
            Map<TopicPartition, EndOffset> answers = new HashMap<>();
            if (failure != null) {
                log.debug("Asking broker {} for latest offsets failed: {}", leader, failure.toString());
                partitions.forEach(tp -> answers.put(tp, new EndOffset(Errors.NETWORK_EXCEPTION, -1)));
                return answers;
            }
            for (ListOffsetsTopicResponse topic : ((ListOffsetsResponse) response).data().topics()) {
                for (ListOffsetsPartitionResponse p : topic.partitions()) {
                    answers.put(new TopicPartition(topic.name(), p.partitionIndex()),
                            new EndOffset(Errors.forCode(p.errorCode()), p.offset()));
                }
            }
            partitions.forEach(tp -> answers.putIfAbsent(tp, new EndOffset(Errors.UNKNOWN_SERVER_ERROR, -1)));
            return answers;
        });
    }
}
