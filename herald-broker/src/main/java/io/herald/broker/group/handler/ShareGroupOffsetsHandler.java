package io.herald.broker.group.handler;

import io.herald.group.GroupCoordinator;
import io.herald.group.consumer.TopicsView;
import io.herald.group.share.PartitionEndOffsets;
import io.herald.metadata.image.ClusterImage;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData;
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
 * <p>Thread-safety: thread-safe; handlers run on any request thread.
 */
public final class ShareGroupOffsetsHandler {
    private final GroupCoordinator coordinator;
    private final Supplier<ClusterImage> images;
    private final ImageTopics topics;
    private final PartitionEndOffsets endOffsets;

    /**
     * @param endOffsets each partition's latest offset (the high watermark, asked of its leader), for the lag of
     *                   DescribeShareGroupOffsets v1
     */
    public ShareGroupOffsetsHandler(GroupCoordinator coordinator, Supplier<ClusterImage> images,
                                    PartitionEndOffsets endOffsets) {
        this.coordinator = coordinator;
        this.images = images;
        this.topics = new ImageTopics(images);
        this.endOffsets = Objects.requireNonNull(endOffsets, "endOffsets");
    }

    /** DescribeShareGroupOffsets v0 to v1: v1 adds each share-partition's lag (KIP-1226). */
    public ServedApi describeOffsets() {
        return new ServedApi(ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS, VersionRange.of(0, 1), request -> {
            var data = ((DescribeShareGroupOffsetsRequest) request.body()).data();
            TopicsView view = topics.current();
            List<CompletableFuture<DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup>>
                    results = new ArrayList<>();
            for (var group : data.groups()) {
                results.add(coordinator.describeShareGroupOffsets(group, view, endOffsets).handle((g, failure) ->
                        failure == null ? g : DescribeShareGroupOffsetsRequest.getErrorDescribedGroup(group.groupId(),
                                GroupResponses.error(failure))));
            }
            return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(v ->
                    new Response.Send(new DescribeShareGroupOffsetsResponseData().setGroups(
                            new ArrayList<>(results.stream().map(CompletableFuture::join).toList()))));
        });
    }

    /**
     * AlterShareGroupOffsets v0: partitions of topics the metadata does not know answer UNKNOWN_TOPIC_OR_PARTITION
     * here and come first in the answer, as in KafkaApis; a top-level error is the whole answer.
     */
    public ServedApi alterOffsets() {
        return new ServedApi(ApiKeys.ALTER_SHARE_GROUP_OFFSETS, VersionRange.of(0, 0), request -> {
            var data = ((AlterShareGroupOffsetsRequest) request.body()).data();
            ClusterImage image = images.get();
            var unknown = new AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponseTopicCollection();
            var known = new AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopicCollection();
            for (var topic : data.topics()) {
                if (image.topic(topic.topicName()).isPresent()) {
                    known.add(topic.duplicate());
                    continue;
                }
                var response = new AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponseTopic()
                        .setTopicName(topic.topicName()).setTopicId(Uuid.ZERO_UUID);
                topic.partitions().forEach(p -> response.partitions().add(
                        new AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponsePartition()
                                .setPartitionIndex(p.partitionIndex())
                                .setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                                .setErrorMessage(Errors.UNKNOWN_TOPIC_OR_PARTITION.message())));
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

    /** DeleteShareGroupOffsets v0. */
    public ServedApi deleteOffsets() {
        return new ServedApi(ApiKeys.DELETE_SHARE_GROUP_OFFSETS, VersionRange.of(0, 0), request -> {
            var data = ((DeleteShareGroupOffsetsRequest) request.body()).data();
            return GroupResponses.answer(coordinator.deleteShareGroupOffsets(data, topics.current()), r -> r,
                    e -> new DeleteShareGroupOffsetsResponseData().setErrorCode(e.code()).setErrorMessage(e.message()));
        });
    }
}
