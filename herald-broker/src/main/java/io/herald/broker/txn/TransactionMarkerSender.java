package io.herald.broker.txn;

import io.herald.broker.network.InterBrokerSender;
import io.herald.common.timer.Timer;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.transaction.TransactionMarkerChannel;
import io.herald.transaction.TransactionMarkers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest.TxnMarkerEntry;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's {@link TransactionMarkerChannel}: writes a transaction's markers to the leader of each of its
 * partitions, this broker's own partitions through the {@link MarkerWriter} directly and the others' by
 * WriteTxnMarkers (Kafka's {@code TransactionMarkerChannelManager}), retrying each partition until its marker is
 * written.
 *
 * <p>Per partition, as Kafka: NONE is done; a partition whose topic is gone from the metadata is done (nothing
 * left to mark); NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS(_AFTER_APPEND),
 * REQUEST_TIMED_OUT, KAFKA_STORAGE_ERROR and network failures are retried after {@value #RETRY_BACKOFF_MS} ms
 * with the leader the metadata then names; TRANSACTION_COORDINATOR_FENCED and INVALID_PRODUCER_EPOCH mean a newer
 * coordinator epoch (or producer epoch) has taken over the transaction, so the write fails and the coordinator
 * stops; anything else (the request was malformed) is logged and the partition given up. Retries also stop, with a
 * failure, once this broker no longer coordinates the transaction at that coordinator epoch
 * ({@code stillCoordinator}), and on {@link #close}.
 *
 * <p>Thread-safety: thread-safe; each attempt runs on the given executor (a request thread), the answers on the
 * threads that complete their futures.
 */
public final class TransactionMarkerSender implements TransactionMarkerChannel, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TransactionMarkerSender.class);
    static final long RETRY_BACKOFF_MS = 100;
    /** v2 carries the transaction version, which the leader's epoch rule needs (Herald brokers all serve it). */
    private static final short WRITE_TXN_MARKERS_VERSION = 2;

    private final int localBrokerId;
    private final Supplier<ClusterImage> images;
    private final MarkerWriter local;
    private final InterBrokerSender sender;
    private final Timer timer;
    private final Executor executor;
    private final Predicate<TransactionMarkers> stillCoordinator;
    private final Set<Write> writes = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param stillCoordinator whether this broker still leads the markers' {@code __transaction_state} partition at
     *                         their coordinator epoch
     */
    public TransactionMarkerSender(int localBrokerId, Supplier<ClusterImage> images, MarkerWriter local,
                                   InterBrokerSender sender, Timer timer, Executor executor,
                                   Predicate<TransactionMarkers> stillCoordinator) {
        this.localBrokerId = localBrokerId;
        this.images = images;
        this.local = local;
        this.sender = sender;
        this.timer = timer;
        this.executor = executor;
        this.stillCoordinator = stillCoordinator;
    }

    @Override
    public CompletableFuture<Void> writeMarkers(TransactionMarkers markers) {
        Write write = new Write(markers);
        writes.add(write);
        write.done.whenComplete((ok, error) -> writes.remove(write));
        if (closed) {
            write.fail(new NetworkException("This broker is shutting down"));
        } else {
            write.attemptOnExecutor();
        }
        return write.done;
    }

    /** One transaction's markers: the partitions still to write. */
    private final class Write {
        final TransactionMarkers markers;
        final Set<TopicPartition> pending;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Write(TransactionMarkers markers) {
            this.markers = markers;
            this.pending = ConcurrentHashMap.newKeySet();
            pending.addAll(markers.partitions());
        }

        /** Off the caller's thread: the coordinator's loop calls in, and a local marker is a disk append. */
        void attemptOnExecutor() {
            try {
                executor.execute(this::attempt);
            } catch (RejectedExecutionException e) {
                fail(new NetworkException("This broker is shutting down"));
            }
        }

        void attempt() {
            if (done.isDone()) {
                return;
            }
            if (closed) {
                fail(new NetworkException("This broker is shutting down"));
                return;
            }
            if (!stillCoordinator.test(markers)) {
                fail(new TransactionCoordinatorFencedException("This broker no longer coordinates "
                        + markers.transactionalId() + " at coordinator epoch " + markers.coordinatorEpoch()));
                return;
            }
            ClusterImage image = images.get();
            Map<Integer, List<TopicPartition>> byLeader = new HashMap<>();
            for (TopicPartition tp : List.copyOf(pending)) {
                Optional<PartitionImage> partition = image.topic(tp.topic()).flatMap(t -> t.partition(tp.partition()));
                if (partition.isEmpty()) {
                    log.info("Not writing the {} marker of producer {} to {}: the partition no longer exists",
                            markers.result(), markers.producerId(), tp);
                    pending.remove(tp);
                } else if (partition.get().leader() >= 0) {
                    byLeader.computeIfAbsent(partition.get().leader(), l -> new ArrayList<>()).add(tp);
                } // else leaderless for now: retried below
            }
            if (pending.isEmpty()) {
                done.complete(null);
                return;
            }
            List<CompletableFuture<Void>> sends = new ArrayList<>();
            byLeader.forEach((leader, partitions) -> sends.add(send(leader, partitions)));
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).whenComplete((ok, error) -> {
                if (done.isDone()) {
                    return;
                }
                if (pending.isEmpty()) {
                    done.complete(null);
                } else {
                    scheduleRetry();
                }
            });
        }

        private CompletableFuture<Void> send(int leader, List<TopicPartition> partitions) {
            TxnMarkerEntry entry = new TxnMarkerEntry(markers.producerId(), markers.producerEpoch(),
                    markers.coordinatorEpoch(), markers.result(), partitions, markers.transactionVersion());
            CompletableFuture<Map<TopicPartition, Errors>> answer;
            if (leader == localBrokerId) {
                answer = local.write(entry);
            } else {
                answer = sender.send(leader, new WriteTxnMarkersRequest.Builder(List.of(entry))
                                .build(WRITE_TXN_MARKERS_VERSION))
                        .thenApply(r -> errorsOf((WriteTxnMarkersResponse) r, markers.producerId(), partitions));
            }
            return answer.handle((errors, failure) -> {
                if (failure != null) {
                    log.debug("Writing markers of producer {} to broker {} failed: {}", markers.producerId(), leader,
                            failure.toString());
                    return null; // all retried
                }
                errors.forEach(this::onPartition);
                return null;
            });
        }

        private void onPartition(TopicPartition tp, Errors error) {
            switch (error) {
                case NONE -> pending.remove(tp);
                case NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS,
                     NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT, KAFKA_STORAGE_ERROR, NETWORK_EXCEPTION,
                     UNKNOWN_SERVER_ERROR -> log.debug("Retrying the marker of producer {} on {}: {}",
                        markers.producerId(), tp, error);
                case TRANSACTION_COORDINATOR_FENCED, INVALID_PRODUCER_EPOCH -> fail(error.exception(
                        "The " + markers.result() + " marker of producer " + markers.producerId() + " on " + tp
                                + " was refused: " + error.message()));
                default -> {
                    log.warn("Giving up the {} marker of producer {} on {}: {}", markers.result(),
                            markers.producerId(), tp, error);
                    pending.remove(tp);
                }
            }
        }

        private void scheduleRetry() {
            try {
                timer.schedule(RETRY_BACKOFF_MS, this::attemptOnExecutor);
            } catch (IllegalStateException closedTimer) {
                fail(new NetworkException("This broker is shutting down"));
            }
        }

        void fail(Throwable error) {
            done.completeExceptionally(error);
        }
    }

    /** The errors of {@code producerId}'s entry; a partition missing from the answer is retried. */
    private static Map<TopicPartition, Errors> errorsOf(WriteTxnMarkersResponse response, long producerId,
                                                        List<TopicPartition> sent) {
        Map<TopicPartition, Errors> errors = new HashMap<>(response.errorsByProducerId()
                .getOrDefault(producerId, Map.of()));
        Set<TopicPartition> missing = new HashSet<>(sent);
        missing.removeAll(errors.keySet());
        missing.forEach(tp -> errors.put(tp, Errors.UNKNOWN_SERVER_ERROR));
        return errors;
    }

    /** Stops every write; their futures fail, and the coordinator leaves them to its next load. */
    @Override
    public void close() {
        closed = true;
        writes.forEach(w -> w.fail(new NetworkException("This broker is shutting down")));
    }
}
