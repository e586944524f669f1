package io.herald.broker.coordinator;

import io.herald.broker.replica.Partition;
import io.herald.broker.replica.ReplicaManager;
import io.herald.common.txn.VerificationGuard;
import io.herald.coordinator.runtime.CoordinatorLog;
import io.herald.coordinator.runtime.CoordinatorRecordSerde;
import io.herald.coordinator.runtime.CoordinatorShard;
import io.herald.coordinator.runtime.TransactionEnd;
import io.herald.coordinator.runtime.TransactionalProducer;
import io.herald.storage.log.FileSlice;
import io.herald.storage.log.LogAppendInfo;
import io.herald.storage.log.LogReadResult;
import io.herald.storage.log.PartitionLog;
import io.herald.storage.txn.TransactionMarker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.TransactionResult;

/**
 * A coordinator's internal topic ({@code __consumer_offsets}, {@code __transaction_state}, ...) on the
 * {@link ReplicaManager}: appends go through {@link Partition#appendAsCoordinator} (one uncompressed batch per
 * operation, so an operation's records are durable together or not at all; a transactional batch for a
 * producer's pending offsets; a control batch for a transaction's marker); commits are the partition's high
 * watermark; replay reads the local log, start to end, with the ordinary read path.
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
        return appendBatch(partition, batch -> MemoryRecords.withRecords(Compression.NONE, batch),
                VerificationGuard.SENTINEL, records);
    }

    /** Sequence 0: the log checks no sequences of a coordinator's batch (Kafka writes the same). */
    @Override
    public long appendTransactional(int partition, TransactionalProducer producer, VerificationGuard verification,
                                    List<R> records) {
        return appendBatch(partition, batch -> MemoryRecords.withTransactionalRecords(Compression.NONE,
                producer.producerId(), producer.producerEpoch(), 0, batch), verification, records);
    }

    @Override
    public long appendEndTransactionMarker(int partition, TransactionalProducer producer, TransactionEnd end) {
        Partition p = hosted(partition);
        TransactionMarker marker = new TransactionMarker(producer.producerId(), producer.producerEpoch(),
                end.coordinatorEpoch(), end.result() == TransactionResult.COMMIT ? ControlRecordType.COMMIT
                : ControlRecordType.ABORT, end.transactionVersion());
        // min.insync 1: the runtime answers only once the high watermark passes the marker anyway
        LogAppendInfo info = p.appendTransactionMarkerToLeader(marker, 1);
        replicas.onAppend(p.topicPartition());
        return info.lastOffset() + 1;
    }

    private long appendBatch(int partition, Function<SimpleRecord[], MemoryRecords> build,
                             VerificationGuard verification, List<R> records) {
        Partition p = hosted(partition);
        long now = clockMs.getAsLong();
        SimpleRecord[] batch = records.stream()
                .map(r -> new SimpleRecord(now, serde.key(r), serde.value(r))).toArray(SimpleRecord[]::new);
        LogAppendInfo info = p.appendAsCoordinator(build.apply(batch), verification);
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
    public long replay(int partition, CoordinatorShard<R> shard) {
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
                replayBatch(batch, shard);
                next = batch.nextOffset();
            }
            if (next <= offset) {
                break;
            }
            offset = next;
        }
        return end;
    }

    /**
     * A control batch is an end-transaction marker; a transactional batch holds a producer's pending records
     * (a TxnOffsetCommit's offsets); anything else is the coordinator's own.
     */
    private void replayBatch(MutableRecordBatch batch, CoordinatorShard<R> shard) {
        if (batch.isControlBatch()) {
            for (Record record : batch) {
                ControlRecordType type = ControlRecordType.parse(record.key());
                if (type == ControlRecordType.COMMIT || type == ControlRecordType.ABORT) {
                    shard.replayEndTransactionMarker(new TransactionalProducer(batch.producerId(),
                            batch.producerEpoch()), type == ControlRecordType.COMMIT ? TransactionResult.COMMIT
                            : TransactionResult.ABORT);
                }
            }
            return;
        }
        for (Record record : batch) {
            if (!record.hasKey()) {
                continue;
            }
            Optional<R> decoded = serde.decode(record.key(), record.hasValue() ? record.value() : null);
            if (decoded.isEmpty()) {
                continue;
            }
            if (batch.isTransactional()) {
                shard.replayTransactional(new TransactionalProducer(batch.producerId(), batch.producerEpoch()),
                        decoded.get());
            } else {
                shard.replay(decoded.get());
            }
        }
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
