package io.herald.broker.handler;

import io.herald.protocol.Response;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Small helpers shared by the request handlers. */
final class Requests {
    private static final Logger log = LoggerFactory.getLogger(Requests.class);

    private Requests() {
    }

    /** Runs {@code work} on the request pool (it may touch the disk) and answers with its message. */
    static CompletableFuture<Response> onPool(Executor pool, Supplier<ApiMessage> work) {
        return CompletableFuture.supplyAsync(() -> new Response.Send(work.get()), pool);
    }

    /** Answers now with {@code message} (cheap requests served on the event loop). */
    static CompletableFuture<Response> now(ApiMessage message) {
        return CompletableFuture.completedFuture(new Response.Send(message));
    }

    /**
     * The Kafka error for a failure. Expected client errors (a Kafka ApiException) are not logged here;
     * anything else is a broker bug or an environment failure and gets one WARN line.
     */
    static Errors error(Throwable t) {
        Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null
                ? t.getCause() : t;
        Errors error = Errors.forException(cause);
        if (error == Errors.UNKNOWN_SERVER_ERROR) {
            log.warn("Unexpected error while handling a request", cause);
        }
        return error;
    }

    /** The message of an expected client error, or null when the error code says it all. */
    static String message(Throwable t) {
        Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null
                ? t.getCause() : t;
        return cause.getMessage();
    }
}
