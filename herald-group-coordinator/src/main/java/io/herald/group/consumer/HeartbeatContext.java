package io.herald.group.consumer;

import java.util.Objects;

/**
 * What the coordinator needs from the request header and the connection, beside the request
 * body: the client id and host are shown by ConsumerGroupDescribe; the API version decides whether
 * the client must bring its own member id (v1+, kafka-clients 4.x) or may leave it to the
 * coordinator (v0).
 */
public record HeartbeatContext(String clientId, String clientHost, short apiVersion) {

    public HeartbeatContext {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientHost, "clientHost");
    }
}
