package io.herald.broker.share.dlq;

import io.herald.broker.partition.LeaderLog;
import io.herald.broker.share.DeadLetterBatch;
import io.herald.broker.share.dlq.DeadLetterHeaders.Origin;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds which records of a share-partition batch in doubt already have their copy in a dead-letter partition, by
 * reading the partition's committed tail backwards, newest record first, in chunks of {@value #CHUNK_OFFSETS}
 * offsets.
 *
 * <p>Why the tail is enough: a share-partition copies one batch at a time and persists it Archived before the next
 * (see {@code io.herald.broker.share.DeadLetterStage}), so only its newest copies can belong to records still in
 * doubt; every older copy of it belongs to records already Archived. The scan therefore collects the copies of the
 * batch's offsets until it meets a copy from the same share-partition (group, topic, partition) of an offset outside
 * the batch, or the log start. Copies by other groups or of other partitions in between are skipped. The scan looks
 * at most {@code maxOffsets} offsets back; when it stops there without meeting such a copy it says so in a warning,
 * and the records it did not find are written again (a duplicate, if their copy was further back).
 *
 * <p>Thread-safety: thread-safe; each scan is its own chain of reads.
 */
final class DeadLetterScan {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterScan.class);
    static final int CHUNK_OFFSETS = 500;
    static final int READ_BYTES = 1 << 20;

    private final int maxOffsets;

    DeadLetterScan(int maxOffsets) {
        if (maxOffsets < 1) {
            throw new IllegalArgumentException("maxOffsets: " + maxOffsets + " (expected: >= 1)");
        }
        this.maxOffsets = maxOffsets;
    }

    /** The offsets of {@code batch} whose copy is in {@code partition}. */
    CompletableFuture<NavigableSet<Long>> copied(LeaderLog dlq, TopicPartition partition, DeadLetterBatch batch) {
        return dlq.bounds(partition).thenCompose(b -> new Walk(dlq, partition, batch, b).back(b.highWatermark()));
    }

    /** One scan's progress. Confined to its chain of reads (one read at a time). */
    private final class Walk {
        private final LeaderLog dlq;
        private final TopicPartition partition;
        private final DeadLetterBatch batch;
        private final LeaderLog.Bounds bounds;
        private final NavigableSet<Long> found = new TreeSet<>();
        private long scanned;

        Walk(LeaderLog dlq, TopicPartition partition, DeadLetterBatch batch, LeaderLog.Bounds bounds) {
            this.dlq = dlq;
            this.partition = partition;
            this.batch = batch;
            this.bounds = bounds;
        }

        /** Scans {@code [.., end)}, newest first. */
        CompletableFuture<NavigableSet<Long>> back(long end) {
            if (end <= bounds.logStartOffset()) {
                return CompletableFuture.completedFuture(found);
            }
            if (scanned >= maxOffsets) {
                log.warn("Dead-letter partition {}: the last {} records hold no settled copy from share-partition {} "
                        + "{}; {} of its records in doubt were found, the others are written again (a duplicate if "
                        + "their copy is older than that)", partition, scanned, batch.groupId(), batch.source(),
                        found.size());
                return CompletableFuture.completedFuture(found);
            }
            long from = Math.max(bounds.logStartOffset(), end - CHUNK_OFFSETS);
            return forward(from, end, new ArrayList<>()).thenCompose(records -> {
                for (int i = records.size() - 1; i >= 0; i--) {
                    Optional<Origin> origin = DeadLetterHeaders.origin(records.get(i));
                    if (origin.isEmpty() || !fromThisSharePartition(origin.get())) {
                        continue;
                    }
                    if (!batch.covers(origin.get().offset())) {
                        return CompletableFuture.completedFuture(found); // older copies are all settled
                    }
                    found.add(origin.get().offset());
                }
                scanned += end - from;
                return back(from);
            });
        }

        /** The records of {@code [from, end)}, oldest first. */
        private CompletableFuture<List<Record>> forward(long from, long end, List<Record> into) {
            return dlq.read(partition, from, READ_BYTES).thenCompose(records -> {
                long next = from;
                for (RecordBatch b : records.batches()) {
                    next = Math.max(next, b.lastOffset() + 1);
                    if (b.isControlBatch()) {
                        continue;
                    }
                    for (Record r : b) {
                        if (r.offset() >= from && r.offset() < end) {
                            into.add(r);
                        }
                    }
                }
                if (next >= end || next <= from) {
                    return CompletableFuture.completedFuture(into);
                }
                return forward(next, end, into);
            });
        }

        private boolean fromThisSharePartition(Origin o) {
            return o.group().equals(batch.groupId()) && o.topic().equals(batch.source().topic())
                    && o.partition() == batch.source().partition();
        }
    }
}
