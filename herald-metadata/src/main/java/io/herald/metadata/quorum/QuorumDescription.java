package io.herald.metadata.quorum;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The metadata quorum as its leader sees it, for Kafka's DescribeQuorum ({@code kafka-metadata-quorum.sh},
 * Admin {@code describeMetadataQuorum}).
 *
 * @param leaderId      the leader's node id
 * @param leaderEpoch   its leadership term (the Raft term; 1 on a quorum of one)
 * @param highWatermark the index up to which the log is committed
 * @param voters        every voter, the leader included
 * @param observers     the broker-only nodes that follow the log (those the leader has heard from)
 */
public record QuorumDescription(int leaderId, long leaderEpoch, long highWatermark, List<Replica> voters,
                                List<Replica> observers) {

    public QuorumDescription {
        voters = List.copyOf(voters);
        observers = List.copyOf(observers);
    }

    /**
     * One member as the leader knows it.
     *
     * @param nodeId                its node id
     * @param logEndOffset          how far its log is known to reach: the leader's own end; for a voter the
     *                              index it last reported committed; for an observer the index it asked for
     *                              next (everything before it is applied there); -1 if unknown
     * @param lastFetchTimestamp    wall-clock ms of the last time the leader heard from it, -1 if unknown
     * @param lastCaughtUpTimestamp wall-clock ms of the last time it was known to have everything committed,
     *                              -1 if unknown
     */
    public record Replica(int nodeId, long logEndOffset, long lastFetchTimestamp, long lastCaughtUpTimestamp) {}

    /** Big-endian: the four scalars, then each list as a count and 28-byte members. */
    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(4 + 8 + 8 + 4 + 4 + (voters.size() + observers.size()) * 28)
                .putInt(leaderId).putLong(leaderEpoch).putLong(highWatermark);
        for (List<Replica> list : List.of(voters, observers)) {
            out.putInt(list.size());
            for (Replica r : list) {
                out.putInt(r.nodeId()).putLong(r.logEndOffset()).putLong(r.lastFetchTimestamp())
                        .putLong(r.lastCaughtUpTimestamp());
            }
        }
        return out.array();
    }

    public static QuorumDescription decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int leaderId = in.getInt();
        long epoch = in.getLong();
        long highWatermark = in.getLong();
        List<Replica> voters = replicas(in);
        return new QuorumDescription(leaderId, epoch, highWatermark, voters, replicas(in));
    }

    private static List<Replica> replicas(ByteBuffer in) {
        int count = in.getInt();
        List<Replica> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(new Replica(in.getInt(), in.getLong(), in.getLong(), in.getLong()));
        }
        return list;
    }
}
