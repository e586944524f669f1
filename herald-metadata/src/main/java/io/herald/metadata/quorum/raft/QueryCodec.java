package io.herald.metadata.quorum.raft;

import java.nio.ByteBuffer;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * How a read-only request to the leader sits in a Ratis query message: {@code [kind byte][payload]}.
 *
 * <ul>
 *   <li>{@link #MACHINE} ({@code 0}): the payload is a request given to {@code MetadataQuorum.askLeader}; it
 *       reaches {@code QuorumStateMachine.onLeaderRequest}.</li>
 *   <li>{@link #LOG_FETCH} ({@code 1}): an observer (a broker-only node) asks for the committed entries from an
 *       index on: {@link LogFetch.Request}, answered by {@link LogFetchServer}.</li>
 *   <li>{@link #DESCRIBE} ({@code 2}, no payload): the quorum as the leader sees it, answered with an encoded
 *       {@link io.herald.metadata.quorum.QuorumDescription}.</li>
 * </ul>
 *
 * <p>Stateless.
 */
final class QueryCodec {
    static final byte MACHINE = 0;
    static final byte LOG_FETCH = 1;
    static final byte DESCRIBE = 2;

    private QueryCodec() {}

    static ByteString machineRequest(byte[] request) {
        return ByteString.copyFrom(new byte[] {MACHINE}).concat(ByteString.copyFrom(request));
    }

    static ByteString logFetch(LogFetch.Request request) {
        return ByteString.copyFrom(new byte[] {LOG_FETCH}).concat(ByteString.copyFrom(request.encode()));
    }

    static ByteString describe() {
        return ByteString.copyFrom(new byte[] {DESCRIBE});
    }

    /** The kind of a query written by {@link #machineRequest}, {@link #logFetch} or {@link #describe}. */
    static byte kind(ByteString query) {
        if (query.isEmpty()) {
            throw new IllegalArgumentException("empty query (expected: a kind byte, 0 to 2)");
        }
        byte kind = query.byteAt(0);
        if (kind != MACHINE && kind != LOG_FETCH && kind != DESCRIBE) {
            throw new IllegalArgumentException("query kind: " + kind + " (expected: 0 to 2)");
        }
        return kind;
    }

    static byte[] machinePayload(ByteString query) {
        return query.substring(1).toByteArray();
    }

    static LogFetch.Request logFetchPayload(ByteString query) {
        return LogFetch.Request.decode(ByteBuffer.wrap(query.substring(1).toByteArray()));
    }
}
