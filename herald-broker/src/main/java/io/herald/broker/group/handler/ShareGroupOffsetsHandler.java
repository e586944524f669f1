package io.herald.broker.group.handler;

import io.herald.broker.security.Authorization;
import io.herald.group.GroupCoordinator;
import io.herald.group.consumer.TopicsView;
import io.herald.group.share.PartitionEndOffsets;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.TopicImage;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterShareGroupOffsetsRequest;
import org.apache.kafka.common.requests.DeleteShareGroupOffsetsRequest;
import org.apache.kafka.common.requests.DescribeShareGroupOffsetsRequest;

/**
 * The admin APIs of share group progress (KIP-932): DescribeShareGroupOffsets (API 90), AlterShareGroupOffsets
 * (91) and DeleteShareGroupOffsets (92). The group coordinator does the work with the share-state persister; this
 * class resolves topics against the current metadata image, lends the coordinator the partitions' end offsets for
 * the lag, and shapes the answers as Kafka 4.3.1's KafkaApis does.
 *
 * <p>ACLs as in KafkaApis (and KIP-932): describing needs DESCRIBE on the group and on each topic, altering READ on
 * the group and on each topic, deleting DELETE on the group and READ on each topic. A refused group is answered with
 * GROUP_AUTHORIZATION_FAILED without reaching the coordinator, a refused topic with TOPIC_AUTHORIZATION_FAILED (a
 * description of all the group's topics leaves it out instead).
 *
 * <p>Thread-safety: thread-safe; handlers run on any request thread.
 */
public final class ShareGroupOffsetsHandler {
    private final GroupCoordinator coordinator;
    private final Supplier<ClusterImage> images;
    private final ImageTopics topics;
    private final PartitionEndOffsets endOffsets;
    private final Authorization authorization;

    /**
     * @param endOffsets each partition's latest offset (the high watermark, asked of its leader), for the lag of
     *                   DescribeShareGroupOffsets v1
     */
    public ShareGroupOffsetsHandler(GroupCoordinator coordinator, Supplier<ClusterImage> images,
                                    PartitionEndOffsets endOffsets, Authorization authorization) {
        this.coordinator = coordinator;
        this.images = images;
        this.topics = new ImageTopics(images);
        this.endOffsets = Objects.requireNonNull(endOffsets, "endOffsets");
        this.authorization = Objects.requireNonNull(authorization, "authorization");
    }

    /**
     * DescribeShareGroupOffsets v0 to v1: v1 adds each share-partition's lag (KIP-1226). Named topics the principal
     * may not DESCRIBE follow the others, as in KafkaApis, unless the group itself failed.
     */
    public ServedApi describeOffsets() {
        return new ServedApi(ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS, VersionRange.of(0, 1), request -> {
            var data = ((DescribeShareGroupOffsetsRequest) request.body()).data();
            TopicsView view = topics.current();
            List<CompletableFuture<DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup>>
                    results = new ArrayList<>();
            for (var group : data.groups()) {
                if (!authorization.group(request, AclOperation.DESCRIBE, group.groupId())) {
                    results.add(CompletableFuture.completedFuture(new DescribeShareGroupOffsetsResponseData
                            .DescribeShareGroupOffsetsResponseGroup().setGroupId(group.groupId())
                            .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code())));
                    continue;
                }
                Predicate<String> describable = authorization.topicCheck(request, AclOperation.DESCRIBE);
                var allowed = group;
                List<DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic> refused =
                        new ArrayList<>();
                if (authorization.enabled() && group.topics() != null) {
                    List<DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic> describableTopics =
                            new ArrayList<>();
                    for (var t : group.topics()) {
                        if (describable.test(t.topicName())) {
                            describableTopics.add(t);
                        } else {
                            refused.add(t);
                        }
                    }
                    allowed = new DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup()
                            .setGroupId(group.groupId()).setTopics(describableTopics);
                }
                boolean allTopics = group.topics() == null;
                results.add(coordinator.describeShareGroupOffsets(allowed, view, endOffsets).handle((g, failure) -> {
                    if (failure != null) {
                        return DescribeShareGroupOffsetsRequest.getErrorDescribedGroup(group.groupId(),
                                GroupResponses.error(failure));
                    }
                    if (allTopics && authorization.enabled()) {
                        g.setTopics(new ArrayList<>(g.topics().stream()
                                .filter(t -> describable.test(t.topicName())).toList()));
                    } else if (!refused.isEmpty() && g.errorCode() == Errors.NONE.code()) {
                        List<DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseTopic> all =
                                new ArrayList<>(g.topics());
                        refused.forEach(t -> all.add(undescribable(t)));
                        g.setTopics(all);
                    }
                    return g;
                }));
            }
            return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(v ->
                    new Response.Send(new DescribeShareGroupOffsetsResponseData().setGroups(
                            new ArrayList<>(results.stream().map(CompletableFuture::join).toList()))));
        });
    }

    /** A named topic the principal may not DESCRIBE: every partition TOPIC_AUTHORIZATION_FAILED, no offset. */
    private static DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseTopic undescribable(
            DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic topic) {
        var response = new DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseTopic()
                .setTopicName(topic.topicName()).setTopicId(Uuid.ZERO_UUID);
        topic.partitions().forEach(p -> response.partitions().add(
                new DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition()
                        .setPartitionIndex(p).setStartOffset(-1).setLag(-1)
                        .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                        .setErrorMessage(Errors.TOPIC_AUTHORIZATION_FAILED.message())));
        return response;
    }

    /**
     * AlterShareGroupOffsets v0: partitions of topics the principal may not READ answer TOPIC_AUTHORIZATION_FAILED,
     * those of topics the metadata does not know UNKNOWN_TOPIC_OR_PARTITION, here; they come first in the answer, as
     * in KafkaApis; a top-level error is the whole answer.
     */
    public ServedApi alterOffsets() {
        return new ServedApi(ApiKeys.ALTER_SHARE_GROUP_OFFSETS, VersionRange.of(0, 0), request -> {
            var data = ((AlterShareGroupOffsetsRequest) request.body()).data();
            if (!authorization.group(request, AclOperation.READ, data.groupId())) {
                return GroupResponses.refuse(request, Errors.GROUP_AUTHORIZATION_FAILED);
            }
            ClusterImage image = images.get();
            Predicate<String> readable = authorization.topicCheck(request, AclOperation.READ);
            var unknown = new AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponseTopicCollection();
            var known = new AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopicCollection();
            for (var topic : data.topics()) {
                Errors error = !readable.test(topic.topicName()) ? Errors.TOPIC_AUTHORIZATION_FAILED
                        : image.topic(topic.topicName()).isEmpty() ? Errors.UNKNOWN_TOPIC_OR_PARTITION : Errors.NONE;
                if (error == Errors.NONE) {
                    known.add(topic.duplicate());
                    continue;
                }
                var response = new AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponseTopic()
                        .setTopicName(topic.topicName()).setTopicId(image.topic(topic.topicName())
                                .map(TopicImage::topicId).orElse(Uuid.ZERO_UUID));
                topic.partitions().forEach(p -> response.partitions().add(
                        new AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponsePartition()
                                .setPartitionIndex(p.partitionIndex())
                                .setErrorCode(error.code())
                                .setErrorMessage(error.message())));
                unknown.add(response);
            }
            var forward = new AlterShareGroupOffsetsRequestData().setGroupId(data.groupId()).setTopics(known);
            return coordinator.alterShareGroupOffsets(forward, topics.current()).handle((r, failure) -> {
                if (failure != null) {
                    Errors error = GroupResponses.error(failure);
                    return new Response.Send(new AlterShareGroupOffsetsResponseData().setErrorCode(error.code())
                            .setErrorMessage(error.message()));
                }
                if (r.errorCode() != Errors.NONE.code()) {
                    return new Response.Send(new AlterShareGroupOffsetsResponseData().setErrorCode(r.errorCode())
                            .setErrorMessage(r.errorMessage()));
                }
                var merged = new AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponseTopicCollection();
                unknown.forEach(t -> merged.add(t.duplicate()));
                r.responses().forEach(t -> merged.add(t.duplicate()));
                return new Response.Send(new AlterShareGroupOffsetsResponseData().setResponses(merged));
            });
        });
    }

    /**
     * DeleteShareGroupOffsets v0. Topics the principal may not READ are answered first, as in KafkaApis; a top-level
     * error is the whole answer.
     */
    public ServedApi deleteOffsets() {
        return new ServedApi(ApiKeys.DELETE_SHARE_GROUP_OFFSETS, VersionRange.of(0, 0), request -> {
            var data = ((DeleteShareGroupOffsetsRequest) request.body()).data();
            if (!authorization.group(request, AclOperation.DELETE, data.groupId())) {
                return GroupResponses.refuse(request, Errors.GROUP_AUTHORIZATION_FAILED);
            }
            var allowed = data;
            List<DeleteShareGroupOffsetsResponseData.DeleteShareGroupOffsetsResponseTopic> refused = new ArrayList<>();
            if (authorization.enabled()) {
                Predicate<String> readable = authorization.topicCheck(request, AclOperation.READ);
                List<DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic> readableTopics =
                        new ArrayList<>();
                for (var t : data.topics()) {
                    if (readable.test(t.topicName())) {
                        readableTopics.add(t);
                    } else {
                        refused.add(new DeleteShareGroupOffsetsResponseData.DeleteShareGroupOffsetsResponseTopic()
                                .setTopicName(t.topicName()).setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                                .setErrorMessage(Errors.TOPIC_AUTHORIZATION_FAILED.message()));
                    }
                }
                allowed = new DeleteShareGroupOffsetsRequestData().setGroupId(data.groupId()).setTopics(readableTopics);
            }
            return GroupResponses.answer(coordinator.deleteShareGroupOffsets(allowed, topics.current()), r -> {
                if (r.errorCode() != Errors.NONE.code()) {
                    return new DeleteShareGroupOffsetsResponseData().setErrorCode(r.errorCode())
                            .setErrorMessage(r.errorMessage());
                }
                if (!refused.isEmpty()) {
                    refused.addAll(r.responses());
                    r.setResponses(refused);
                }
                return r;
            }, e -> new DeleteShareGroupOffsetsResponseData().setErrorCode(e.code()).setErrorMessage(e.message()));
        });
    }
}
