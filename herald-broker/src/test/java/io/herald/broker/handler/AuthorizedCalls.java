package io.herald.broker.handler;

import io.herald.broker.security.Authorization;
import io.herald.broker.security.GrantsAuthorizer;
import io.herald.protocol.ApiHandler;
import io.herald.protocol.ConnectionContext;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * Requests of the handler ACL tests: {@link #ALICE}'s on a SASL listener, against a {@link GrantsAuthorizer} that
 * denies what no test granted, and the handlers' answers. Not thread-safe: one per test.
 */
public final class AuthorizedCalls {
    public static final KafkaPrincipal ALICE = new KafkaPrincipal("User", "alice");

    public final GrantsAuthorizer grants = new GrantsAuthorizer();
    public final Authorization authorization = new Authorization(grants);
    private int correlation;

    /** {@code data} as a request body of {@code version}, through its wire form (as the broker receives it). */
    public static AbstractRequest body(ApiMessage data, short version) {
        return AbstractRequest.parseRequest(ApiKeys.forId(data.apiKey()), version,
                MessageUtil.toByteBufferAccessor(data, version)).request;
    }

    public KafkaRequest request(AbstractRequest body) {
        return new KafkaRequest(new RequestHeader(body.apiKey(), body.version(), "client", correlation++), body, 100,
                new InetSocketAddress("127.0.0.1", 40000), System.nanoTime(),
                new ConnectionContext("SASL_PLAINTEXT", SecurityProtocol.SASL_PLAINTEXT, ALICE));
    }

    /** What {@code handler} answers ALICE's {@code body} with. */
    public Response respond(ApiHandler handler, ApiMessage body, short version) {
        try {
            return handler.handle(request(body(body, version))).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no answer", e);
        }
    }

    /** The message {@code handler} answers ALICE's {@code body} with. */
    @SuppressWarnings("unchecked")
    public <T extends ApiMessage> T answer(ApiHandler handler, ApiMessage body, short version) {
        return (T) ((Response.Send) respond(handler, body, version)).data();
    }
}
