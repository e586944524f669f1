package io.herald.http.rest;

import io.herald.http.server.HttpReply;
import io.herald.http.server.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The REST API in the shape of Confluent's REST Proxy v3 ({@code /v3/clusters/...}: clusters, brokers, topics,
 * partitions, topic configs, consumer groups with their lag, producing records) plus reading records, and its
 * OpenAPI document at {@code /openapi.json}. It is a Kafka client of its own broker ({@link LocalClients}), so
 * Kafka's validation and error codes apply as they do to any client, and a call on one broker reaches the
 * partitions, groups and controller wherever they are.
 *
 * <p>Thread-safe; endpoints run on the HTTP workers and wait for the cluster (bounded by 15 s).
 */
public final class RestApi implements AutoCloseable {
    private final LocalClients clients;
    private final RestContext ctx;

    /** @param bootstrap the broker's own Kafka listener, {@code host:port} */
    public RestApi(String bootstrap) {
        this(new LocalClients(bootstrap));
    }

    /** An API whose calls use {@code clients} (per HTTP user when they log in as the caller). */
    public RestApi(LocalClients clients) {
        this.clients = clients;
        this.ctx = new RestContext(clients);
    }

    /** The Kafka clients of the API, for the console's own calls. */
    public LocalClients clients() {
        return clients;
    }

    /** Adds every route of the API to {@code router}. */
    public void register(Router router) {
        new ClusterResources(ctx).register(router);
        new TopicResources(ctx).register(router);
        new GroupResources(ctx).register(router);
        new RecordResources(ctx).register(router);
        byte[] openApi = resource("openapi.json");
        router.get("/openapi.json", call -> new HttpReply(200, HttpReply.JSON, openApi));
    }

    private static byte[] resource(String name) {
        try (InputStream in = RestApi.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        clients.close();
    }
}
