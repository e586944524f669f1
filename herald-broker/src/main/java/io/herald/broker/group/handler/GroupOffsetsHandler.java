package io.herald.broker.group.handler;

import io.herald.group.CommittedOffsets;
import io.herald.group.GroupCoordinator;
import io.herald.group.offsets.OffsetAndMetadata;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.TopicImage;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetDeleteRequest;
import org.apache.kafka.common.requests.OffsetFetchRequest;

/**
 * OffsetCommit, OffsetFetch (v0-v7 one group, v8+ batched groups, v10 topic ids) and OffsetDelete. Topic ids
 * and partition existence are resolved here from the metadata image; the coordinator deals in names.
 */
public final class GroupOffsetsHandler {
    private final GroupCoordinator coordinator;
    private final Supplier<ClusterImage> images;

    public GroupOffsetsHandler(GroupCoordinator coordinator, Supplier<ClusterImage> images) {
        this.coordinator = coordinator;
        this.images = images;
    }

    /**
     * OffsetCommit v2 (Kafka 4's oldest) to v10: member epochs of consumer groups from v9 (KIP-848), topic ids
     * from v10. The per-commit retention of v2-v4 is ignored: offsets expire by the broker's retention only,
     * as with every version since v5.
     */
    public ServedApi offsetCommit() {
        return new ServedApi(ApiKeys.OFFSET_COMMIT, VersionRange.of(2, 10), request -> {
            OffsetCommitRequestData data = ((OffsetCommitRequest) request.body()).data();
            ClusterImage image = images.get();
            if (request.apiVersion() >= 10) {
                for (OffsetCommitRequestData.OffsetCommitRequestTopic t : data.topics()) {
                    t.setName(image.topic(t.topicId()).map(TopicImage::name).orElse(null));
                }
            }
            return GroupResponses.answer(coordinator.commitOffsets(GroupResponses.context(request), data,
                            tp -> image.topic(tp.topic()).map(t -> t.partitions().containsKey(tp.partition()))
                                    .orElse(false)),
                    r -> r, e -> commitError(data, e));
        });
    }

    private static OffsetCommitResponseData commitError(OffsetCommitRequestData data, Errors error) {
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic t : data.topics()) {
            var topic = new OffsetCommitResponseData.OffsetCommitResponseTopic().setName(t.name())
                    .setTopicId(t.topicId());
            t.partitions().forEach(p -> topic.partitions().add(new OffsetCommitResponseData
                    .OffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex()).setErrorCode(error.code())));
            response.topics().add(topic);
        }
        return response;
    }

    /**
     * One group's fetch, version-neutral: topics by name (null = all committed); v9+ names the fetching member
     * (KIP-848), whose epoch a consumer group validates (-1: no member).
     */
    private record GroupFetch(String groupId, List<RequestedTopic> topics, String memberId, int memberEpoch,
                              boolean requireStable) {}

    private record RequestedTopic(String name, Uuid topicId, List<Integer> partitions) {}

    /**
     * OffsetFetch v1 (Kafka 4's oldest) to v10: see the class comment for the layouts. With v7's
     * {@code require_stable} a partition whose offset waits for a transaction's end answers
     * UNSTABLE_OFFSET_COMMIT (KIP-447), and the client retries.
     */
    public ServedApi offsetFetch() {
        return new ServedApi(ApiKeys.OFFSET_FETCH, VersionRange.of(1, 10), request -> {
            OffsetFetchRequestData data = ((OffsetFetchRequest) request.body()).data();
            short version = request.apiVersion();
            ClusterImage image = images.get();
            List<GroupFetch> fetches = new ArrayList<>();
            if (version < 8) {
                fetches.add(new GroupFetch(data.groupId(), data.topics() == null ? null : data.topics().stream()
                        .map(t -> new RequestedTopic(t.name(), Uuid.ZERO_UUID, t.partitionIndexes())).toList(),
                        null, -1, version >= 7 && data.requireStable()));
            } else {
                for (OffsetFetchRequestData.OffsetFetchRequestGroup g : data.groups()) {
                    fetches.add(new GroupFetch(g.groupId(), g.topics() == null ? null : g.topics().stream()
                            .map(t -> new RequestedTopic(version >= 10
                                    ? image.topic(t.topicId()).map(TopicImage::name).orElse(null) : t.name(),
                                    t.topicId(), t.partitionIndexes())).toList(),
                            version >= 9 ? g.memberId() : null, version >= 9 ? g.memberEpoch() : -1,
                            data.requireStable()));
                }
            }
            List<CompletableFuture<OffsetFetchResponseData.OffsetFetchResponseGroup>> results = new ArrayList<>();
            for (GroupFetch fetch : fetches) {
                results.add(coordinator.committedOffsets(fetch.groupId(), fetch.memberId(), fetch.memberEpoch()).handle((committed, failure) ->
                        failure == null ? groupResult(fetch, committed, image)
                                : new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(fetch.groupId())
                                        .setErrorCode(GroupResponses.error(failure).code())));
            }
            return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(v -> {
                List<OffsetFetchResponseData.OffsetFetchResponseGroup> groups =
                        results.stream().map(CompletableFuture::join).toList();
                return (Response) new Response.Send(version >= 8
                        ? new OffsetFetchResponseData().setGroups(new ArrayList<>(groups))
                        : singleGroup(groups.get(0), version));
            });
        });
    }

    private static OffsetFetchResponseData.OffsetFetchResponseGroup groupResult(
            GroupFetch fetch, CommittedOffsets offsets, ClusterImage image) {
        var group = groupResult(fetch, offsets.offsets(), image);
        if (fetch.requireStable() && !offsets.unstable().isEmpty()) {
            for (var topic : group.topics()) {
                for (var p : topic.partitions()) {
                    if (offsets.unstable().contains(new TopicPartition(topic.name(), p.partitionIndex()))) {
                        p.setErrorCode(Errors.UNSTABLE_OFFSET_COMMIT.code()).setCommittedOffset(-1)
                                .setCommittedLeaderEpoch(-1).setMetadata("");
                    }
                }
            }
        }
        return group;
    }

    private static OffsetFetchResponseData.OffsetFetchResponseGroup groupResult(
            GroupFetch fetch, Map<TopicPartition, OffsetAndMetadata> committed, ClusterImage image) {
        var group = new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(fetch.groupId())
                .setErrorCode(Errors.NONE.code());
        Map<String, OffsetFetchResponseData.OffsetFetchResponseTopics> topics = new LinkedHashMap<>();
        if (fetch.topics() == null) {
            committed.forEach((tp, o) -> topics.computeIfAbsent(tp.topic(), n -> topic(n,
                    image.topic(n).map(TopicImage::topicId).orElse(Uuid.ZERO_UUID))).partitions().add(partition(
                    tp.partition(), Optional.of(o))));
        } else {
            for (RequestedTopic t : fetch.topics()) {
                var topic = topic(t.name(), t.topicId());
                for (int p : t.partitions()) {
                    Optional<OffsetAndMetadata> o = t.name() == null ? Optional.empty()
                            : Optional.ofNullable(committed.get(new TopicPartition(t.name(), p)));
                    var pr = partition(p, o);
                    if (t.name() == null) {
                        pr.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
                    }
                    topic.partitions().add(pr);
                }
                topics.put(t.name() == null ? t.topicId().toString() : t.name(), topic);
            }
        }
        return group.setTopics(new ArrayList<>(topics.values()));
    }

    private static OffsetFetchResponseData.OffsetFetchResponseTopics topic(String name, Uuid id) {
        return new OffsetFetchResponseData.OffsetFetchResponseTopics().setName(name).setTopicId(id);
    }

    private static OffsetFetchResponseData.OffsetFetchResponsePartitions partition(int index,
                                                                                 Optional<OffsetAndMetadata> o) {
        return new OffsetFetchResponseData.OffsetFetchResponsePartitions().setPartitionIndex(index)
                .setCommittedOffset(o.map(OffsetAndMetadata::offset).orElse(-1L))
                .setCommittedLeaderEpoch(o.map(OffsetAndMetadata::leaderEpoch).orElse(-1))
                .setMetadata(o.map(OffsetAndMetadata::metadata).orElse("")).setErrorCode(Errors.NONE.code());
    }

    /** v0-v7 layout: one group's topics at the top level, its error at the top level (v2+). */
    private static OffsetFetchResponseData singleGroup(OffsetFetchResponseData.OffsetFetchResponseGroup g,
                                                       short version) {
        OffsetFetchResponseData response = new OffsetFetchResponseData();
        if (version >= 2) {
            response.setErrorCode(g.errorCode());
        }
        for (var t : g.topics()) {
            var topic = new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(t.name());
            for (var p : t.partitions()) {
                // v0-v1 have no group-level error: each partition carries it.
                short error = version < 2 && g.errorCode() != Errors.NONE.code() ? g.errorCode() : p.errorCode();
                topic.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition()
                        .setPartitionIndex(p.partitionIndex()).setCommittedOffset(p.committedOffset())
                        .setCommittedLeaderEpoch(p.committedLeaderEpoch()).setMetadata(p.metadata())
                        .setErrorCode(error));
            }
            response.topics().add(topic);
        }
        return response;
    }

    /** OffsetDelete v0, its only version. */
    public ServedApi offsetDelete() {
        return new ServedApi(ApiKeys.OFFSET_DELETE, VersionRange.of(0, 0), request -> {
            var data = ((OffsetDeleteRequest) request.body()).data();
            return GroupResponses.answer(coordinator.deleteOffsets(data), r -> r,
                    e -> new OffsetDeleteResponseData().setErrorCode(e.code()));
        });
    }

}
