package io.herald.broker.group.handler;

import io.herald.broker.security.Authorization;
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
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
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
 *
 * <p>ACLs as in Kafka's KafkaApis, checked before the coordinator sees the request, which gets only the topics the
 * principal may use: OffsetCommit needs READ on the group (else GROUP_AUTHORIZATION_FAILED on every partition) and
 * READ on each topic (else TOPIC_AUTHORIZATION_FAILED on its partitions); OffsetFetch needs DESCRIBE on each group
 * (else the group's error) and answers TOPIC_AUTHORIZATION_FAILED for named topics the principal may not DESCRIBE,
 * while a fetch of all the group's offsets silently leaves those topics out; OffsetDelete needs DELETE on the group
 * (else the top-level error) and READ on each topic.
 *
 * <p>Thread-safe.
 */
public final class GroupOffsetsHandler {
    private final GroupCoordinator coordinator;
    private final Supplier<ClusterImage> images;
    private final Authorization authorization;

    public GroupOffsetsHandler(GroupCoordinator coordinator, Supplier<ClusterImage> images,
                               Authorization authorization) {
        this.coordinator = coordinator;
        this.images = images;
        this.authorization = authorization;
    }

    /**
     * OffsetCommit v2 (Kafka 4's oldest) to v10: member epochs of consumer groups from v9 (KIP-848), topic ids
     * from v10. The per-commit retention of v2-v4 is ignored: offsets expire by the broker's retention only,
     * as with every version since v5.
     */
    public ServedApi offsetCommit() {
        return new ServedApi(ApiKeys.OFFSET_COMMIT, VersionRange.of(2, 10), request -> {
            OffsetCommitRequestData data = ((OffsetCommitRequest) request.body()).data();
            if (!authorization.group(request, AclOperation.READ, data.groupId())) {
                return GroupResponses.refuse(request, Errors.GROUP_AUTHORIZATION_FAILED);
            }
            ClusterImage image = images.get();
            if (request.apiVersion() >= 10) {
                for (OffsetCommitRequestData.OffsetCommitRequestTopic t : data.topics()) {
                    t.setName(image.topic(t.topicId()).map(TopicImage::name).orElse(null));
                }
            }
            OffsetCommitRequestData allowed = data;
            List<OffsetCommitResponseData.OffsetCommitResponseTopic> refused = new ArrayList<>();
            if (authorization.enabled()) {
                Predicate<String> readable = authorization.topicCheck(request, AclOperation.READ);
                List<OffsetCommitRequestData.OffsetCommitRequestTopic> readableTopics = new ArrayList<>();
                for (OffsetCommitRequestData.OffsetCommitRequestTopic t : data.topics()) {
                    // An unknown topic id (no name) stays: the coordinator answers UNKNOWN_TOPIC_ID, Kafka's first
                    // rule.
                    if (t.name() == null || readable.test(t.name())) {
                        readableTopics.add(t);
                    } else {
                        refused.add(errorTopic(t, Errors.TOPIC_AUTHORIZATION_FAILED));
                    }
                }
                if (readableTopics.isEmpty()) {
                    return CompletableFuture.completedFuture(new Response.Send(
                            new OffsetCommitResponseData().setTopics(refused)));
                }
                allowed = new OffsetCommitRequestData().setGroupId(data.groupId()).setMemberId(data.memberId())
                        .setGenerationIdOrMemberEpoch(data.generationIdOrMemberEpoch())
                        .setRetentionTimeMs(data.retentionTimeMs()).setGroupInstanceId(data.groupInstanceId())
                        .setTopics(readableTopics);
            }
            // As in KafkaApis: refused topics first; a coordinator failure is every requested partition's error.
            return GroupResponses.answer(coordinator.commitOffsets(GroupResponses.context(request), allowed,
                            tp -> image.topic(tp.topic()).map(t -> t.partitions().containsKey(tp.partition()))
                                    .orElse(false)),
                    r -> {
                        if (!refused.isEmpty()) {
                            refused.addAll(r.topics());
                            r.setTopics(refused);
                        }
                        return r;
                    }, e -> commitError(data, e));
        });
    }

    private static OffsetCommitResponseData commitError(OffsetCommitRequestData data, Errors error) {
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic t : data.topics()) {
            response.topics().add(errorTopic(t, error));
        }
        return response;
    }

    private static OffsetCommitResponseData.OffsetCommitResponseTopic errorTopic(
            OffsetCommitRequestData.OffsetCommitRequestTopic t, Errors error) {
        var topic = new OffsetCommitResponseData.OffsetCommitResponseTopic().setName(t.name())
                .setTopicId(t.topicId());
        t.partitions().forEach(p -> topic.partitions().add(new OffsetCommitResponseData
                .OffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex()).setErrorCode(error.code())));
        return topic;
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
                if (!authorization.group(request, AclOperation.DESCRIBE, fetch.groupId())) {
                    results.add(CompletableFuture.completedFuture(
                            groupError(fetch, Errors.GROUP_AUTHORIZATION_FAILED, version)));
                    continue;
                }
                Predicate<String> describable = authorization.topicCheck(request, AclOperation.DESCRIBE);
                results.add(coordinator.committedOffsets(fetch.groupId(), fetch.memberId(), fetch.memberEpoch())
                        .handle((committed, failure) -> failure == null
                                ? groupResult(fetch, committed, image, describable)
                                : groupError(fetch, GroupResponses.error(failure), version)));
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

    /**
     * A failed group, as Kafka's {@code OffsetFetchResponse.groupError}: the group's error from v2; before, which has
     * no group error, every requested partition carries it.
     */
    private static OffsetFetchResponseData.OffsetFetchResponseGroup groupError(GroupFetch fetch, Errors error,
                                                                               short version) {
        var group = new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(fetch.groupId());
        if (version >= 2 || fetch.topics() == null) {
            return group.setErrorCode(error.code());
        }
        for (RequestedTopic t : fetch.topics()) {
            group.topics().add(errorTopic(t, error));
        }
        return group;
    }

    /**
     * The group's answer: the committed offsets of the requested topics, then the requested topics that get an
     * error (an unknown topic id, a topic the principal may not DESCRIBE), as KafkaApis orders them. Fetching all
     * offsets leaves out the topics the principal may not DESCRIBE.
     */
    private static OffsetFetchResponseData.OffsetFetchResponseGroup groupResult(
            GroupFetch fetch, CommittedOffsets offsets, ClusterImage image, Predicate<String> describable) {
        var group = groupResult(fetch, offsets.offsets(), image, describable);
        if (fetch.requireStable() && !offsets.unstable().isEmpty()) {
            for (var topic : group.topics()) {
                for (var p : topic.partitions()) {
                    if (p.errorCode() == Errors.NONE.code()
                            && offsets.unstable().contains(new TopicPartition(topic.name(), p.partitionIndex()))) {
                        p.setErrorCode(Errors.UNSTABLE_OFFSET_COMMIT.code()).setCommittedOffset(-1)
                                .setCommittedLeaderEpoch(-1).setMetadata("");
                    }
                }
            }
        }
        return group;
    }

    private static OffsetFetchResponseData.OffsetFetchResponseGroup groupResult(
            GroupFetch fetch, Map<TopicPartition, OffsetAndMetadata> committed, ClusterImage image,
            Predicate<String> describable) {
        var group = new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(fetch.groupId())
                .setErrorCode(Errors.NONE.code());
        Map<String, OffsetFetchResponseData.OffsetFetchResponseTopics> topics = new LinkedHashMap<>();
        List<OffsetFetchResponseData.OffsetFetchResponseTopics> failed = new ArrayList<>();
        if (fetch.topics() == null) {
            committed.forEach((tp, o) -> {
                if (describable.test(tp.topic())) {
                    topics.computeIfAbsent(tp.topic(), n -> topic(n,
                            image.topic(n).map(TopicImage::topicId).orElse(Uuid.ZERO_UUID))).partitions().add(
                            partition(tp.partition(), Optional.of(o)));
                }
            });
        } else {
            for (RequestedTopic t : fetch.topics()) {
                if (t.name() == null) {
                    failed.add(errorTopic(t, Errors.UNKNOWN_TOPIC_ID));
                    continue;
                }
                if (!describable.test(t.name())) {
                    failed.add(errorTopic(t, Errors.TOPIC_AUTHORIZATION_FAILED));
                    continue;
                }
                var topic = topic(t.name(), t.topicId());
                for (int p : t.partitions()) {
                    topic.partitions().add(partition(p,
                            Optional.ofNullable(committed.get(new TopicPartition(t.name(), p)))));
                }
                topics.put(t.name(), topic);
            }
        }
        List<OffsetFetchResponseData.OffsetFetchResponseTopics> all = new ArrayList<>(topics.values());
        all.addAll(failed);
        return group.setTopics(all);
    }

    /** A requested topic whose every partition answers {@code error}, with no offset. */
    private static OffsetFetchResponseData.OffsetFetchResponseTopics errorTopic(RequestedTopic t, Errors error) {
        var topic = topic(t.name(), t.topicId());
        for (int p : t.partitions()) {
            topic.partitions().add(partition(p, Optional.empty()).setErrorCode(error.code()));
        }
        return topic;
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

    /**
     * OffsetDelete v0, its only version. The topics the principal may not READ come first, as in KafkaApis; a
     * group-level error from the coordinator is the whole answer.
     */
    public ServedApi offsetDelete() {
        return new ServedApi(ApiKeys.OFFSET_DELETE, VersionRange.of(0, 0), request -> {
            var data = ((OffsetDeleteRequest) request.body()).data();
            if (!authorization.group(request, AclOperation.DELETE, data.groupId())) {
                return GroupResponses.refuse(request, Errors.GROUP_AUTHORIZATION_FAILED);
            }
            OffsetDeleteRequestData allowed = data;
            var refused = new OffsetDeleteResponseData.OffsetDeleteResponseTopicCollection();
            if (authorization.enabled()) {
                Predicate<String> readable = authorization.topicCheck(request, AclOperation.READ);
                var readableTopics = new OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection();
                for (OffsetDeleteRequestData.OffsetDeleteRequestTopic t : data.topics()) {
                    if (readable.test(t.name())) {
                        readableTopics.add(t.duplicate());
                        continue;
                    }
                    var topic = new OffsetDeleteResponseData.OffsetDeleteResponseTopic().setName(t.name());
                    t.partitions().forEach(p -> topic.partitions().add(new OffsetDeleteResponseData
                            .OffsetDeleteResponsePartition().setPartitionIndex(p.partitionIndex())
                            .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())));
                    refused.add(topic);
                }
                allowed = new OffsetDeleteRequestData().setGroupId(data.groupId()).setTopics(readableTopics);
            }
            return GroupResponses.answer(coordinator.deleteOffsets(allowed), r -> {
                if (r.errorCode() == Errors.NONE.code() && !refused.isEmpty()) {
                    r.topics().forEach(t -> refused.add(t.duplicate()));
                    r.setTopics(refused);
                }
                return r;
            }, e -> new OffsetDeleteResponseData().setErrorCode(e.code()));
        });
    }

}
