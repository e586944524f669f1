package io.herald.metadata.quorum.raft;

import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * How a quorum entry sits in a Ratis log entry: {@code [kind byte][payload]}.
 *
 * <ul>
 *   <li>{@link #MACHINE} ({@code 0}): the payload is an entry given to {@code MetadataQuorum.append}; it reaches
 *       {@code QuorumStateMachine.apply}.</li>
 *   <li>{@link #NUDGE} ({@code 1}, no payload): written by the quorum itself, once per member start, and never
 *       shown to the state machine. It makes the leader send that member real entries: a Ratis leader that still
 *       remembers the old match index of a member restarted on an empty directory answers its "my log is empty"
 *       replies to heartbeats by retrying from that index, and only an append starting there makes it fall back
 *       to the beginning of its log (and so to InstallSnapshot). Without new entries it would only heartbeat.</li>
 * </ul>
 *
 * <p>Stateless.
 */
final class LogEntryCodec {
    static final byte MACHINE = 0;
    static final byte NUDGE = 1;

    private static final ByteString MACHINE_HEADER = ByteString.copyFrom(new byte[] {MACHINE});
    private static final ByteString NUDGE_ENTRY = ByteString.copyFrom(new byte[] {NUDGE});

    private LogEntryCodec() {}

    static ByteString machineEntry(byte[] entry) {
        return MACHINE_HEADER.concat(ByteString.copyFrom(entry));
    }

    static ByteString nudge() {
        return NUDGE_ENTRY;
    }

    /** The kind of a log entry written by {@link #machineEntry} or {@link #nudge}. */
    static byte kind(ByteString logData) {
        if (logData.isEmpty()) {
            throw new IllegalArgumentException("empty log entry (expected: a kind byte, 0 or 1)");
        }
        byte kind = logData.byteAt(0);
        if (kind != MACHINE && kind != NUDGE) {
            throw new IllegalArgumentException("log entry kind: " + kind + " (expected: 0 or 1)");
        }
        return kind;
    }

    /** The state machine's entry inside a {@link #MACHINE} log entry. */
    static byte[] payload(ByteString logData) {
        return logData.substring(1).toByteArray();
    }
}
