package io.herald.broker.coordinator;

import io.herald.broker.replica.Partition;
import io.herald.broker.replica.ReplicaManager;
import io.herald.coordinator.runtime.CoordinatorLog;
import io.herald.coordinator.runtime.CoordinatorRecordSerde;
import io.herald.storage.log.FileSlice;
import io.herald.storage.log.LogAppendInfo;
import io.herald.storage.log.LogReadResult;
import io.herald.storage.log.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * A coordinator's internal topic ({@code __consumer_offsets}, later {@code __transaction_state}, ...) on the
 * {@link ReplicaManager}: appends go through {@link Partition#appendAsLeader} like produced batches (one
 * uncompressed batch per operation, so an operation's records are durable together or not at all); commits are
 * the partition's high watermark; replay reads the local log, start to end, with the ordinary read path.
 *
 * <p>Thread-safety: as thread-safe as the partitions.
 *
 * @param <R> the coordinator's record type, stored through {@code serde}
 */
public final class PartitionCoordinatorLog<R> implements CoordinatorLog<R> {
    private static final int READ_BYTES = 1 << 20;

    private final String topic;
    private final ReplicaManager replicas;
    private final CoordinatorRecordSerde<R> serde;
    private final LongSupplier clockMs;

    /** @param clockMs the record timestamps */
    public PartitionCoordinatorLog(String topic, ReplicaManager replicas, CoordinatorRecordSerde<R> serde,
                                   LongSupplier clockMs) {
        this.topic = topic;
        this.replicas = replicas;
        this.serde = serde;
        this.clockMs = clockMs;
    }

    private Optional<Partition> partition(int partition) {
        return replicas.partition(new TopicPartition(topic, partition));
    }

    private Partition hosted(int partition) {
        return partition(partition).orElseThrow(() -> new CoordinatorNotAvailableException(topic + "-" + partition
                + " is not hosted here"));
    }

    @Override
    public boolean isAvailable(int partition) {
        return partition(partition).isPresent();
    }

    @Override
    public long append(int partition, List<R> records) {
        Partition p = hosted(partition);
        long now = clockMs.getAsLong();
        SimpleRecord[] batch = records.stream()
                .map(r -> new SimpleRecord(now, serde.key(r), serde.value(r))).toArray(SimpleRecord[]::new);
        LogAppendInfo info = p.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, batch));
        replicas.onAppend(p.topicPartition());
        return info.lastOffset() + 1;
    }

    @Override
    public long committedOffset(int partition) {
        return partition(partition).map(Partition::highWatermark).orElse(-1L);
    }

    @Override
    public CompletableFuture<Void> awaitCommitted(int partition, long offset, long timeoutMs) {
        Optional<Partition> p = partition(partition);
        if (p.isEmpty()) {
            return CompletableFuture.failedFuture(new NotLeaderOrFollowerException(topic + "-" + partition
                    + " is not hosted here"));
        }
        return p.get().awaitHighWatermark(offset, timeoutMs);
    }

    @Override
    public long replay(int partition, Consumer<R> replay) {
        Partition p = hosted(partition);
        PartitionLog log = p.log();
        long offset = log.logStartOffset();
        long end = log.logEndOffset();
        while (offset < end) {
            LogReadResult read = log.read(offset, READ_BYTES, end, true);
            FileSlice slice = read.slice();
            if (slice.size() == 0) {
                break;
            }
            long next = offset;
            for (MutableRecordBatch batch : MemoryRecords.readableRecords(readFully(slice, p)).batches()) {
                if (!batch.isControlBatch()) {
                    for (Record record : batch) {
                        if (record.hasKey()) {
                            serde.decode(record.key(), record.hasValue() ? record.value() : null).ifPresent(replay);
                        }
                    }
                }
                next = batch.nextOffset();
            }
            if (next <= offset) {
                break;
            }
            offset = next;
        }
        return end;
    }

    private static ByteBuffer readFully(FileSlice slice, Partition p) {
        ByteBuffer buf = ByteBuffer.allocate(slice.size());
        try {
            long pos = slice.position();
            while (buf.hasRemaining()) {
                int n = slice.channel().read(buf, pos);
                if (n < 0) {
                    break;
                }
                pos += n;
            }
        } catch (IOException e) {
            throw new KafkaStorageException("Reading " + p.topicPartition() + " failed", e);
        }
        buf.flip();
        return buf;
    }
}
