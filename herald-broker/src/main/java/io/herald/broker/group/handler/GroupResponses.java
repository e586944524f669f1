package io.herald.broker.group.handler;

import io.herald.group.RequestContext;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Helpers shared by the group handlers: request context, error mapping, answering futures. */
public final class GroupResponses {
    private static final Logger log = LoggerFactory.getLogger(GroupResponses.class);

    private GroupResponses() {
    }

    /** The request's client, as the group coordinator records it (also for TxnOffsetCommit). */
    public static RequestContext context(KafkaRequest request) {
        // Kafka reports the client host as InetAddress.toString(), e.g. "/127.0.0.1".
        return new RequestContext(request.clientId(), request.clientAddress().getAddress() == null
                ? request.clientAddress().getHostString() : request.clientAddress().getAddress().toString(),
                request.apiVersion());
    }

    /** The Kafka error for a failed coordinator future; unexpected failures get one WARN line. */
    static Errors error(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        Errors error = Errors.forException(cause);
        if (error == Errors.UNKNOWN_SERVER_ERROR) {
            log.warn("Unexpected error in the group coordinator", cause);
        }
        return error;
    }

    /**
     * A request refused before the coordinator sees it (an ACL check, a malformed field), answered as Kafka's
     * KafkaApis answers it: with the request's own {@code getErrorResponse}.
     */
    static CompletableFuture<Response> refuse(KafkaRequest request, Errors error) {
        return CompletableFuture.completedFuture(new Response.Send(
                request.body().getErrorResponse(error.exception()).data()));
    }

    /** Answers with the future's message, or with {@code onError}'s when the future failed. */
    static <T> CompletableFuture<Response> answer(CompletableFuture<T> future, Function<T, ApiMessage> onSuccess,
                                                 Function<Errors, ApiMessage> onError) {
        return future.handle((value, failure) -> new Response.Send(
                failure == null ? onSuccess.apply(value) : onError.apply(error(failure))));
    }
}
