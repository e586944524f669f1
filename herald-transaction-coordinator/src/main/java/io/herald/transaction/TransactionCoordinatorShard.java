package io.herald.transaction;

import io.herald.common.time.Time;
import io.herald.coordinator.runtime.CoordinatorResult;
import io.herald.coordinator.runtime.CoordinatorShard;
import io.herald.coordinator.runtime.CoordinatorShardContext;
import io.herald.coordinator.runtime.CoordinatorTimer;
import io.herald.transaction.record.TransactionRecord;
import io.herald.transaction.state.TransactionMetadata;
import io.herald.transaction.state.TransactionState;
import io.herald.transaction.state.TransactionVersion;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.utils.ProducerIdAndEpoch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transactional ids of one {@code __transaction_state} partition, as a shard of the coordinator runtime. Each
 * operation reads the {@link TransactionStore}, lets one of the parts compute the transition
 * ({@link ProducerIdInitializer}, {@link PartitionAdder}, {@link TransactionEnder}, {@link TransactionCleaner})
 * and returns the new metadata as records with {@link CoordinatorResult#of}: the runtime replays them into the
 * store, appends them, and answers once they are committed.
 *
 * <p>Whenever a record puts a transaction in PrepareCommit or PrepareAbort, and for every such transaction found
 * when the partition is loaded, the shard tells its {@link PreparedListener}, which writes the markers once that
 * record is committed and then asks the shard to complete the transaction ({@link #completeTransaction}).
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
final class TransactionCoordinatorShard implements CoordinatorShard<TransactionRecord> {
    private static final Logger log = LoggerFactory.getLogger(TransactionCoordinatorShard.class);
    static final String ABORT_TIMED_OUT_KEY = "abort-timed-out-transactions";
    static final String EXPIRE_IDS_KEY = "expire-transactional-ids";

    /** Hears of transactions whose outcome was just decided, to write their markers. Called on the loop. */
    @FunctionalInterface
    interface PreparedListener {
        void onPrepared(int partition, String transactionalId);
    }

    private final TransactionConfig config;
    private final int partition;
    private final int coordinatorEpoch;
    private final Time time;
    private final CoordinatorTimer<TransactionRecord> timer;
    private final PreparedListener prepared;
    private final TransactionStore store = new TransactionStore();
    private final ProducerIdInitializer initializer;
    private final PartitionAdder adder;
    private final TransactionEnder ender;
    private final TransactionCleaner cleaner;
    private final TransactionQueries queries;

    TransactionCoordinatorShard(TransactionConfig config, CoordinatorShardContext<TransactionRecord> context,
                                ProducerIdGenerator producerIds, PreparedListener prepared) {
        this.config = config;
        this.partition = context.partition();
        this.coordinatorEpoch = context.leaderEpoch();
        this.time = context.time();
        this.timer = context.timer();
        this.prepared = prepared;
        this.initializer = new ProducerIdInitializer(store, producerIds, time);
        this.adder = new PartitionAdder(store, time);
        this.ender = new TransactionEnder(store, producerIds, time);
        this.cleaner = new TransactionCleaner(config, store, time);
        this.queries = new TransactionQueries(store, time);
    }

    // ---- replay and loading ----

    @Override
    public void replay(TransactionRecord record) {
        store.replay(record);
    }

    /** Arms the periodic jobs and has the markers of every prepared transaction written again (failover). */
    @Override
    public void onLoaded() {
        scheduleAbortTimedOut();
        scheduleExpireIds();
        store.all().stream().filter(m -> m.state().isPrepare()).map(TransactionMetadata::transactionalId).toList()
                .forEach(id -> prepared.onPrepared(partition, id));
    }

    private void scheduleAbortTimedOut() {
        timer.schedule(ABORT_TIMED_OUT_KEY, config.abortTimedOutIntervalMs(), () -> {
            scheduleAbortTimedOut();
            List<TransactionMetadata> aborted = cleaner.abortTimedOut();
            aborted.forEach(m -> log.info("Aborting transaction of {} (producer id {}): open longer than its "
                    + "timeout of {} ms", m.transactionalId(), m.producerId(), m.timeoutMs()));
            return written(aborted, null);
        });
    }

    private void scheduleExpireIds() {
        timer.schedule(EXPIRE_IDS_KEY, config.removeExpiredIntervalMs(), () -> {
            scheduleExpireIds();
            List<TransactionRecord> tombstones = cleaner.expireIdle();
            if (!tombstones.isEmpty()) {
                log.info("Expiring {} transactional ids of {}-{}: idle for {} ms", tombstones.size(),
                        TransactionTopic.NAME, partition, config.transactionalIdExpirationMs());
            }
            return CoordinatorResult.of(tombstones, null);
        });
    }

    /** Records of the metadata written, with the answer; prepared transactions are handed to the listener. */
    private <T> CoordinatorResult<T, TransactionRecord> written(List<TransactionMetadata> metadata, T response) {
        for (TransactionMetadata m : metadata) {
            if (m.state().isPrepare()) {
                prepared.onPrepared(partition, m.transactionalId());
            }
        }
        return CoordinatorResult.of(metadata.stream().map(TransactionRecord::of).toList(), response);
    }

    private <T> CoordinatorResult<T, TransactionRecord> written(Optional<TransactionMetadata> metadata, T response) {
        return written(metadata.stream().toList(), response);
    }

    // ---- operations ----

    CoordinatorResult<ProducerIdInitializer.Outcome, TransactionRecord> initProducerId(
            String transactionalId, int timeoutMs, Optional<ProducerIdAndEpoch> expected) {
        ProducerIdInitializer.Outcome outcome = initializer.initProducerId(transactionalId, timeoutMs, expected);
        return written(outcome.written(), outcome);
    }

    CoordinatorResult<Errors, TransactionRecord> addPartitions(String transactionalId, long producerId,
                                                               short producerEpoch, Set<TopicPartition> partitions,
                                                               TransactionVersion version) {
        PartitionAdder.Outcome outcome = adder.add(transactionalId, producerId, producerEpoch, partitions, version);
        return written(outcome.written(), outcome.error());
    }

    Map<TopicPartition, Errors> verifyPartitions(String transactionalId, long producerId, short producerEpoch,
                                                 Set<TopicPartition> partitions) {
        return adder.verify(transactionalId, producerId, producerEpoch, partitions);
    }

    CoordinatorResult<TransactionEnder.Outcome, TransactionRecord> endTxn(String transactionalId, long producerId,
                                                                          short producerEpoch,
                                                                          TransactionResult result,
                                                                          TransactionVersion version) {
        TransactionEnder.Outcome outcome = ender.endTxn(transactionalId, producerId, producerEpoch, result, version);
        return written(outcome.written(), outcome);
    }

    /**
     * The markers to write for a prepared transaction, with this shard's coordinator epoch; empty once it is no
     * longer prepared.
     */
    Optional<TransactionMarkers> markersFor(String transactionalId) {
        return store.get(transactionalId).filter(m -> m.state().isPrepare()).map(m -> new TransactionMarkers(
                transactionalId, m.producerId(), m.producerEpoch(), coordinatorEpoch,
                m.state() == TransactionState.PREPARE_COMMIT ? TransactionResult.COMMIT : TransactionResult.ABORT,
                m.partitions(), m.clientTransactionVersion().level()));
    }

    /**
     * Every marker of {@code markers} is written: CompleteCommit or CompleteAbort, if the transaction is still
     * the one the markers are for (same producer id, epoch and outcome); otherwise nothing, since a later load or
     * another incarnation already completed it.
     */
    CoordinatorResult<Void, TransactionRecord> completeTransaction(TransactionMarkers markers) {
        Optional<TransactionMetadata> found = store.get(markers.transactionalId())
                .filter(m -> markersFor(m.transactionalId()).filter(markers::equals).isPresent());
        return written(found.map(m -> m.complete(time.milliseconds())), null);
    }

    List<ListTransactionsResponseData.TransactionState> listTransactions(TransactionQueries.ListFilter filter) {
        return queries.list(filter);
    }

    DescribeTransactionsResponseData.TransactionState describeTransaction(String transactionalId) {
        return queries.describe(transactionalId);
    }

    /** The stored metadata of an id (tests, diagnostics). */
    Optional<TransactionMetadata> transaction(String transactionalId) {
        return store.get(transactionalId);
    }
}
