package io.herald.http.server;

/**
 * Answers a call with a Server-Sent Events stream ({@code text/event-stream}). Runs on the stream's own thread
 * (never an event loop, nor a worker that short calls wait for). {@link #open} checks the call first: it
 * refuses with an ordinary reply, or accepts with the {@link Stream} that then writes events until it returns
 * or the client leaves.
 */
@FunctionalInterface
public interface StreamEndpoint {
    /** The part of a stream that writes events, once the response has started. */
    @FunctionalInterface
    interface Stream {
        void run(EventStream events) throws Exception;
    }

    /** What {@link #open} decided. */
    sealed interface Opening {
        record Refused(HttpReply reply) implements Opening {}

        record Accepted(Stream stream) implements Opening {}
    }

    Opening open(HttpCall call) throws Exception;
}
