package io.herald.protocol;

import java.util.concurrent.CompletableFuture;

/**
 * Serves one API.
 *
 * <p>Called on the connection's event loop, one request at a time per connection: a handler
 * must not block; it offloads blocking work itself and completes the future from any thread.
 * A future completed exceptionally (or an exception thrown from {@code handle}) is treated as a
 * bug: it is logged and the connection is closed.
 */
@FunctionalInterface
public interface ApiHandler {
    CompletableFuture<Response> handle(KafkaRequest request);
}
