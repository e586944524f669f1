package io.herald.broker.txn;

import io.herald.broker.replica.DelayedProduce;
import io.herald.broker.replica.Partition;
import io.herald.broker.replica.ReplicaManager;
import io.herald.group.GroupCoordinator;
import io.herald.group.OffsetsTopic;
import io.herald.metadata.image.ClusterImage;
import io.herald.storage.log.LogAppendInfo;
import io.herald.storage.txn.TransactionMarker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest.TxnMarkerEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes markers to the partitions this broker leads. A {@code __consumer_offsets} partition's marker goes through
 * the group coordinator, which makes the producer's pending offsets visible (commit) or drops them (abort) and
 * writes the marker to that partition's log; any other partition's marker is appended to its log as leader and
 * answered once the high watermark passes it, as an acks=all produce ({@code request.timeout.ms} bounds the wait:
 * REQUEST_TIMED_OUT, which the coordinator retries).
 *
 * <p>Thread-safety: thread-safe; the appends run on the calling thread (a request thread), the answers complete on
 * the thread that moves the high watermark or the timer.
 */
public final class LocalMarkerWriter implements MarkerWriter {
    private static final Logger log = LoggerFactory.getLogger(LocalMarkerWriter.class);

    private final ReplicaManager replicas;
    private final Supplier<ClusterImage> images;
    private final GroupCoordinator groups;
    private final long timeoutMs;

    /** @param timeoutMs how long a marker waits for the ISR ({@code request.timeout.ms}) */
    public LocalMarkerWriter(ReplicaManager replicas, Supplier<ClusterImage> images, GroupCoordinator groups,
                             long timeoutMs) {
        this.replicas = replicas;
        this.images = images;
        this.groups = groups;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public CompletableFuture<Map<TopicPartition, Errors>> write(TxnMarkerEntry entry) {
        Map<TopicPartition, Errors> errors = new HashMap<>();
        List<CompletableFuture<Void>> groupWrites = new ArrayList<>();
        List<DelayedProduce.Waiting> waiting = new ArrayList<>();
        ClusterImage image = images.get();
        for (TopicPartition tp : entry.partitions()) {
            if (tp.topic().equals(OffsetsTopic.NAME)) {
                groupWrites.add(completeGroupTransaction(tp, entry).thenAccept(e -> {
                    synchronized (errors) {
                        errors.put(tp, e);
                    }
                }));
                continue;
            }
            Optional<Partition> partition = replicas.partition(tp);
            if (partition.isEmpty()) {
                errors.put(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
                continue;
            }
            int minInsync = image.topic(tp.topic()).map(t -> replicas.minInsyncReplicas(image, t)).orElse(1);
            try {
                LogAppendInfo info = partition.get().appendTransactionMarkerToLeader(marker(entry), minInsync);
                replicas.onAppend(tp);
                waiting.add(new DelayedProduce.Waiting(partition.get(), info.lastOffset() + 1, minInsync));
            } catch (RuntimeException e) {
                Errors error = Errors.forException(e);
                if (error == Errors.UNKNOWN_SERVER_ERROR) {
                    log.warn("Writing the {} marker of producer {} to {} failed", entry.transactionResult(),
                            entry.producerId(), tp, e);
                }
                errors.put(tp, error);
            }
        }
        CompletableFuture<Void> replicated = new CompletableFuture<>();
        if (waiting.isEmpty()) {
            replicated.complete(null);
        } else {
            DelayedProduce delayed = new DelayedProduce(timeoutMs, waiting, results -> {
                synchronized (errors) {
                    errors.putAll(results);
                }
                replicated.complete(null);
            });
            replicas.producePurgatory().tryCompleteElseWatch(delayed, delayed.keys());
        }
        groupWrites.add(replicated);
        return CompletableFuture.allOf(groupWrites.toArray(CompletableFuture[]::new)).thenApply(done -> {
            synchronized (errors) {
                return Map.copyOf(errors);
            }
        });
    }

    /**
     * The group coordinator's answer, as Kafka maps it: a partition the coordinator does not serve (yet) is
     * NOT_LEADER_OR_FOLLOWER to the marker's sender, which looks up the leader and retries.
     */
    private CompletableFuture<Errors> completeGroupTransaction(TopicPartition tp, TxnMarkerEntry entry) {
        return groups.completeTransaction(tp.partition(), entry.producerId(), entry.producerEpoch(),
                entry.coordinatorEpoch(), entry.transactionResult(), entry.transactionVersion())
                .handle((ok, failure) -> {
                    if (failure == null) {
                        return Errors.NONE;
                    }
                    Errors error = Errors.forException(failure instanceof java.util.concurrent.CompletionException
                            && failure.getCause() != null ? failure.getCause() : failure);
                    return switch (error) {
                        case COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR ->
                                Errors.NOT_LEADER_OR_FOLLOWER;
                        default -> error;
                    };
                });
    }

    private static TransactionMarker marker(TxnMarkerEntry entry) {
        return new TransactionMarker(entry.producerId(), entry.producerEpoch(), entry.coordinatorEpoch(),
                entry.transactionResult() == TransactionResult.COMMIT ? ControlRecordType.COMMIT
                        : ControlRecordType.ABORT, entry.transactionVersion());
    }
}
