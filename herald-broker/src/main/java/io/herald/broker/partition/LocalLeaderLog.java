package io.herald.broker.partition;

import io.herald.broker.replica.Partition;
import io.herald.storage.log.PartitionLog;
import io.herald.broker.replica.ReplicaManager;
import io.herald.metadata.image.ClusterImage;
import io.herald.protocol.FileRegionRecords;
import io.herald.storage.log.FileSlice;
import io.herald.storage.log.LogAppendInfo;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * A partition this broker leads: appends go to the leader's log as an acks=all produce would (refused
 * below {@code min.insync.replicas}, answered once the high watermark passed them, or failed after
 * {@code timeoutMs}), reads are a consumer's. {@link #bounds} first waits for the high watermark to reach the log end,
 * so a copy appended by an earlier attempt and still replicating is seen once it is committed.
 *
 * <p>Thread-safety: thread-safe; appends and reads run on the caller's thread, waits complete on the thread that
 * moves the high watermark or the timer.
 */
public final class LocalLeaderLog implements LeaderLog {
    private final ReplicaManager replicas;
    private final Supplier<ClusterImage> images;
    private final long timeoutMs;

    public LocalLeaderLog(ReplicaManager replicas, Supplier<ClusterImage> images, long timeoutMs) {
        this.replicas = replicas;
        this.images = images;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public CompletableFuture<Void> append(TopicPartition tp, MemoryRecords records) {
        LogAppendInfo info;
        Partition p;
        try {
            p = leader(tp);
            ClusterImage image = images.get();
            int minInsync = image.topic(tp.topic()).map(t -> replicas.minInsyncReplicas(image, t)).orElse(1);
            info = p.appendRecordsToLeader(records, -1, minInsync);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new AppendFailedException(Errors.forException(e), false,
                    "Appending to " + tp + " failed: " + e));
        }
        replicas.onAppend(tp);
        return p.awaitHighWatermark(info.lastOffset() + 1, timeoutMs).handle((ok, failure) -> {
            if (failure == null) {
                return null;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            throw new AppendFailedException(Errors.forException(cause), true, "Appended to " + tp
                    + ", but not committed: " + cause);
        });
    }

    @Override
    public CompletableFuture<Bounds> bounds(TopicPartition tp) {
        try {
            Partition p = leader(tp);
            return p.awaitHighWatermark(p.log().logEndOffset(), timeoutMs)
                    .thenApply(ok -> new Bounds(p.log().logStartOffset(), p.highWatermark()));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<MemoryRecords> read(TopicPartition tp, long offset, int maxBytes) {
        try {
            FileSlice slice = leader(tp).read(offset, maxBytes, true, IsolationLevel.READ_UNCOMMITTED).read().slice();
            if (slice.size() == 0) {
                return CompletableFuture.completedFuture(MemoryRecords.EMPTY);
            }
            return CompletableFuture.completedFuture(HeapRecords.toMemory(
                    new FileRegionRecords(slice.channel(), slice.position(), slice.size())));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Void> deleteRecordsBefore(TopicPartition tp, long offset) {
        try {
            leader(tp).deleteRecordsOnLeader(offset);
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<TransactionOutcome> transactionOutcome(TopicPartition tp, long producerId, long offset) {
        try {
            PartitionLog log = leader(tp).log();
            if (offset < log.logStartOffset()) {
                return CompletableFuture.completedFuture(TransactionOutcome.COMMITTED);
            }
            if (log.lastStableOffset() <= offset) {
                return CompletableFuture.completedFuture(TransactionOutcome.OPEN);
            }
            boolean aborted = log.abortedTransactions(offset, offset + 1).stream()
                    .anyMatch(a -> a.producerId() == producerId && a.firstOffset() <= offset);
            return CompletableFuture.completedFuture(aborted ? TransactionOutcome.ABORTED
                    : TransactionOutcome.COMMITTED);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The partition led here; a replica in a failed log dir answers KAFKA_STORAGE_ERROR, as a produce to it would. */
    private Partition leader(TopicPartition tp) {
        if (replicas.isOffline(tp)) {
            throw new KafkaStorageException("Partition " + tp + " is offline here: its log dir failed");
        }
        Partition p = replicas.partition(tp).orElseThrow(() ->
                new NotLeaderOrFollowerException("Partition " + tp + " is not led here"));
        p.checkLeader();
        return p;
    }
}
