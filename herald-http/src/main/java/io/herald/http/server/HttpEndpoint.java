package io.herald.http.server;

/**
 * Answers the calls of one route. Runs on the HTTP worker threads, never on an event loop, so it may wait (for
 * a coordinator, a partition leader); an exception answers 500 with its message and is logged.
 */
@FunctionalInterface
public interface HttpEndpoint {
    HttpReply handle(HttpCall call) throws Exception;
}
