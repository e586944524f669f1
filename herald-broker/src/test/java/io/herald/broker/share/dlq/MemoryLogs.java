package io.herald.broker.share.dlq;

import io.herald.broker.partition.LeaderLog;
import io.herald.broker.share.FetchedBatch;
import io.herald.broker.share.ShareLog;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/** Logs of real record batches in memory, for the dead-letter writer's tests. Synchronized. */
final class MemoryLogs {
    private MemoryLogs() {
    }

    /** Batches appended with offsets assigned, as a partition's log holds them. */
    static class Batches {
        final List<MemoryRecords> batches = new ArrayList<>();
        long end;
        long start;

        synchronized long append(MemoryRecords records) {
            MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(256), Compression.NONE,
                    TimestampType.CREATE_TIME, end);
            long first = end;
            for (RecordBatch batch : records.batches()) {
                for (Record r : batch) {
                    b.appendWithOffset(end++, r.timestamp(), r.key(), r.value(), r.headers());
                }
            }
            batches.add(b.build());
            return first;
        }

        /** One source batch of string records with the given headers on each. */
        synchronized void appendStrings(int count, Header... headers) {
            MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(256), Compression.NONE,
                    TimestampType.CREATE_TIME, end);
            for (int i = 0; i < count; i++) {
                b.appendWithOffset(end, 1L, ("k" + end).getBytes(), ("v" + end).getBytes(), headers);
                end++;
            }
            batches.add(b.build());
        }

        synchronized MemoryRecords from(long offset) {
            List<MemoryRecords> out = new ArrayList<>();
            int size = 0;
            for (MemoryRecords m : batches) {
                RecordBatch only = m.batches().iterator().next();
                if (only.lastOffset() >= offset) {
                    out.add(m);
                    size += m.sizeInBytes();
                }
            }
            ByteBuffer buf = ByteBuffer.allocate(size);
            out.forEach(m -> buf.put(m.buffer().duplicate()));
            buf.flip();
            return MemoryRecords.readableRecords(buf);
        }
    }

    /** A source partition's log as a share-partition reads it. */
    static final class Source extends Batches implements ShareLog {
        @Override
        public synchronized long logStartOffset() {
            return start;
        }

        @Override
        public synchronized long highWatermark() {
            return end;
        }

        @Override
        public long lastStableOffset() {
            return highWatermark();
        }

        @Override
        public OptionalLong offsetForTimestamp(long timestamp) {
            return OptionalLong.empty();
        }

        @Override
        public synchronized Chunk read(long offset, int maxBytes, boolean minOneMessage, IsolationLevel isolation) {
            if (offset < start || offset > end) {
                throw new OffsetOutOfRangeException("offset " + offset);
            }
            MemoryRecords records = from(offset);
            List<FetchedBatch> headers = new ArrayList<>();
            int position = 0;
            for (RecordBatch b : records.batches()) {
                headers.add(new FetchedBatch(b.baseOffset(), b.lastOffset(), position, b.sizeInBytes(), -1, false,
                        b.isControlBatch(), b.maxTimestamp()));
                position += b.sizeInBytes();
            }
            ByteBuffer all = records.buffer();
            return new Chunk(headers, Optional.empty(), (pos, size) -> {
                ByteBuffer slice = all.duplicate();
                slice.position(pos).limit(pos + size);
                return MemoryRecords.readableRecords(slice.slice());
            });
        }

        @Override
        public int bytesAvailable(long offset, int maxBytes, IsolationLevel isolation) {
            return 0;
        }
    }

    /** A dead-letter partition: appends succeed unless told otherwise; everything appended is committed. */
    static final class DeadLetters extends Batches implements LeaderLog {
        LeaderLog.AppendFailedException nextFailure;
        int reads;

        @Override
        public synchronized CompletableFuture<Void> append(TopicPartition partition, MemoryRecords records) {
            LeaderLog.AppendFailedException failure = nextFailure;
            nextFailure = null;
            if (failure != null && !failure.mayHaveAppended()) {
                return CompletableFuture.failedFuture(failure);
            }
            append(records);
            return failure == null ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(failure);
        }

        @Override
        public CompletableFuture<TransactionOutcome> transactionOutcome(TopicPartition partition, long producerId,
                                                                        long offset) {
            throw new UnsupportedOperationException("dead-letter writers never ask");
        }

        @Override
        public CompletableFuture<Void> deleteRecordsBefore(TopicPartition partition, long offset) {
            throw new UnsupportedOperationException("dead-letter writers never trim");
        }

        void failNext(Errors error, boolean appended) {
            nextFailure = new LeaderLog.AppendFailedException(error, appended, error.name());
        }

        @Override
        public synchronized CompletableFuture<Bounds> bounds(TopicPartition partition) {
            return CompletableFuture.completedFuture(new Bounds(start, end));
        }

        @Override
        public synchronized CompletableFuture<MemoryRecords> read(TopicPartition partition, long offset,
                                                                  int maxBytes) {
            reads++;
            return CompletableFuture.completedFuture(from(offset));
        }
    }
}
