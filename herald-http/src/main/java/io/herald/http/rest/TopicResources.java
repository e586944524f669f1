package io.herald.http.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.http.server.HttpCall;
import io.herald.http.server.HttpReply;
import io.herald.http.server.Router;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Topics, their partitions and their configs under {@code /v3/clusters/{cluster_id}/topics}: list, create
 * ({@code topic_name}, {@code partitions_count}, {@code replication_factor}, {@code configs}), describe,
 * delete; partitions with their leader and replicas; configs with source, synonyms and flags, changed one by
 * one ({@code PUT}/{@code DELETE} of {@code configs/{name}}) or together ({@code POST configs:alter}).
 */
final class TopicResources {
    private final RestContext ctx;

    TopicResources(RestContext ctx) {
        this.ctx = ctx;
    }

    void register(Router router) {
        String topics = "/v3/clusters/{cluster_id}/topics";
        String topic = topics + "/{topic_name}";
        router.get(topics, RestContext.guarded(this::list))
                .post(topics, RestContext.guarded(this::create))
                .get(topic, RestContext.guarded(this::get))
                .delete(topic, RestContext.guarded(this::delete))
                .get(topic + "/partitions", RestContext.guarded(this::partitions))
                .get(topic + "/partitions/{partition_id}", RestContext.guarded(this::partition))
                .get(topic + "/configs", RestContext.guarded(this::configs))
                .post(topic + "/configs:alter", RestContext.guarded(this::alterConfigs))
                .get(topic + "/configs/{name}", RestContext.guarded(this::config))
                .put(topic + "/configs/{name}", RestContext.guarded(this::setConfig))
                .delete(topic + "/configs/{name}", RestContext.guarded(this::resetConfig));
    }

    private HttpReply list(HttpCall call) throws Exception {
        String id = ctx.checkCluster(call);
        Collection<String> names = new TreeSet<>(RestContext.await(ctx.admin()
                .listTopics(new ListTopicsOptions().listInternal(true)).names()));
        Map<String, TopicDescription> described = RestContext.await(ctx.admin().describeTopics(names).allTopicNames());
        List<ObjectNode> data = new ArrayList<>();
        for (String name : names) {
            TopicDescription d = described.get(name);
            if (d != null) {
                data.add(topicNode(call, id, d));
            }
        }
        return RestJson.ok(RestJson.list("KafkaTopicList", ctx.clusterUrl(call, id) + "/topics", data));
    }

    private HttpReply create(HttpCall call) throws Exception {
        String id = ctx.checkCluster(call);
        JsonNode body = RestJson.body(call);
        String name = RestParams.text(body, "topic_name");
        Optional<Integer> partitions = optionalInt(body, "partitions_count");
        Optional<Short> replication = optionalInt(body, "replication_factor").map(Integer::shortValue);
        Map<String, String> configs = new HashMap<>();
        JsonNode given = body.path("configs");
        if (!given.isMissingNode() && !given.isArray()) {
            throw new RestException(400, "configs must be a list of {\"name\", \"value\"}");
        }
        for (JsonNode config : given) {
            configs.put(RestParams.text(config, "name"), config.path("value").isNull() ? null
                    : config.path("value").asText());
        }
        boolean validateOnly = body.path("validate_only").asBoolean(false);
        RestContext.await(ctx.admin().createTopics(List.of(new NewTopic(name, partitions, replication).configs(configs)),
                new org.apache.kafka.clients.admin.CreateTopicsOptions().validateOnly(validateOnly)).all());
        if (validateOnly) {
            return RestJson.reply(200, RestJson.MAPPER.createObjectNode().put("cluster_id", id)
                    .put("topic_name", name).put("validate_only", true));
        }
        TopicDescription created = describe(name);
        return RestJson.reply(201, topicNode(call, id, created));
    }

    private HttpReply get(HttpCall call) throws Exception {
        String id = ctx.checkCluster(call);
        return RestJson.ok(topicNode(call, id, describe(call.pathParam("topic_name"))));
    }

    private HttpReply delete(HttpCall call) throws Exception {
        ctx.checkCluster(call);
        RestContext.await(ctx.admin().deleteTopics(List.of(call.pathParam("topic_name"))).all());
        return RestContext.noContent();
    }

    private HttpReply partitions(HttpCall call) throws Exception {
        String id = ctx.checkCluster(call);
        TopicDescription topic = describe(call.pathParam("topic_name"));
        List<ObjectNode> data = new ArrayList<>();
        topic.partitions().forEach(p -> data.add(partitionNode(call, id, topic.name(), p)));
        return RestJson.ok(RestJson.list("KafkaPartitionList", topicUrl(call, id, topic.name()) + "/partitions", data));
    }

    private HttpReply partition(HttpCall call) throws Exception {
        String id = ctx.checkCluster(call);
        TopicDescription topic = describe(call.pathParam("topic_name"));
        int index = RestParams.intParam(call.pathParam("partition_id"), "partition_id");
        TopicPartitionInfo partition = topic.partitions().stream().filter(p -> p.partition() == index).findFirst()
                .orElseThrow(() -> new UnknownTopicOrPartitionException("Partition " + index + " of topic "
                        + topic.name() + " does not exist"));
        return RestJson.ok(partitionNode(call, id, topic.name(), partition));
    }

    private HttpReply configs(HttpCall call) throws Exception {
        String id = ctx.checkCluster(call);
        String topic = call.pathParam("topic_name");
        List<ObjectNode> data = new ArrayList<>();
        topicConfig(topic).entries().stream().sorted(java.util.Comparator.comparing(ConfigEntry::name))
                .forEach(e -> data.add(configNode(call, id, topic, e)));
        return RestJson.ok(RestJson.list("KafkaTopicConfigList", topicUrl(call, id, topic) + "/configs", data));
    }

    private HttpReply config(HttpCall call) throws Exception {
        String id = ctx.checkCluster(call);
        String topic = call.pathParam("topic_name");
        String name = call.pathParam("name");
        ConfigEntry entry = topicConfig(topic).get(name);
        if (entry == null) {
            throw new RestException(404, "Config " + name + " of topic " + topic + " not found");
        }
        return RestJson.ok(configNode(call, id, topic, entry));
    }

    private HttpReply setConfig(HttpCall call) throws Exception {
        ctx.checkCluster(call);
        String value = RestParams.text(RestJson.body(call), "value");
        alter(call.pathParam("topic_name"), List.of(new AlterConfigOp(new ConfigEntry(call.pathParam("name"), value),
                AlterConfigOp.OpType.SET)));
        return RestContext.noContent();
    }

    private HttpReply resetConfig(HttpCall call) throws Exception {
        ctx.checkCluster(call);
        alter(call.pathParam("topic_name"), List.of(new AlterConfigOp(new ConfigEntry(call.pathParam("name"), null),
                AlterConfigOp.OpType.DELETE)));
        return RestContext.noContent();
    }

    /** {@code {"data": [{"name", "value"}, {"name", "operation": "DELETE"}]}}, applied together. */
    private HttpReply alterConfigs(HttpCall call) throws Exception {
        ctx.checkCluster(call);
        JsonNode data = RestJson.body(call).path("data");
        if (!data.isArray() || data.isEmpty()) {
            throw new RestException(400, "data must be a non-empty list of {\"name\", \"value\"|\"operation\"}");
        }
        List<AlterConfigOp> ops = new ArrayList<>();
        for (JsonNode op : data) {
            String name = RestParams.text(op, "name");
            String operation = op.path("operation").asText("SET").toUpperCase(java.util.Locale.ROOT);
            switch (operation) {
                case "SET" -> ops.add(new AlterConfigOp(new ConfigEntry(name, RestParams.text(op, "value")),
                        AlterConfigOp.OpType.SET));
                case "DELETE" -> ops.add(new AlterConfigOp(new ConfigEntry(name, null), AlterConfigOp.OpType.DELETE));
                default -> throw new RestException(400, "operation must be SET or DELETE: " + operation);
            }
        }
        alter(call.pathParam("topic_name"), ops);
        return RestContext.noContent();
    }

    private void alter(String topic, List<AlterConfigOp> ops) throws Exception {
        RestContext.await(ctx.admin().incrementalAlterConfigs(Map.of(
                new ConfigResource(ConfigResource.Type.TOPIC, topic), ops)).all());
    }

    private Config topicConfig(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return RestContext.await(ctx.admin().describeConfigs(List.of(resource)).all()).get(resource);
    }

    private TopicDescription describe(String topic) throws Exception {
        return RestContext.await(ctx.admin().describeTopics(List.of(topic)).allTopicNames()).get(topic);
    }

    private String topicUrl(HttpCall call, String clusterId, String topic) {
        return ctx.clusterUrl(call, clusterId) + "/topics/" + topic;
    }

    private ObjectNode topicNode(HttpCall call, String clusterId, TopicDescription topic) {
        String url = topicUrl(call, clusterId, topic.name());
        int replication = topic.partitions().isEmpty() ? 0 : topic.partitions().get(0).replicas().size();
        ObjectNode node = RestJson.resource("KafkaTopic", url, "crn:///kafka=" + clusterId + "/topic=" + topic.name())
                .put("cluster_id", clusterId).put("topic_name", topic.name()).put("topic_id", topic.topicId().toString())
                .put("is_internal", topic.isInternal()).put("replication_factor", replication)
                .put("partitions_count", topic.partitions().size());
        node.set("partitions", RestJson.related(url + "/partitions"));
        node.set("configs", RestJson.related(url + "/configs"));
        return node;
    }

    private ObjectNode partitionNode(HttpCall call, String clusterId, String topic, TopicPartitionInfo p) {
        String url = topicUrl(call, clusterId, topic) + "/partitions/" + p.partition();
        ObjectNode node = RestJson.resource("KafkaPartition", url,
                        "crn:///kafka=" + clusterId + "/topic=" + topic + "/partition=" + p.partition())
                .put("cluster_id", clusterId).put("topic_name", topic).put("partition_id", p.partition());
        Node leader = p.leader();
        if (leader != null && !leader.isEmpty()) {
            node.put("leader_id", leader.id());
            node.set("leader", RestJson.related(ctx.clusterUrl(call, clusterId) + "/brokers/" + leader.id()));
        } else {
            node.putNull("leader_id");
        }
        ArrayNode replicas = node.putArray("replicas");
        p.replicas().forEach(r -> replicas.add(r.id()));
        ArrayNode isr = node.putArray("isr");
        p.isr().forEach(r -> isr.add(r.id()));
        node.set("records", RestJson.related(url + "/records"));
        return node;
    }

    private ObjectNode configNode(HttpCall call, String clusterId, String topic, ConfigEntry entry) {
        ObjectNode node = RestJson.resource("KafkaTopicConfig", topicUrl(call, clusterId, topic) + "/configs/"
                        + entry.name(), "crn:///kafka=" + clusterId + "/topic=" + topic + "/config=" + entry.name())
                .put("cluster_id", clusterId).put("topic_name", topic).put("name", entry.name())
                .put("value", entry.isSensitive() ? null : entry.value()).put("is_default", entry.isDefault())
                .put("is_read_only", entry.isReadOnly()).put("is_sensitive", entry.isSensitive())
                .put("source", entry.source().name());
        ArrayNode synonyms = node.putArray("synonyms");
        entry.synonyms().forEach(s -> synonyms.addObject().put("name", s.name()).put("value", s.value())
                .put("source", s.source().name()));
        return node;
    }

    private static Optional<Integer> optionalInt(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.canConvertToInt()) {
            throw new RestException(400, field + " must be an integer");
        }
        return Optional.of(value.asInt());
    }
}
