package io.herald.storage.log;

import io.herald.storage.config.LogConfig;
import io.herald.storage.epoch.LeaderEpochCache;
import io.herald.common.txn.VerificationGuard;
import io.herald.storage.producer.AppendOrigin;
import io.herald.storage.producer.BatchMetadata;
import io.herald.storage.producer.ProducerAppend;
import io.herald.storage.producer.ProducerBatch;
import io.herald.storage.producer.ProducerStateManager;
import io.herald.storage.txn.TransactionMarker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;

/**
 * The three ways bytes enter a partition log, sharing one pipeline: stamp (a leader), stage the producer state
 * changes (which may refuse the append or find it a duplicate), write to the active segment (rolling first when
 * due), commit the producer state (opening and completing transactions, indexing aborted ones in the segment that
 * holds the marker), and learn leader epochs. The order is Kafka's: offsets are assigned before producer state is
 * checked, and producer state changes only once the bytes are in the segment.
 *
 * <p>Thread-safety: every method runs under the partition lock; the caller publishes the returned log end offset.
 */
final class LogAppender {
    /** Picks the segment to write {@code bytes} ending at {@code lastOffset} to, rolling when due. */
    @FunctionalInterface
    interface Roller {
        LogSegment segmentFor(int bytes, long lastOffset, long nowMs) throws IOException;
    }

    /** What an append did, and the log end offset after it. */
    record Appended(LogAppendInfo info, long nextOffset) {}

    private final LogSegments segments;
    private final ProducerStateManager producers;
    private final LeaderEpochCache epochs;
    private final BatchValidator validator;
    private final Roller roller;

    LogAppender(LogSegments segments, ProducerStateManager producers, LeaderEpochCache epochs, BatchValidator validator,
                Roller roller) {
        this.segments = segments;
        this.producers = producers;
        this.epochs = epochs;
        this.validator = validator;
        this.roller = roller;
    }

    /** A leader append of validated batches from a producer ({@code CLIENT}) or a coordinator. */
    Appended asLeader(BatchValidator.Validated validated, AppendOrigin origin, int leaderEpoch,
                      Optional<VerificationGuard> verification, long logEndOffset, long logStartOffset, LogConfig cfg,
                      long nowMs) throws IOException {
        List<MutableRecordBatch> batches = validated.batches();
        if (batches.isEmpty()) {
            return new Appended(LogAppendInfo.empty(logEndOffset, logStartOffset), logEndOffset);
        }
        ByteBuffer buffer = validated.records().buffer();
        BatchValidator.Stamped stamped = validator.stamp(buffer, batches, logEndOffset, leaderEpoch, cfg, nowMs);
        ProducerAppend producerAppend = producers.begin(origin, verification);
        for (ProducerBatch b : ProducerBatches.of(buffer, stamped.headers())) {
            Optional<BatchMetadata> dup = producerAppend.append(b);
            if (dup.isPresent()) {
                // A retry of a batch already in the log: its original offsets, nothing written (as in Kafka).
                return new Appended(LogAppendInfo.duplicate(dup.get().firstOffset(), dup.get().lastOffset(),
                    logStartOffset), logEndOffset);
            }
        }
        write(buffer, stamped.headers(), producerAppend, nowMs);
        epochs.maybeAssign(leaderEpoch, logEndOffset);
        int numRecords = batches.stream().mapToInt(MutableRecordBatch::countOrNull).sum();
        return new Appended(new LogAppendInfo(logEndOffset, stamped.nextOffset() - 1, cfg.logAppendTime() ? nowMs : -1,
            logStartOffset, numRecords, false), stamped.nextOffset());
    }

    /**
     * The leader writes an end marker for the coordinator: a control batch with one COMMIT or ABORT record stamped
     * with the broker time (Kafka's WriteTxnMarkers builds it the same way), validated with origin {@code
     * COORDINATOR}.
     */
    Appended marker(TransactionMarker marker, int leaderEpoch, long logEndOffset, long logStartOffset, LogConfig cfg,
                    long nowMs) throws IOException {
        MemoryRecords records = MemoryRecords.withEndTransactionMarker(logEndOffset, nowMs, leaderEpoch,
            marker.producerId(), marker.producerEpoch(), new EndTransactionMarker(marker.type(), marker.coordinatorEpoch()));
        ByteBuffer buffer = records.buffer();
        List<MutableRecordBatch> batches = List.of(records.batches().iterator().next());
        BatchValidator.Stamped stamped = validator.stamp(buffer, batches, logEndOffset, leaderEpoch, cfg, nowMs);
        ProducerAppend producerAppend = producers.begin(AppendOrigin.COORDINATOR);
        producerAppend.append(new ProducerBatch.Marker(marker.producerId(), marker.producerEpoch(), logEndOffset,
            marker.coordinatorEpoch(), marker.type(), nowMs, marker.transactionVersion()));
        write(buffer, stamped.headers(), producerAppend, nowMs);
        epochs.maybeAssign(leaderEpoch, logEndOffset);
        return new Appended(new LogAppendInfo(logEndOffset, logEndOffset, cfg.logAppendTime() ? nowMs : -1,
            logStartOffset, 1, false), stamped.nextOffset());
    }

    /**
     * A follower append of batches exactly as the leader wrote them; producer state replays them with origin {@code
     * REPLICATION}, so end markers complete transactions and index aborted ones here too.
     */
    Appended asFollower(MemoryRecords records, int batchCount, long logEndOffset, long logStartOffset, long nowMs)
        throws IOException {
        if (batchCount == 0) {
            return new Appended(LogAppendInfo.empty(logEndOffset, logStartOffset), logEndOffset);
        }
        ByteBuffer buffer = records.buffer();
        List<BatchHeader> headers = validator.followerHeaders(buffer, batchCount, logEndOffset);
        ProducerAppend producerAppend = producers.begin(AppendOrigin.REPLICATION);
        for (ProducerBatch b : ProducerBatches.of(buffer, headers)) {
            producerAppend.append(b);
        }
        write(buffer, headers, producerAppend, nowMs);
        int numRecords = 0;
        for (BatchHeader h : headers) {
            numRecords += h.recordCount();
            if (h.partitionLeaderEpoch() >= 0) {
                epochs.maybeAssign(h.partitionLeaderEpoch(), h.baseOffset());
            }
        }
        BatchHeader last = headers.get(headers.size() - 1);
        return new Appended(new LogAppendInfo(headers.get(0).baseOffset(), last.lastOffset(), -1, logStartOffset,
            numRecords, false), last.nextOffset());
    }

    private void write(ByteBuffer buffer, List<BatchHeader> headers, ProducerAppend producerAppend, long nowMs)
        throws IOException {
        LogSegment active = roller.segmentFor(buffer.remaining(), headers.get(headers.size() - 1).lastOffset(), nowMs);
        active.append(buffer, headers);
        // The markers are in this segment, so its index gets their aborted transactions.
        producerAppend.commit(active.txnIndex()::append);
        assert active == segments.active();
    }
}
