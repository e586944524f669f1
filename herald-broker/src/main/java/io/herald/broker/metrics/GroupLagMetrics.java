package io.herald.broker.metrics;

import io.herald.group.CommittedOffsets;
import io.herald.group.GroupCoordinator;
import io.herald.group.share.PartitionEndOffsets;
import io.herald.group.share.PartitionEndOffsets.EndOffset;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import io.herald.group.offsets.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer-group lag with kafka_exporter's names, for the groups this broker coordinates (so summing over
 * brokers counts each group once): {@code kafka_consumergroup_current_offset} and {@code kafka_consumergroup_lag}
 * per {@code consumergroup}, {@code topic} and {@code partition}; {@code kafka_consumergroup_lag_sum} per group
 * and topic; {@code kafka_consumergroup_members} per group; {@code herald_consumergroup_state} (1, with the
 * group's {@code state} as a label). Lag is the partition's high watermark (from its
 * leader) minus the committed offset, never below zero. Share groups have no committed offsets and are left
 * out.
 *
 * <p>{@link #refresh} asks the group coordinator and the partition leaders and waits for them (bounded by
 * {@code timeoutMs} per step): it runs on the scraping thread, never on an event loop.
 */
public final class GroupLagMetrics {
    private static final Logger log = LoggerFactory.getLogger(GroupLagMetrics.class);
    /** DescribeGroups v5: members with their group instance ids. */
    private static final short DESCRIBE_VERSION = 5;

    private final GroupCoordinator groups;
    private final PartitionEndOffsets endOffsets;
    private final long timeoutMs;
    private final MultiGauge current;
    private final MultiGauge lag;
    private final MultiGauge lagSum;
    private final MultiGauge members;
    private final MultiGauge state;

    public GroupLagMetrics(MeterRegistry registry, GroupCoordinator groups, PartitionEndOffsets endOffsets,
                           long timeoutMs) {
        this.groups = groups;
        this.endOffsets = endOffsets;
        this.timeoutMs = timeoutMs;
        current = MultiGauge.builder("kafka.consumergroup.current.offset")
                .description("A group's committed offset of a partition").register(registry);
        lag = MultiGauge.builder("kafka.consumergroup.lag")
                .description("High watermark minus the group's committed offset").register(registry);
        lagSum = MultiGauge.builder("kafka.consumergroup.lag.sum")
                .description("A group's lag summed over a topic's partitions").register(registry);
        members = MultiGauge.builder("kafka.consumergroup.members")
                .description("Members of a group").register(registry);
        state = MultiGauge.builder("herald.consumergroup.state")
                .description("1 for a group's current state (Stable, PreparingRebalance, Empty, ...)").register(registry);
    }

    /** Re-reads every group coordinated here; a group or partition that does not answer in time is left out. */
    public void refresh() {
        List<MultiGauge.Row<?>> currentRows = new ArrayList<>();
        List<MultiGauge.Row<?>> lagRows = new ArrayList<>();
        List<MultiGauge.Row<?>> sumRows = new ArrayList<>();
        List<MultiGauge.Row<?>> memberRows = new ArrayList<>();
        List<MultiGauge.Row<?>> stateRows = new ArrayList<>();
        for (ListGroupsResponseData.ListedGroup group : listGroups()) {
            if ("share".equalsIgnoreCase(group.groupType())) {
                continue;
            }
            String id = group.groupId();
            if (group.groupState() != null && !group.groupState().isEmpty()) {
                stateRows.add(MultiGauge.Row.of(Tags.of("consumergroup", id, "state", group.groupState()), 1));
            }
            memberCount(id).ifPresent(n -> memberRows.add(MultiGauge.Row.of(Tags.of("consumergroup", id), n)));
            Map<TopicPartition, OffsetAndMetadata> committed = committed(id);
            if (committed.isEmpty()) {
                continue;
            }
            Map<TopicPartition, EndOffset> ends = ends(committed);
            Map<String, Long> sums = new TreeMap<>();
            committed.forEach((tp, offset) -> {
                Tags tags = Tags.of("consumergroup", id, "topic", tp.topic(),
                        "partition", String.valueOf(tp.partition()));
                currentRows.add(MultiGauge.Row.of(tags, offset.offset()));
                EndOffset end = ends.get(tp);
                if (end != null && end.error() == Errors.NONE && end.offset() >= 0) {
                    long partitionLag = Math.max(0, end.offset() - offset.offset());
                    lagRows.add(MultiGauge.Row.of(tags, partitionLag));
                    sums.merge(tp.topic(), partitionLag, Long::sum);
                }
            });
            sums.forEach((topic, sum) -> sumRows.add(MultiGauge.Row.of(Tags.of("consumergroup", id,
                    "topic", topic), sum)));
        }
        current.register(currentRows, true);
        lag.register(lagRows, true);
        lagSum.register(sumRows, true);
        members.register(memberRows, true);
        state.register(stateRows, true);
    }

    private List<ListGroupsResponseData.ListedGroup> listGroups() {
        return await(groups.listGroups(List.of(), List.of()), "listing groups")
                .map(ListGroupsResponseData::groups).orElse(List.of());
    }

    private Optional<Integer> memberCount(String groupId) {
        return await(groups.describeGroup(groupId, DESCRIBE_VERSION), "describing group " + groupId)
                .filter(described -> described.errorCode() == Errors.NONE.code())
                .map(described -> described.members().size());
    }

    private Map<TopicPartition, OffsetAndMetadata> committed(String groupId) {
        return await(groups.committedOffsets(groupId, null, -1), "reading the offsets of group " + groupId)
                .map(CommittedOffsets::offsets).orElse(Map.of());
    }

    private Map<TopicPartition, EndOffset> ends(Map<TopicPartition, OffsetAndMetadata> committed) {
        return await(endOffsets.latestOffsets(committed.keySet()), "reading end offsets").orElse(Map.of());
    }

    /** The answer, or empty (logged at debug) when it failed or did not come within the timeout. */
    private <T> Optional<T> await(CompletableFuture<T> answer, String what) {
        try {
            return Optional.of(answer.get(timeoutMs, TimeUnit.MILLISECONDS));
        } catch (ExecutionException | TimeoutException e) {
            log.debug("Lag metrics: {} failed: {}", what, e.toString());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
