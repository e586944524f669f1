package io.herald.broker.replica;

import io.herald.storage.log.LogAppendInfo;
import io.herald.storage.log.LogReadResult;
import io.herald.storage.log.PartitionLog;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.UnknownLeaderEpochException;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * A partition replica hosted by this broker: its log, its role and leader epoch, and its high watermark.
 *
 * <p>The high watermark is the smallest log end offset among the in-sync replicas. On a single node the
 * in-sync replica set is this broker alone, so every append advances it at once; replication will add
 * follower log end offsets to {@link #maybeIncrementHighWatermark()} without changing its callers.
 *
 * <p>Thread-safety: appends are serialized by the log's own lock; the leader epoch and ISR are volatile and
 * replaced as a whole when a new metadata image arrives.
 */
public final class Partition {
    private final TopicPartition topicPartition;
    private final Uuid topicId;
    private final PartitionLog log;
    private volatile int leaderEpoch;
    private volatile int leaderId;
    private volatile List<Integer> isr;

    public Partition(TopicPartition topicPartition, Uuid topicId, PartitionLog log, int leaderId, int leaderEpoch,
                     List<Integer> isr) {
        this.topicPartition = topicPartition;
        this.topicId = topicId;
        this.log = log;
        this.leaderId = leaderId;
        this.leaderEpoch = leaderEpoch;
        this.isr = List.copyOf(isr);
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Uuid topicId() {
        return topicId;
    }

    public PartitionLog log() {
        return log;
    }

    public int leaderEpoch() {
        return leaderEpoch;
    }

    public int leaderId() {
        return leaderId;
    }

    public List<Integer> isr() {
        return isr;
    }

    void updateLeadership(int leaderId, int leaderEpoch, List<Integer> isr) {
        this.leaderId = leaderId;
        this.leaderEpoch = leaderEpoch;
        this.isr = List.copyOf(isr);
    }

    /** Appends as leader, then advances the high watermark as far as the ISR allows. */
    public LogAppendInfo appendAsLeader(MemoryRecords records) {
        LogAppendInfo info = log.appendAsLeader(records, leaderEpoch);
        maybeIncrementHighWatermark();
        return info;
    }

    /**
     * HW = min log end offset over the ISR; with an ISR of one, the local log end offset. Synchronized: two
     * appending threads must not interleave read-compare-write, or the slower one could move the HW back.
     */
    public synchronized void maybeIncrementHighWatermark() {
        long hw = log.logEndOffset();
        if (hw > log.highWatermark()) {
            log.updateHighWatermark(hw);
        }
    }

    public long highWatermark() {
        return log.highWatermark();
    }

    /** Reads committed data (below the high watermark), as consumers see it. */
    public LogReadResult read(long offset, int maxBytes, boolean minOneMessage) {
        return log.read(offset, maxBytes, log.highWatermark(), minOneMessage);
    }

    /**
     * Checks a request's idea of the leader epoch (KIP-320): -1 means the client does not know; an older
     * epoch is fenced; a newer one means this broker has not seen that metadata yet.
     */
    public void checkLeaderEpoch(int requestEpoch) {
        Optional<Integer> epoch = requestEpoch < 0 ? Optional.empty() : Optional.of(requestEpoch);
        if (epoch.isEmpty()) {
            return;
        }
        int current = leaderEpoch;
        if (requestEpoch < current) {
            throw new FencedLeaderEpochException("Request epoch " + requestEpoch + " is older than the current "
                    + "leader epoch " + current + " of " + topicPartition);
        }
        if (requestEpoch > current) {
            throw new UnknownLeaderEpochException("Request epoch " + requestEpoch + " is newer than the current "
                    + "leader epoch " + current + " of " + topicPartition);
        }
    }
}
