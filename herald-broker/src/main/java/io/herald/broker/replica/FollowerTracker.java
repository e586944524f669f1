package io.herald.broker.replica;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * The leader's view of its followers in the current leader epoch: each follower's progress as its fetches
 * report it ({@link FollowerReplica}) and the log end offset at which this leader epoch began. From them it
 * derives the HW target, the low watermark, which ISR members lag and whether a follower may join the ISR.
 *
 * <p>Invariants: only replicas of the partition other than the local broker are tracked; a new leader epoch
 * starts from no known follower offsets, so its HW only moves once the ISR's followers have fetched.
 *
 * <p>Thread-safety: the follower map and the epoch start offset are replaced only under the partition's write
 * lock ({@link #startEpoch}, {@link #updateReplicas}, {@link #clear}) and read lock-free (volatile); each
 * {@link FollowerReplica} guards its own fields with its monitor.
 */
final class FollowerTracker {
    private final int localBrokerId;
    /** By broker id; empty when this replica does not lead. */
    private volatile Map<Integer, FollowerReplica> followers = Map.of();
    /** The log end offset when this replica became leader of the current epoch (-1 when not leading). */
    private volatile long epochStartOffset = -1;

    FollowerTracker(int localBrokerId) {
        this.localBrokerId = localBrokerId;
    }

    /**
     * Forgets every follower's progress for a new leader epoch starting at {@code startOffset}. ISR members
     * count as caught up now (they get a full lag period to prove it), the others as never.
     */
    void startEpoch(List<Integer> replicas, List<Integer> isr, long nowMs, long startOffset) {
        Map<Integer, FollowerReplica> fresh = new HashMap<>();
        for (int id : replicas) {
            if (id != localBrokerId) {
                fresh.put(id, new FollowerReplica(id, nowMs, isr.contains(id)));
            }
        }
        followers = Map.copyOf(fresh);
        epochStartOffset = startOffset;
    }

    /** Same leader epoch, new replica set: keeps the progress of the remaining followers, adds new ones. */
    void updateReplicas(List<Integer> replicas, long nowMs) {
        Map<Integer, FollowerReplica> updated = new HashMap<>(followers);
        updated.keySet().retainAll(replicas);
        for (int id : replicas) {
            if (id != localBrokerId) {
                updated.computeIfAbsent(id, i -> new FollowerReplica(i, nowMs, false));
            }
        }
        followers = Map.copyOf(updated);
    }

    /** Not leading any more. */
    void clear() {
        followers = Map.of();
        epochStartOffset = -1;
    }

    /** A follower's last reported log end offset, or {@link FollowerReplica#UNKNOWN}. */
    long logEndOffset(int brokerId) {
        FollowerReplica f = followers.get(brokerId);
        return f == null ? FollowerReplica.UNKNOWN : f.logEndOffset();
    }

    /** What {@link #recordFetch} did. */
    enum FetchRecorded {
        /** Not a tracked follower: nothing recorded. */
        NOT_A_FOLLOWER,
        RECORDED,
        /** Recorded, and the follower's log start offset changed: the low watermark may have moved. */
        LOG_START_MOVED
    }

    /**
     * Records a fetch by {@code replicaId}.
     *
     * @param leaderEndOffset the leader's log end offset when the fetch was served
     */
    FetchRecorded recordFetch(int replicaId, long fetchOffset, long followerLogStartOffset, long nowMs,
                              long leaderEndOffset) {
        FollowerReplica follower = followers.get(replicaId);
        if (follower == null) {
            return FetchRecorded.NOT_A_FOLLOWER;
        }
        return follower.updateFetchState(fetchOffset, followerLogStartOffset, nowMs, leaderEndOffset)
                ? FetchRecorded.LOG_START_MOVED : FetchRecorded.RECORDED;
    }

    /**
     * The low watermark (Kafka's, for DeleteRecords): the smallest log start offset over the local log and the
     * followers on live brokers. A follower that has not fetched in this leader epoch yet counts as
     * {@link FollowerReplica#UNKNOWN}; one on a fenced or unknown broker does not count, so a dead broker does
     * not hold DeleteRecords back.
     */
    long lowWatermark(long localLogStartOffset, IntPredicate brokerAlive) {
        long low = localLogStartOffset;
        for (FollowerReplica f : followers.values()) {
            if (brokerAlive.test(f.brokerId())) {
                low = Math.min(low, f.logStartOffset());
            }
        }
        return low;
    }

    /**
     * The HW the leader may move to: the smallest log end offset over {@code maximalIsr}, the local one
     * included; a member that has not reported yet counts as {@link FollowerReplica#UNKNOWN}.
     */
    long highWatermarkTarget(List<Integer> maximalIsr, long localLogEndOffset) {
        long hw = localLogEndOffset;
        Map<Integer, FollowerReplica> f = followers;
        for (int id : maximalIsr) {
            if (id != localBrokerId) {
                FollowerReplica follower = f.get(id);
                hw = Math.min(hw, follower == null ? FollowerReplica.UNKNOWN : follower.logEndOffset());
            }
        }
        return hw;
    }

    /** The members of {@code isr} that have not caught up within {@code maxLagMs} (never the local broker). */
    List<Integer> laggingMembers(List<Integer> isr, long leaderEndOffset, long nowMs, long maxLagMs) {
        List<Integer> lagging = new ArrayList<>();
        for (int id : isr) {
            FollowerReplica f = followers.get(id);
            if (id != localBrokerId && (f == null || !f.isCaughtUp(leaderEndOffset, nowMs, maxLagMs))) {
                lagging.add(id);
            }
        }
        return lagging;
    }

    /**
     * Whether a follower may join the ISR: it reached the HW and the start of this leader epoch (Kafka's rule,
     * so a new member never holds the HW back nor lacks this epoch's records).
     */
    boolean mayJoinIsr(int replicaId, long highWatermark) {
        FollowerReplica f = followers.get(replicaId);
        if (f == null) {
            return false;
        }
        long leo = f.logEndOffset();
        return leo >= highWatermark && leo >= epochStartOffset;
    }
}
