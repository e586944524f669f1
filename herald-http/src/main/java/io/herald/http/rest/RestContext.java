package io.herald.http.rest;

import io.herald.http.server.HttpCall;
import io.herald.http.server.HttpEndpoint;
import io.herald.http.server.HttpReply;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/**
 * What every REST resource needs: the clients, the cluster's id (a path segment of every v3 URL, checked on
 * each call) and the wrapping that turns an endpoint's exception into Kafka's error as JSON.
 */
final class RestContext {
    private final LocalClients clients;
    private volatile String clusterId;

    RestContext(LocalClients clients) {
        this.clients = clients;
    }

    LocalClients clients() {
        return clients;
    }

    Admin admin() {
        return clients.admin();
    }

    /** The cluster id, asked of the cluster once. */
    String clusterId() throws Exception {
        String id = clusterId;
        if (id == null) {
            id = await(admin().describeCluster().clusterId());
            clusterId = id;
        }
        return id;
    }

    /** The call's {@code {cluster_id}}, which must be this cluster's (404 otherwise). */
    String checkCluster(HttpCall call) throws Exception {
        String asked = call.pathParam("cluster_id");
        String id = clusterId();
        if (!id.equals(asked)) {
            throw new RestException(404, "Cluster " + asked + " not found");
        }
        return id;
    }

    /** {@code <base>/v3/clusters/<id>}. */
    String clusterUrl(HttpCall call, String clusterId) {
        return RestJson.base(call) + "/v3/clusters/" + clusterId;
    }

    /** An endpoint whose failures answer as Kafka errors. */
    static HttpEndpoint guarded(HttpEndpoint endpoint) {
        return call -> {
            try {
                return endpoint.handle(call);
            } catch (Exception e) {
                return RestErrors.reply(e);
            }
        };
    }

    static <T> T await(org.apache.kafka.common.KafkaFuture<T> future) throws Exception {
        return future.get(LocalClients.CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    static HttpReply noContent() {
        return new HttpReply(204, HttpReply.JSON, new byte[0]);
    }
}
