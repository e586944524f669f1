package io.herald.metadata.quorum.raft;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages by which an observer follows the committed metadata log: it asks the leader for the entries from
 * {@link Request#fromIndex} on and gets either those {@link Entries} or, when the leader has already purged that
 * part of its log, its latest {@link Snapshot}. Both answers say where to ask next.
 *
 * <p>Only state-machine entries travel; Raft's own entries (configuration, a new leader's first entry) and the
 * quorum's start-up nudges are skipped, so indexes in an answer increase but may jump.
 *
 * <p>Wire format (big-endian): request {@code [int32 observerId][int64 fromIndex][int32 maxBytes][int32 maxWaitMs]};
 * answer
 * {@code [byte type][int32 leaderId][int64 nextIndex]} followed, for {@link Entries} (type 0), by
 * {@code [int64 leaderApplied][int32 count]} and {@code count} times
 * {@code [int64 index][int64 term][int32 length][bytes]},
 * and for {@link Snapshot} (type 1) by {@code [int64 machineIndex][int32 length][bytes]}.
 *
 * <p>Immutable values; stateless codec.
 */
final class LogFetch {
    private static final byte ENTRIES = 0;
    private static final byte SNAPSHOT = 1;

    private LogFetch() {}

    /**
     * @param observerId the asking node's id (the leader reports its observers in DescribeQuorum)
     * @param fromIndex the first Raft log index wanted
     * @param maxBytes  a soft bound on the payload bytes of one answer (at least one entry is always sent)
     * @param maxWaitMs how long the leader may hold the request while no entry at or after {@code fromIndex}
     *                  is committed
     */
    record Request(int observerId, long fromIndex, int maxBytes, int maxWaitMs) {
        Request {
            if (fromIndex < 0 || maxBytes < 1 || maxWaitMs < 0) {
                throw new IllegalArgumentException("log fetch " + fromIndex + "/" + maxBytes + "/" + maxWaitMs
                        + " (expected: fromIndex >= 0, maxBytes >= 1, maxWaitMs >= 0)");
            }
        }

        byte[] encode() {
            return ByteBuffer.allocate(20).putInt(observerId).putLong(fromIndex).putInt(maxBytes).putInt(maxWaitMs)
                    .array();
        }

        static Request decode(ByteBuffer in) {
            return new Request(in.getInt(), in.getLong(), in.getInt(), in.getInt());
        }
    }

    /** One committed state-machine entry at Raft log index {@code index}, appended in {@code term}. */
    record Entry(long index, long term, byte[] bytes) {}

    /** An answer from the leader {@code leaderId}; ask next from {@code nextIndex}. */
    sealed interface Answer permits Entries, Snapshot {
        int leaderId();

        long nextIndex();

        byte[] encode();

        static Answer decode(ByteBuffer in) {
            byte type = in.get();
            int leaderId = in.getInt();
            long nextIndex = in.getLong();
            return switch (type) {
                case ENTRIES -> {
                    long leaderApplied = in.getLong();
                    int count = in.getInt();
                    List<Entry> entries = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        entries.add(new Entry(in.getLong(), in.getLong(), bytes(in)));
                    }
                    yield new Entries(leaderId, nextIndex, leaderApplied, entries);
                }
                case SNAPSHOT -> new Snapshot(leaderId, nextIndex, in.getLong(), bytes(in));
                default -> throw new IllegalArgumentException("log fetch answer type: " + type
                        + " (expected: 0 or 1)");
            };
        }

        private static byte[] bytes(ByteBuffer in) {
            byte[] bytes = new byte[in.getInt()];
            in.get(bytes);
            return bytes;
        }
    }

    /**
     * Committed entries in log order; {@code leaderApplied} is the leader's applied index when it answered, so
     * {@code nextIndex > leaderApplied} means the asker has everything the leader had.
     */
    record Entries(int leaderId, long nextIndex, long leaderApplied, List<Entry> entries) implements Answer {
        boolean caughtUp() {
            return nextIndex > leaderApplied;
        }

        @Override
        public byte[] encode() {
            int size = 1 + 4 + 8 + 8 + 4;
            for (Entry entry : entries) {
                size += 8 + 8 + 4 + entry.bytes().length;
            }
            ByteBuffer out = ByteBuffer.allocate(size).put(ENTRIES).putInt(leaderId).putLong(nextIndex)
                    .putLong(leaderApplied).putInt(entries.size());
            for (Entry entry : entries) {
                out.putLong(entry.index()).putLong(entry.term()).putInt(entry.bytes().length).put(entry.bytes());
            }
            return out.array();
        }
    }

    /** The leader's latest snapshot: the state machine's state after entry {@code machineIndex}. */
    record Snapshot(int leaderId, long nextIndex, long machineIndex, byte[] bytes) implements Answer {
        @Override
        public byte[] encode() {
            return ByteBuffer.allocate(1 + 4 + 8 + 8 + 4 + bytes.length).put(SNAPSHOT).putInt(leaderId)
                    .putLong(nextIndex).putLong(machineIndex).putInt(bytes.length).put(bytes).array();
        }
    }
}
