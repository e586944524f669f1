package io.herald.protocol;

import java.util.Objects;
import org.apache.kafka.common.protocol.ApiMessage;

/** What a handler answers for one request. */
public sealed interface Response {

    /**
     * A response body. The protocol layer builds the response header (with the header version
     * the API and version call for) and encodes the body with the request's version.
     */
    record Send(ApiMessage data) implements Response {
        public Send {
            Objects.requireNonNull(data, "data");
        }
    }

    /** Nothing is written (acks=0 produce); the connection moves on to its next request. */
    record NoResponse() implements Response {
    }

    /** Close the connection after logging {@code reason} (e.g. a failed acks=0 produce). */
    record Close(String reason) implements Response {
        public Close {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
