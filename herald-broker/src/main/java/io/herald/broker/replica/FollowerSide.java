package io.herald.broker.replica;

import io.herald.storage.log.LogAppendInfo;
import io.herald.storage.log.PartitionLog;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * The follower side of a partition ({@link Partition}): the only writer of the log while another broker leads.
 * It appends what the replica fetcher fetched (keeping the leader's offsets and epochs), truncates where the log
 * diverged, and follows the leader's high watermark and log start offset.
 *
 * <p>Invariants: records and truncations are applied only while this replica follows in the leader epoch they
 * were fetched in (else {@link NotLeaderOrFollowerException}); the follower HW is min(leader's HW, own log end
 * offset); the log start offset never moves past the local HW.
 *
 * <p>Thread-safety: thread-safe. Writes take the partition's read lock, so a role change (write lock) never
 * interleaves with them and nothing is written under an epoch this replica has left.
 */
final class FollowerSide {
    private final TopicPartition topicPartition;
    private final PartitionLog log;
    private final int localBrokerId;
    private final ReentrantReadWriteLock lock;
    private final Supplier<PartitionState> state;

    FollowerSide(TopicPartition topicPartition, PartitionLog log, int localBrokerId,
                      ReentrantReadWriteLock lock, Supplier<PartitionState> state) {
        this.topicPartition = topicPartition;
        this.log = log;
        this.localBrokerId = localBrokerId;
        this.lock = lock;
        this.state = state;
    }

    LogAppendInfo append(MemoryRecords records, int fetchEpoch) {
        LogAppendInfo[] appended = new LogAppendInfo[1];
        writeAsFollowerIn(fetchEpoch, () -> appended[0] = log.appendAsFollower(records));
        return appended[0];
    }

    void truncateTo(long offset, int fetchEpoch) {
        writeAsFollowerIn(fetchEpoch, () -> log.truncateTo(offset));
    }

    void truncateFullyAndStartAt(long offset, int fetchEpoch) {
        writeAsFollowerIn(fetchEpoch, () -> log.truncateFullyAndStartAt(offset));
    }

    void updateHighWatermark(long leaderHighWatermark) {
        if (isLeader() || leaderHighWatermark < 0) {
            return;
        }
        log.updateHighWatermark(Math.min(leaderHighWatermark, log.logEndOffset()));
    }

    void maybeIncrementLogStartOffset(long leaderLogStartOffset) {
        if (isLeader() || leaderLogStartOffset <= log.logStartOffset()) {
            return;
        }
        long target = Math.min(leaderLogStartOffset, log.highWatermark());
        if (target > log.logStartOffset()) {
            log.deleteRecordsBefore(target);
        }
    }

    private boolean isLeader() {
        return state.get().isLedBy(localBrokerId);
    }

    /** Runs {@code write} under the read lock if this replica still follows in {@code fetchEpoch}. */
    private void writeAsFollowerIn(int fetchEpoch, Runnable write) {
        lock.readLock().lock();
        try {
            PartitionState s = state.get();
            if (s.isLedBy(localBrokerId) || s.leaderEpoch() != fetchEpoch) {
                throw new NotLeaderOrFollowerException(topicPartition + " is no longer a follower in epoch "
                        + fetchEpoch);
            }
            write.run();
        } finally {
            lock.readLock().unlock();
        }
    }
}
