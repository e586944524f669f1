package io.herald.transaction;

import io.herald.common.timer.Timer;
import io.herald.coordinator.runtime.CoordinatorErrors;
import io.herald.coordinator.runtime.CoordinatorRuntime;
import io.herald.transaction.record.TransactionRecord;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second phase of a transaction: once its PrepareCommit or PrepareAbort record is committed, write the
 * markers to every partition of the transaction through the {@link TransactionMarkerChannel}, then write
 * CompleteCommit or CompleteAbort (KIP-98's two-phase completion, Kafka's {@code TransactionMarkerChannelManager}).
 *
 * <p>The order is what makes a transaction's outcome single: markers leave only after the outcome is committed to
 * {@code __transaction_state}, so no failover can bring back a state in which the other outcome is still possible;
 * the Complete record is written only after every marker, so a transaction found prepared after a load
 * ({@link TransactionCoordinatorShard#onLoaded}) gets its markers written again (they are idempotent), by the new
 * coordinator epoch. A marker write that fails because this coordinator epoch was fenced is left to the new
 * coordinator, which loads the same prepared record.
 *
 * <p>Steps, each on the runtime: {@code markersFor} is a read, so it answers only once the prepare record is
 * committed; the channel writes; {@code completeTransaction} writes the Complete record if the transaction is still
 * the one the markers were for. A read that times out waiting for the ISR is retried while the partition is served
 * here; one that finds the partition no longer served gives up (its next load drives the transaction again).
 *
 * <p>Thread-safety: thread-safe. {@link #onPrepared} runs on the loop; the rest on whichever thread completes a
 * future. The set of markers in flight keeps one write per transaction, producer epoch and coordinator epoch.
 */
final class MarkerDriver implements TransactionCoordinatorShard.PreparedListener {
    private static final Logger log = LoggerFactory.getLogger(MarkerDriver.class);
    /** Pause before asking again whether a prepare record committed, after the ISR did not commit it in time. */
    static final long RETRY_BACKOFF_MS = 1_000;

    private final TransactionMarkerChannel channel;
    private final Timer timer;
    private final Set<TransactionMarkers> inFlight = ConcurrentHashMap.newKeySet();
    private volatile CoordinatorRuntime<TransactionCoordinatorShard, TransactionRecord> runtime;
    private volatile boolean closed;

    MarkerDriver(TransactionMarkerChannel channel, Timer timer) {
        this.channel = channel;
        this.timer = timer;
    }

    /** Set once, right after the runtime is built (the runtime's shard factory needs this driver first). */
    void attach(CoordinatorRuntime<TransactionCoordinatorShard, TransactionRecord> runtime) {
        this.runtime = runtime;
    }

    @Override
    public void onPrepared(int partition, String transactionalId) {
        if (closed) {
            return;
        }
        runtime.scheduleReadOperation("transaction-markers", partition, shard -> shard.markersFor(transactionalId))
                .whenComplete((markers, error) -> {
                    if (error != null) {
                        onReadFailed(partition, transactionalId, CoordinatorErrors.unwrap(error));
                    } else {
                        markers.ifPresent(m -> write(partition, m));
                    }
                });
    }

    private void onReadFailed(int partition, String transactionalId, Throwable error) {
        if (error instanceof CoordinatorNotAvailableException && !closed
                && runtime.availability(partition) == Errors.NONE) {
            log.debug("The prepare record of {} is not committed yet ({}); asking again in {} ms", transactionalId,
                    error.getMessage(), RETRY_BACKOFF_MS);
            timer.schedule(RETRY_BACKOFF_MS, () -> onPrepared(partition, transactionalId));
        } else {
            // Not served here any more (or reloading): the next load finds the transaction prepared.
            log.debug("Not writing the markers of {} from here: {}", transactionalId, error.toString());
        }
    }

    private void write(int partition, TransactionMarkers markers) {
        if (!inFlight.add(markers)) {
            return; // already being written by this coordinator epoch
        }
        var written = markers.partitions().isEmpty() ? java.util.concurrent.CompletableFuture.<Void>completedFuture(null)
                : channel.writeMarkers(markers);
        written.whenComplete((ok, error) -> {
            inFlight.remove(markers);
            if (error != null) {
                log.info("Stopped writing the {} markers of {} (producer id {}, epoch {}) at coordinator epoch {}: {}",
                        markers.result(), markers.transactionalId(), markers.producerId(), markers.producerEpoch(),
                        markers.coordinatorEpoch(), CoordinatorErrors.unwrap(error).toString());
                return;
            }
            complete(partition, markers);
        });
    }

    private void complete(int partition, TransactionMarkers markers) {
        if (closed) {
            return;
        }
        runtime.scheduleWriteOperation("complete-transaction", partition, s -> s.completeTransaction(markers))
                .whenComplete((ok, error) -> {
                    if (error != null) {
                        // Appended but not committed in time: it commits later or goes with the leadership. Not
                        // appended: the partition reloads and finds the transaction prepared.
                        log.debug("Completing the transaction of {} did not commit: {}", markers.transactionalId(),
                                CoordinatorErrors.unwrap(error).toString());
                    }
                });
    }

    /** Markers being written (tests). */
    Optional<TransactionMarkers> inFlight(String transactionalId) {
        return inFlight.stream().filter(m -> m.transactionalId().equals(transactionalId)).findFirst();
    }

    void close() {
        closed = true;
    }
}
