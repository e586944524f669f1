package io.herald.http.server;

/**
 * A Server-Sent Events response being written: events go out as they are sent, until the endpoint returns or
 * the client goes away. Used from the stream's own thread.
 */
public interface EventStream {
    /**
     * Sends one event ({@code id} and {@code event} lines where given, the data split on newlines). Waits while
     * the client is not reading (bounded by the client closing).
     *
     * @return false once the client has gone: the endpoint should return
     */
    boolean send(String id, String event, String data);

    /** Whether the client is still connected. */
    boolean isOpen();
}
