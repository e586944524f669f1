package io.herald.protocol;

import java.net.InetSocketAddress;
import java.util.Objects;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A decoded request.
 *
 * <p>The body's byte buffer (a heap copy of the frame) stays valid until the response is sent:
 * a {@code ProduceRequest}'s {@code MemoryRecords} point into it, so a handler that keeps the
 * records beyond that point (for example to append them later) must copy them.
 *
 * <p>{@link #apiVersion()} is the version the client put in the header. For an ApiVersions
 * request newer than we support, Kafka's rule is to answer as if it were version 0; the
 * body then reports {@code body().version() == 0} and
 * {@code ApiVersionsRequest.hasUnsupportedRequestVersion()}. The response is always encoded
 * with {@code body().version()}.
 *
 * @param header        the parsed request header
 * @param body          the parsed request body
 * @param sizeInBytes   the size of the frame (header and body), excluding the 4-byte size prefix
 * @param clientAddress the peer's address
 * @param receivedNanos when the complete frame arrived, on the server's nano clock
 * @param connection    the listener and the principal the request came with
 */
public record KafkaRequest(RequestHeader header, AbstractRequest body, int sizeInBytes,
                           InetSocketAddress clientAddress, long receivedNanos, ConnectionContext connection) {

    public KafkaRequest {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(clientAddress, "clientAddress");
        Objects.requireNonNull(connection, "connection");
        if (sizeInBytes < 0) {
            throw new IllegalArgumentException("sizeInBytes: " + sizeInBytes + " (expected: >= 0)");
        }
    }

    /** A request of an anonymous client on a PLAINTEXT listener (tests). */
    public KafkaRequest(RequestHeader header, AbstractRequest body, int sizeInBytes, InetSocketAddress clientAddress,
                        long receivedNanos) {
        this(header, body, sizeInBytes, clientAddress, receivedNanos, ConnectionContext.PLAINTEXT);
    }

    public ApiKeys apiKey() {
        return header.apiKey();
    }

    public short apiVersion() {
        return header.apiVersion();
    }

    public int correlationId() {
        return header.correlationId();
    }

    public String clientId() {
        return header.clientId();
    }
}
