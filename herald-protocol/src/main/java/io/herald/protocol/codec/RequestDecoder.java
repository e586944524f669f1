package io.herald.protocol.codec;

import io.herald.protocol.ApiRegistry;
import io.herald.protocol.ConnectionContext;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.VersionRange;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Turns a frame into a {@link KafkaRequest}, or into the reason to close the connection.
 *
 * <p>Follows Kafka's RequestContext: an ApiVersions request newer than we serve is not parsed but
 * treated as version 0, so the client can learn our versions; any other failure (unknown API key,
 * API not served, version outside the served range, unparsable header or body) is an
 * InvalidRequestException, which Kafka answers by closing the connection.
 *
 * <p>Stateless and thread-safe, given a frozen registry.
 */
public final class RequestDecoder {

    /** The outcome of decoding one frame. */
    public sealed interface Result {
        record Decoded(KafkaRequest request) implements Result {
        }

        /** {@code api} names what we could tell about the request (e.g. "METADATA v12" or "api key 999"). */
        record Rejected(String api, String reason) implements Result {
        }
    }

    private final ApiRegistry registry;

    public RequestDecoder(ApiRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** Decodes {@code frame} (the payload after the size prefix) of an anonymous PLAINTEXT client (tests). */
    public Result decode(ByteBuffer frame, InetSocketAddress clientAddress, long receivedNanos) {
        return decode(frame, clientAddress, receivedNanos, ConnectionContext.PLAINTEXT);
    }

    /** Decodes {@code frame} (the payload after the size prefix) of {@code connection}; consumes the buffer. */
    public Result decode(ByteBuffer frame, InetSocketAddress clientAddress, long receivedNanos,
                         ConnectionContext connection) {
        int size = frame.remaining();
        if (size < 2 * Short.BYTES) {
            return new Result.Rejected("unknown api", "frame of " + size + " bytes is too short for a request header");
        }
        short apiKeyId = frame.getShort(frame.position());
        short apiVersion = frame.getShort(frame.position() + Short.BYTES);
        if (!ApiKeys.hasId(apiKeyId)) {
            return new Result.Rejected("api key " + apiKeyId, "unknown api key");
        }
        ApiKeys apiKey = ApiKeys.forId(apiKeyId);
        String api = apiKey + " v" + apiVersion;
        Optional<VersionRange> served = registry.versions(apiKey);
        if (served.isEmpty()) {
            return new Result.Rejected(api, "api not served by this broker");
        }
        boolean unsupportedApiVersions = apiKey == ApiKeys.API_VERSIONS && apiVersion > served.get().max();
        if (!served.get().contains(apiVersion) && !unsupportedApiVersions) {
            return new Result.Rejected(api, "unsupported version (served: " + served.get() + ')');
        }

        RequestHeader header;
        try {
            header = RequestHeader.parse(frame);
        } catch (RuntimeException e) {
            return new Result.Rejected(api, "malformed request header: " + describe(e));
        }

        AbstractRequest body;
        if (unsupportedApiVersions) {
            // KIP-511 / RequestContext.parseRequest: the body of a too-new ApiVersions request is not
            // parsed; it is answered as v0 so that every client version can read the error.
            body = new ApiVersionsRequest(new ApiVersionsRequestData(), (short) 0, apiVersion);
        } else {
            try {
                body = AbstractRequest.parseRequest(apiKey, apiVersion, new ByteBufferAccessor(frame)).request;
            } catch (RuntimeException e) {
                return new Result.Rejected(api, "malformed request body: " + describe(e));
            }
        }
        return new Result.Decoded(new KafkaRequest(header, body, size, clientAddress, receivedNanos, connection));
    }

    /** One line, no stack trace: the message chain of a parse failure. */
    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 500; t = t.getCause()) {
            if (!sb.isEmpty()) {
                sb.append(": ");
            }
            sb.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                sb.append(' ').append(t.getMessage());
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return sb.toString();
    }
}
