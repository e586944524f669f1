package io.herald.http.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.http.server.HttpCall;
import io.herald.http.server.HttpReply;
import io.herald.http.server.Router;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;

/**
 * Consumer groups under {@code /v3/clusters/{cluster_id}/consumer-groups}: list, describe, the group's
 * consumers, its lag per partition ({@code lags}: committed offset, log end offset, lag and the member assigned)
 * and its {@code lag-summary} (total and largest lag). A group that does not exist is a 404; the log end offset
 * is the partition's high watermark, as {@code kafka-consumer-groups --describe} shows it.
 */
final class GroupResources {
    private final RestContext ctx;

    GroupResources(RestContext ctx) {
        this.ctx = ctx;
    }

    void register(Router router) {
        String groups = "/v3/clusters/{cluster_id}/consumer-groups";
        String group = groups + "/{consumer_group_id}";
        router.get(groups, RestContext.guarded(this::list))
                .get(group, RestContext.guarded(this::get))
                .get(group + "/consumers", RestContext.guarded(this::consumers))
                .get(group + "/lags", RestContext.guarded(this::lags))
                .get(group + "/lag-summary", RestContext.guarded(this::lagSummary));
    }

    /** One partition's lag and the member it is assigned to, if any. */
    private record Lag(TopicPartition partition, long current, long end, Optional<MemberDescription> member) {
        long lag() {
            return Math.max(0, end - current);
        }
    }

    private HttpReply list(HttpCall call) throws Exception {
        String id = ctx.checkCluster(call);
        List<String> ids = RestContext.await(ctx.admin().listGroups(ListGroupsOptions.forConsumerGroups()).all())
                .stream().map(GroupListing::groupId).sorted().toList();
        Map<String, ConsumerGroupDescription> described = ids.isEmpty() ? Map.of()
                : RestContext.await(ctx.admin().describeConsumerGroups(ids).all());
        List<ObjectNode> data = new ArrayList<>();
        for (String group : ids) {
            ConsumerGroupDescription d = described.get(group);
            if (d != null) {
                data.add(groupNode(call, id, d));
            }
        }
        return RestJson.ok(RestJson.list("KafkaConsumerGroupList", ctx.clusterUrl(call, id) + "/consumer-groups",
                data));
    }

    private HttpReply get(HttpCall call) throws Exception {
        String id = ctx.checkCluster(call);
        return RestJson.ok(groupNode(call, id, describe(call.pathParam("consumer_group_id"))));
    }

    private HttpReply consumers(HttpCall call) throws Exception {
        String id = ctx.checkCluster(call);
        ConsumerGroupDescription group = describe(call.pathParam("consumer_group_id"));
        String url = groupUrl(call, id, group.groupId()) + "/consumers";
        List<ObjectNode> data = new ArrayList<>();
        for (MemberDescription m : group.members()) {
            ObjectNode node = RestJson.resource("KafkaConsumer", url + "/" + m.consumerId(), null)
                    .put("cluster_id", id).put("consumer_group_id", group.groupId())
                    .put("consumer_id", m.consumerId()).put("instance_id", m.groupInstanceId().orElse(null))
                    .put("client_id", m.clientId()).put("host", m.host());
            var assignments = node.putArray("assignments");
            m.assignment().topicPartitions().stream()
                    .sorted(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition))
                    .forEach(tp -> assignments.addObject().put("topic_name", tp.topic())
                            .put("partition_id", tp.partition()));
            data.add(node);
        }
        return RestJson.ok(RestJson.list("KafkaConsumerList", url, data));
    }

    private HttpReply lags(HttpCall call) throws Exception {
        String id = ctx.checkCluster(call);
        String group = call.pathParam("consumer_group_id");
        List<ObjectNode> data = new ArrayList<>();
        for (Lag lag : lags(group)) {
            TopicPartition tp = lag.partition();
            ObjectNode node = RestJson.resource("KafkaConsumerLag", groupUrl(call, id, group) + "/lags/" + tp.topic()
                            + "/partitions/" + tp.partition(), null)
                    .put("cluster_id", id).put("consumer_group_id", group).put("topic_name", tp.topic())
                    .put("partition_id", tp.partition()).put("current_offset", lag.current())
                    .put("log_end_offset", lag.end()).put("lag", lag.lag());
            memberFields(node, lag.member());
            data.add(node);
        }
        return RestJson.ok(RestJson.list("KafkaConsumerLagList", groupUrl(call, id, group) + "/lags", data));
    }

    private HttpReply lagSummary(HttpCall call) throws Exception {
        String id = ctx.checkCluster(call);
        String group = call.pathParam("consumer_group_id");
        List<Lag> lags = lags(group);
        ObjectNode node = RestJson.resource("KafkaConsumerGroupLagSummary", groupUrl(call, id, group) + "/lag-summary",
                null).put("cluster_id", id).put("consumer_group_id", group);
        Optional<Lag> max = lags.stream().max(Comparator.comparingLong(Lag::lag));
        node.put("total_lag", lags.stream().mapToLong(Lag::lag).sum());
        node.put("max_lag", max.map(Lag::lag).orElse(0L));
        node.put("max_lag_topic_name", max.map(l -> l.partition().topic()).orElse(null));
        if (max.isPresent()) {
            node.put("max_lag_partition_id", max.get().partition().partition());
        } else {
            node.putNull("max_lag_partition_id");
        }
        ObjectNode member = RestJson.MAPPER.createObjectNode();
        memberFields(member, max.flatMap(Lag::member));
        node.put("max_lag_consumer_id", member.path("consumer_id").textValue());
        node.put("max_lag_instance_id", member.path("instance_id").textValue());
        node.put("max_lag_client_id", member.path("client_id").textValue());
        return RestJson.ok(node);
    }

    /** Every partition the group committed an offset for, with its high watermark. */
    private List<Lag> lags(String group) throws Exception {
        ConsumerGroupDescription described = describe(group);
        Map<TopicPartition, OffsetAndMetadata> committed = RestContext.await(ctx.admin()
                .listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.forEach((tp, offset) -> {
            if (offset != null) {
                latest.put(tp, OffsetSpec.latest());
            }
        });
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = latest.isEmpty() ? Map.of()
                : RestContext.await(ctx.admin().listOffsets(latest).all());
        Map<TopicPartition, MemberDescription> owners = new HashMap<>();
        described.members().forEach(m -> m.assignment().topicPartitions().forEach(tp -> owners.put(tp, m)));
        List<Lag> lags = new ArrayList<>();
        latest.keySet().stream()
                .sorted(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition))
                .forEach(tp -> lags.add(new Lag(tp, committed.get(tp).offset(), ends.get(tp).offset(),
                        Optional.ofNullable(owners.get(tp)))));
        return lags;
    }

    private ConsumerGroupDescription describe(String group) throws Exception {
        ConsumerGroupDescription d = RestContext.await(ctx.admin().describeConsumerGroups(List.of(group)).all())
                .get(group);
        if (d == null || d.groupState() == GroupState.DEAD) {
            throw new org.apache.kafka.common.errors.GroupIdNotFoundException("Consumer group " + group
                    + " does not exist");
        }
        return d;
    }

    private String groupUrl(HttpCall call, String clusterId, String group) {
        return ctx.clusterUrl(call, clusterId) + "/consumer-groups/" + group;
    }

    private ObjectNode groupNode(HttpCall call, String clusterId, ConsumerGroupDescription d) {
        String url = groupUrl(call, clusterId, d.groupId());
        ObjectNode node = RestJson.resource("KafkaConsumerGroup", url,
                        "crn:///kafka=" + clusterId + "/consumer-group=" + d.groupId())
                .put("cluster_id", clusterId).put("consumer_group_id", d.groupId())
                .put("is_simple", d.isSimpleConsumerGroup()).put("partition_assignor", d.partitionAssignor())
                .put("state", d.groupState().name()).put("type", d.type().name());
        if (d.coordinator() != null && !d.coordinator().isEmpty()) {
            node.set("coordinator", RestJson.related(ctx.clusterUrl(call, clusterId) + "/brokers/"
                    + d.coordinator().id()));
        }
        node.set("consumers", RestJson.related(url + "/consumers"));
        node.set("lag_summary", RestJson.related(url + "/lag-summary"));
        return node;
    }

    private static void memberFields(ObjectNode node, Optional<MemberDescription> member) {
        node.put("consumer_id", member.map(MemberDescription::consumerId).orElse(null));
        node.put("instance_id", member.flatMap(MemberDescription::groupInstanceId).orElse(null));
        node.put("client_id", member.map(MemberDescription::clientId).orElse(null));
    }
}
