package io.herald.broker.replica;

/**
 * The leader's view of one follower, learnt from the follower's fetches: its log end offset, its log start offset
 * and when it was last caught up with the leader.
 *
 * <p>"Caught up at time t" follows Kafka: a fetch at an offset at or past the leader's log end offset at that
 * moment means caught up now; a fetch at or past the leader's log end offset of the previous fetch means the
 * follower was caught up at the previous fetch's time. A follower that keeps fetching but never reaches the end
 * because the leader keeps appending is therefore still in sync, as long as each fetch reaches where the
 * previous one saw the end.
 *
 * <p>Thread-safety: thread-safe (this object's monitor).
 */
final class FollowerReplica {
    /** A log end offset not yet reported by the follower. */
    static final long UNKNOWN = -1L;

    private final int brokerId;
    private long logEndOffset = UNKNOWN;
    private long logStartOffset = UNKNOWN;
    private long lastFetchLeaderLogEndOffset = UNKNOWN;
    private long lastFetchTimeMs;
    private long lastCaughtUpTimeMs;

    /**
     * @param inSync whether the follower is in the ISR when this leader takes over: an ISR member counts as
     *               caught up now (it gets a full lag period to prove it), any other replica as never
     */
    FollowerReplica(int brokerId, long nowMs, boolean inSync) {
        this.brokerId = brokerId;
        this.lastCaughtUpTimeMs = inSync ? nowMs : 0L;
    }

    int brokerId() {
        return brokerId;
    }

    synchronized long logEndOffset() {
        return logEndOffset;
    }

    synchronized long logStartOffset() {
        return logStartOffset;
    }

    synchronized long lastCaughtUpTimeMs() {
        return lastCaughtUpTimeMs;
    }

    /**
     * Records a fetch at {@code fetchOffset} (the follower's log end offset) made at {@code fetchTimeMs}.
     *
     * @return true if the follower's log start offset changed (the leader's low watermark may have moved)
     */
    synchronized boolean updateFetchState(long fetchOffset, long followerLogStartOffset, long fetchTimeMs,
                                          long leaderEndOffset) {
        if (fetchOffset >= leaderEndOffset) {
            lastCaughtUpTimeMs = Math.max(lastCaughtUpTimeMs, fetchTimeMs);
        } else if (fetchOffset >= lastFetchLeaderLogEndOffset && lastFetchLeaderLogEndOffset != UNKNOWN) {
            lastCaughtUpTimeMs = Math.max(lastCaughtUpTimeMs, lastFetchTimeMs);
        }
        boolean logStartMoved = logStartOffset != followerLogStartOffset;
        logEndOffset = fetchOffset;
        logStartOffset = followerLogStartOffset;
        lastFetchLeaderLogEndOffset = leaderEndOffset;
        lastFetchTimeMs = fetchTimeMs;
        return logStartMoved;
    }

    /** Kafka's rule: at the leader's end, or caught up within the last {@code maxLagMs}. */
    synchronized boolean isCaughtUp(long leaderEndOffset, long nowMs, long maxLagMs) {
        return logEndOffset == leaderEndOffset || nowMs - lastCaughtUpTimeMs <= maxLagMs;
    }

    @Override
    public synchronized String toString() {
        return "FollowerReplica(" + brokerId + ", leo=" + logEndOffset + ", lastCaughtUp=" + lastCaughtUpTimeMs + ")";
    }
}
