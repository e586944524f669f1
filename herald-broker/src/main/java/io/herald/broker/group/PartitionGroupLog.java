package io.herald.broker.group;

import io.herald.broker.group.modern.ConsumerGroupRecord;
import io.herald.broker.group.modern.ConsumerGroupRecordSerde;
import io.herald.broker.replica.Partition;
import io.herald.broker.replica.ReplicaManager;
import io.herald.storage.log.FileSlice;
import io.herald.storage.log.LogReadResult;
import io.herald.storage.log.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;

/**
 * {@link GroupLog} on the {@code __consumer_offsets} partitions of the {@link ReplicaManager}: appends go
 * through {@link Partition#appendAsLeader} like produced batches (one uncompressed batch per operation, so
 * an operation's records are durable together or not at all); replay reads the committed log with the
 * ordinary read path.
 *
 * <p>Thread-safety: as thread-safe as the partitions; used from the coordinator thread.
 */
public final class PartitionGroupLog implements GroupLog {
    private static final int READ_BYTES = 1 << 20;

    private final ReplicaManager replicas;
    private final Time time;

    public PartitionGroupLog(ReplicaManager replicas, Time time) {
        this.replicas = replicas;
        this.time = time;
    }

    private Optional<Partition> partition(int partition) {
        return replicas.partition(new TopicPartition(OffsetsTopic.NAME, partition));
    }

    @Override
    public boolean isAvailable(int partition) {
        return partition(partition).isPresent();
    }

    @Override
    public void append(int partition, List<GroupRecord> records) {
        long now = time.milliseconds();
        appendBatch(partition, records.stream()
                .map(r -> new SimpleRecord(now, GroupRecordSerde.key(r), GroupRecordSerde.value(r))).toList());
    }

    @Override
    public void appendConsumerGroup(int partition, List<ConsumerGroupRecord> records) {
        long now = time.milliseconds();
        appendBatch(partition, records.stream().map(r -> new SimpleRecord(now, ConsumerGroupRecordSerde.key(r),
                ConsumerGroupRecordSerde.value(r))).toList());
    }

    private void appendBatch(int partition, List<SimpleRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        Partition p = partition(partition).orElseThrow(() -> new CoordinatorNotAvailableException(
                OffsetsTopic.NAME + "-" + partition + " is not hosted here"));
        p.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, records.toArray(SimpleRecord[]::new)));
        replicas.onAppend(p.topicPartition());
    }

    @Override
    public CompletableFuture<Void> awaitCommitted(int partition, long timeoutMs) {
        Optional<Partition> p = partition(partition);
        if (p.isEmpty()) {
            return CompletableFuture.failedFuture(new NotLeaderOrFollowerException(OffsetsTopic.NAME + "-"
                    + partition + " is not hosted here"));
        }
        return p.get().awaitHighWatermark(p.get().log().logEndOffset(), timeoutMs);
    }

    @Override
    public long replay(int partition, Consumer<GroupRecord> replay,
                       Consumer<ConsumerGroupRecord> replayConsumerGroup) {
        Partition p = partition(partition).orElseThrow(() -> new CoordinatorNotAvailableException(
                OffsetsTopic.NAME + "-" + partition + " is not hosted here"));
        PartitionLog log = p.log();
        long offset = log.logStartOffset();
        long end = log.logEndOffset();
        long count = 0;
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
                        if (record.hasKey() && ConsumerGroupRecordSerde.isConsumerGroupKey(
                                Utils.toArray(record.key()))) {
                            // Routed by key type: the two serdes' key types are disjoint.
                            replayConsumerGroup.accept(ConsumerGroupRecordSerde.deserialize(
                                    Utils.toArray(record.key()),
                                    record.hasValue() ? Utils.toArray(record.value()) : null));
                            count++;
                        } else if (record.hasKey()) {
                            Optional<GroupRecord> decoded = GroupRecordSerde.decode(record.key(),
                                    record.hasValue() ? record.value() : null);
                            if (decoded.isPresent()) {
                                replay.accept(decoded.get());
                                count++;
                            }
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
        return count;
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
