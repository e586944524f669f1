package io.herald.http.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.http.server.HttpCall;
import io.herald.http.server.HttpReply;
import io.herald.http.server.Router;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;

/** {@code /v3/clusters} and {@code /v3/clusters/{cluster_id}/brokers}. */
final class ClusterResources {
    private final RestContext ctx;

    ClusterResources(RestContext ctx) {
        this.ctx = ctx;
    }

    void register(Router router) {
        router.get("/v3/clusters", RestContext.guarded(this::clusters))
                .get("/v3/clusters/{cluster_id}", RestContext.guarded(this::cluster))
                .get("/v3/clusters/{cluster_id}/brokers", RestContext.guarded(this::brokers))
                .get("/v3/clusters/{cluster_id}/brokers/{broker_id}", RestContext.guarded(this::broker));
    }

    private HttpReply clusters(HttpCall call) throws Exception {
        return RestJson.ok(RestJson.list("KafkaClusterList", RestJson.base(call) + "/v3/clusters",
                List.of(clusterNode(call, ctx.clusterId()))));
    }

    private HttpReply cluster(HttpCall call) throws Exception {
        return RestJson.ok(clusterNode(call, ctx.checkCluster(call)));
    }

    private HttpReply brokers(HttpCall call) throws Exception {
        String id = ctx.checkCluster(call);
        Collection<Node> nodes = RestContext.await(ctx.admin().describeCluster().nodes());
        List<ObjectNode> data = new ArrayList<>();
        nodes.stream().sorted(java.util.Comparator.comparingInt(Node::id)).forEach(n -> data.add(brokerNode(call, id, n)));
        return RestJson.ok(RestJson.list("KafkaBrokerList", ctx.clusterUrl(call, id) + "/brokers", data));
    }

    private HttpReply broker(HttpCall call) throws Exception {
        String id = ctx.checkCluster(call);
        int brokerId = RestParams.intParam(call.pathParam("broker_id"), "broker_id");
        Node node = RestContext.await(ctx.admin().describeCluster().nodes()).stream()
                .filter(n -> n.id() == brokerId).findFirst()
                .orElseThrow(() -> new RestException(404, "Broker " + brokerId + " not found"));
        return RestJson.ok(brokerNode(call, id, node));
    }

    private ObjectNode clusterNode(HttpCall call, String id) throws Exception {
        String url = ctx.clusterUrl(call, id);
        DescribeClusterResult described = ctx.admin().describeCluster();
        Node controller = RestContext.await(described.controller());
        ObjectNode node = RestJson.resource("KafkaCluster", url, "crn:///kafka=" + id).put("cluster_id", id);
        if (controller != null && !controller.isEmpty()) {
            node.set("controller", RestJson.related(url + "/brokers/" + controller.id()));
        }
        node.set("brokers", RestJson.related(url + "/brokers"));
        node.set("consumer_groups", RestJson.related(url + "/consumer-groups"));
        node.set("topics", RestJson.related(url + "/topics"));
        return node;
    }

    private ObjectNode brokerNode(HttpCall call, String clusterId, Node broker) {
        String url = ctx.clusterUrl(call, clusterId) + "/brokers/" + broker.id();
        ObjectNode node = RestJson.resource("KafkaBroker", url, "crn:///kafka=" + clusterId + "/broker=" + broker.id())
                .put("cluster_id", clusterId).put("broker_id", broker.id()).put("host", broker.host())
                .put("port", broker.port());
        if (broker.hasRack()) {
            node.put("rack", broker.rack());
        } else {
            node.putNull("rack");
        }
        return node;
    }
}
