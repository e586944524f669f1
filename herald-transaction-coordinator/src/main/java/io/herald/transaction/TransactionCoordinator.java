package io.herald.transaction;

import io.herald.transaction.state.TransactionMetadata;

import io.herald.common.time.Time;
import io.herald.common.timer.Timer;
import io.herald.coordinator.runtime.CoordinatorLog;
import io.herald.coordinator.runtime.CoordinatorLoop;
import io.herald.coordinator.runtime.CoordinatorRuntime;
import io.herald.coordinator.runtime.CoordinatorRuntimeSettings;
import io.herald.coordinator.runtime.PartitionLeadership;
import io.herald.transaction.record.TransactionRecord;
import io.herald.transaction.state.TransactionState;
import io.herald.transaction.state.TransactionVersion;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.utils.ProducerIdAndEpoch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction coordinator of this broker: the API the transaction handlers call. It coordinates the
 * transactional ids of the {@code __transaction_state} partitions this broker leads, one
 * {@link TransactionCoordinatorShard} per partition on the {@link CoordinatorRuntime}, which loads a partition
 * when this broker becomes its leader (the leader epoch is the coordinator epoch the markers carry), unloads it on
 * resign, and answers only once what an operation wrote is on every in-sync replica. A transactional id lives in
 * partition {@link #partitionFor}, as in Kafka. Markers are written by the {@link MarkerDriver} through the
 * broker's {@link TransactionMarkerChannel}.
 *
 * <p>Answers: every future completes normally with the API's response, the error in its error code(s), already
 * in the codes the request version understands ({@link TransactionResponses}); a transactional id not served here
 * is answered NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS, a write the ISR does not commit in time
 * COORDINATOR_NOT_AVAILABLE (NOT_COORDINATOR if leadership went). Authorization and the existence of the
 * partitions added are the handler's to check before it calls.
 *
 * <p>Thread-safety: every method may be called from any thread; all transaction state lives on the runtime's event
 * loop (the thread {@code herald-transaction-coordinator}).
 */
public final class TransactionCoordinator implements PartitionLeadership, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TransactionCoordinator.class);
    private static final long LOAD_RETRY_BACKOFF_MS = 1_000;

    private final TransactionConfig config;
    private final CoordinatorRuntime<TransactionCoordinatorShard, TransactionRecord> runtime;
    private final MarkerDriver markers;
    private final CoordinatorLoop loop;

    /**
     * A coordinator on its own event loop thread, {@code herald-transaction-coordinator}.
     *
     * @param timer the node's shared timer; not closed here
     */
    public static TransactionCoordinator start(TransactionConfig config, CoordinatorLog<TransactionRecord> log,
                                               ProducerIdGenerator producerIds, TransactionMarkerChannel markers,
                                               Time time, Timer timer) {
        return new TransactionCoordinator(config, log, producerIds, markers, time, timer,
                CoordinatorLoop.ownThread("herald-transaction-coordinator"));
    }

    /** A coordinator on {@code loop}, which its caller runs and stops (tests use a manual executor). */
    public static TransactionCoordinator onLoop(TransactionConfig config, CoordinatorLog<TransactionRecord> log,
                                                ProducerIdGenerator producerIds, TransactionMarkerChannel markers,
                                                Time time, Timer timer, Executor loop) {
        return new TransactionCoordinator(config, log, producerIds, markers, time, timer, CoordinatorLoop.on(loop));
    }

    private TransactionCoordinator(TransactionConfig config, CoordinatorLog<TransactionRecord> log,
                                   ProducerIdGenerator producerIds, TransactionMarkerChannel channel, Time time,
                                   Timer timer, CoordinatorLoop loop) {
        this.config = config;
        this.loop = loop;
        this.markers = new MarkerDriver(channel, timer);
        this.runtime = new CoordinatorRuntime<TransactionCoordinatorShard, TransactionRecord>(
                new CoordinatorRuntimeSettings("transaction", TransactionTopic.NAME,
                config.stateLogPartitions(), config.commitTimeoutMs(), LOAD_RETRY_BACKOFF_MS), log,
                context -> new TransactionCoordinatorShard(config, context, producerIds, markers), time, timer,
                loop.executor());
        markers.attach(runtime);
    }

    // ---- leadership ----

    @Override
    public void onBecomeLeader(int partition, int leaderEpoch) {
        runtime.onBecomeLeader(partition, leaderEpoch);
    }

    @Override
    public void onResign(int partition, int leaderEpoch) {
        runtime.onResign(partition, leaderEpoch);
    }

    /** Kafka's placement: {@code Utils.abs(transactionalId.hashCode()) % transaction.state.log.num.partitions}. */
    public int partitionFor(String transactionalId) {
        return TransactionTopic.partitionFor(transactionalId, config.stateLogPartitions());
    }

    /** NONE if the id is served here now, else NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS. */
    public Errors availability(String transactionalId) {
        return runtime.availability(partitionFor(transactionalId));
    }

    // ---- producers ----

    /**
     * InitProducerId of a transactional producer (v0-6; a request without a transactional id is the broker's to
     * answer). INVALID_REQUEST for an empty id, a producer id without an epoch or the reverse, and for v6's 2PC
     * flags (two-phase commit is disabled, as by Kafka's default {@code transaction.two.phase.commit.enable});
     * INVALID_TRANSACTION_TIMEOUT for a timeout of zero or above {@code transaction.max.timeout.ms}.
     */
    public CompletableFuture<InitProducerIdResponseData> initProducerId(InitProducerIdRequestData request,
                                                                        short version) {
        String id = request.transactionalId();
        Errors invalid = id == null || id.isEmpty() || request.enable2Pc() || request.keepPreparedTxn()
                ? Errors.INVALID_REQUEST
                : request.transactionTimeoutMs() <= 0 || request.transactionTimeoutMs() > config.maxTimeoutMs()
                ? Errors.INVALID_TRANSACTION_TIMEOUT : Errors.NONE;
        Optional<ProducerIdAndEpoch> expected = Optional.empty();
        boolean noId = request.producerId() == TransactionMetadata.NO_PRODUCER_ID;
        boolean noEpoch = request.producerEpoch() == TransactionMetadata.NO_PRODUCER_EPOCH;
        if (noId != noEpoch) {
            invalid = invalid == Errors.NONE ? Errors.INVALID_REQUEST : invalid;
        } else if (!noId) {
            expected = Optional.of(new ProducerIdAndEpoch(request.producerId(), request.producerEpoch()));
        }
        if (invalid != Errors.NONE) {
            return CompletableFuture.completedFuture(TransactionResponses.initProducerIdError(invalid, version));
        }
        Optional<ProducerIdAndEpoch> claimed = expected;
        return answer(runtime.scheduleWriteOperation("init-producer-id", partitionFor(id),
                        s -> s.initProducerId(id, request.transactionTimeoutMs(), claimed)),
                o -> TransactionResponses.initProducerId(o.error(), o.producerId(), o.producerEpoch(), version),
                e -> TransactionResponses.initProducerIdError(e, version));
    }

    // ---- partitions ----

    /**
     * AddPartitionsToTxn: v0-3 from a client (one transaction, partitions added), v4-5 from a partition leader
     * (a batch of transactions; {@code verifyOnly} answers NONE for partitions already in the transaction and
     * TRANSACTION_ABORTABLE for the others, otherwise the partitions are added on the producer's behalf with
     * transaction version 2, KIP-890 part 2). Errors per partition: INVALID_REQUEST (empty id),
     * INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED, CONCURRENT_TRANSACTIONS, NOT_COORDINATOR, ...
     */
    public CompletableFuture<AddPartitionsToTxnResponseData> addPartitionsToTxn(AddPartitionsToTxnRequestData request,
                                                                                short version) {
        if (version < 4) {
            Set<TopicPartition> partitions = new LinkedHashSet<>(
                    AddPartitionsToTxnRequest.getPartitions(request.v3AndBelowTopics()));
            return addOrVerify(request.v3AndBelowTransactionalId(), request.v3AndBelowProducerId(),
                    request.v3AndBelowProducerEpoch(), partitions, false, TransactionVersion.TV_0)
                    .thenApply(errors -> TransactionResponses.addPartitionsV3(errors, version));
        }
        List<CompletableFuture<AddPartitionsToTxnResponseData.AddPartitionsToTxnResult>> results = new ArrayList<>();
        for (var txn : request.transactions()) {
            Set<TopicPartition> partitions = new LinkedHashSet<>(AddPartitionsToTxnRequest.getPartitions(txn.topics()));
            results.add(addOrVerify(txn.transactionalId(), txn.producerId(), txn.producerEpoch(), partitions,
                    txn.verifyOnly(), TransactionVersion.TV_2)
                    .thenApply(errors -> TransactionResponses.addPartitionsResult(txn.transactionalId(), errors,
                            version)));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(done -> {
            var response = new AddPartitionsToTxnResponseData().setErrorCode(Errors.NONE.code());
            results.forEach(r -> response.resultsByTransaction().add(r.join()));
            return response;
        });
    }

    private CompletableFuture<java.util.Map<TopicPartition, Errors>> addOrVerify(
            String id, long producerId, short epoch, Set<TopicPartition> partitions, boolean verifyOnly,
            TransactionVersion version) {
        if (id == null || id.isEmpty()) {
            return CompletableFuture.completedFuture(TransactionResponses.every(partitions, Errors.INVALID_REQUEST));
        }
        if (verifyOnly) {
            return answer(runtime.scheduleReadOperation("verify-partitions", partitionFor(id),
                            s -> s.verifyPartitions(id, producerId, epoch, partitions)),
                    errors -> errors, e -> TransactionResponses.every(partitions, e));
        }
        return answer(runtime.scheduleWriteOperation("add-partitions", partitionFor(id),
                        s -> s.addPartitions(id, producerId, epoch, partitions, version)),
                e -> TransactionResponses.every(partitions, e), e -> TransactionResponses.every(partitions, e));
    }

    /**
     * AddOffsetsToTxn (v0-4): adds the group's {@code __consumer_offsets} partition, Kafka's placement
     * ({@code Utils.abs(groupId.hashCode()) % offsets partitions}), with the errors of AddPartitionsToTxn.
     */
    public CompletableFuture<AddOffsetsToTxnResponseData> addOffsetsToTxn(AddOffsetsToTxnRequestData request,
                                                                          short version) {
        String id = request.transactionalId();
        if (id == null || id.isEmpty()) {
            return CompletableFuture.completedFuture(TransactionResponses.addOffsets(Errors.INVALID_REQUEST, version));
        }
        TopicPartition offsets = new TopicPartition(TransactionTopic.OFFSETS_TOPIC,
                TransactionTopic.partitionFor(request.groupId(), config.offsetsTopicPartitions()));
        // Kafka adds it with TV_0 whatever the client speaks: a TV_2 client still sends AddOffsetsToTxn itself.
        return answer(runtime.scheduleWriteOperation("add-offsets", partitionFor(id),
                        s -> s.addPartitions(id, request.producerId(), request.producerEpoch(), Set.of(offsets),
                                TransactionVersion.TV_0)),
                e -> TransactionResponses.addOffsets(e, version), e -> TransactionResponses.addOffsets(e, version));
    }

    // ---- ending ----

    /**
     * EndTxn (v0-5): writes PrepareCommit or PrepareAbort and answers once it is committed; the markers and the
     * Complete record follow. v5 speaks transaction version 2: the epoch is bumped and the answer carries the new
     * producer id and epoch. Errors: INVALID_REQUEST (empty id), INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED,
     * CONCURRENT_TRANSACTIONS (the previous outcome is being written), INVALID_TXN_STATE; a retry of a completed
     * EndTxn is answered NONE (with the epoch it got, for v5).
     */
    public CompletableFuture<EndTxnResponseData> endTxn(EndTxnRequestData request, short version) {
        String id = request.transactionalId();
        if (id == null || id.isEmpty()) {
            return CompletableFuture.completedFuture(TransactionResponses.endTxn(Errors.INVALID_REQUEST,
                    TransactionMetadata.NO_PRODUCER_ID, TransactionMetadata.NO_PRODUCER_EPOCH, version));
        }
        TransactionVersion tv = version >= 5 ? TransactionVersion.TV_2 : TransactionVersion.TV_0;
        TransactionResult result = TransactionResult.forId(request.committed());
        return answer(runtime.scheduleWriteOperation("end-txn", partitionFor(id),
                        s -> s.endTxn(id, request.producerId(), request.producerEpoch(), result, tv)),
                o -> TransactionResponses.endTxn(o.error(), o.producerId(), o.producerEpoch(), version),
                e -> TransactionResponses.endTxn(e, TransactionMetadata.NO_PRODUCER_ID, TransactionMetadata.NO_PRODUCER_EPOCH,
                        version));
    }

    // ---- admin ----

    /**
     * ListTransactions (v0-2) over the partitions served here: filters by state names (unknown ones are listed in
     * the response), producer ids, running longer than a duration (v1+) and a transactional id regular expression
     * (v2+, KIP-1152; INVALID_REGULAR_EXPRESSION if it does not compile). COORDINATOR_LOAD_IN_PROGRESS, with no
     * transactions, while a partition led here loads.
     */
    public CompletableFuture<ListTransactionsResponseData> listTransactions(ListTransactionsRequestData request,
                                                                            short version) {
        ListTransactionsResponseData response = new ListTransactionsResponseData();
        Set<TransactionState> states = new HashSet<>();
        for (String name : request.stateFilters()) {
            TransactionState.fromName(name).ifPresentOrElse(states::add,
                    () -> response.unknownStateFilters().add(name));
        }
        Pattern pattern = null;
        String regex = version >= 2 ? request.transactionalIdPattern() : null;
        if (regex != null && !regex.isEmpty()) {
            try {
                pattern = Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                return CompletableFuture.completedFuture(response
                        .setErrorCode(Errors.INVALID_REGULAR_EXPRESSION.code()));
            }
        }
        var filter = new TransactionQueries.ListFilter(states, new HashSet<>(request.producerIdFilters()),
                version >= 1 ? request.durationFilter() : -1L, pattern);
        return runtime.scheduleReadOnEveryShard("list-transactions", s -> s.listTransactions(filter))
                .handle((all, error) -> {
                    if (error != null) {
                        return response.setErrorCode(TransactionResponses.errorOf(error).code());
                    }
                    if (all.someLoading()) {
                        return response.setErrorCode(Errors.COORDINATOR_LOAD_IN_PROGRESS.code());
                    }
                    all.results().forEach(response.transactionStates()::addAll);
                    return response.setErrorCode(Errors.NONE.code());
                });
    }

    /**
     * One id of DescribeTransactions: INVALID_REQUEST for an empty id, TRANSACTIONAL_ID_NOT_FOUND for an unknown
     * one, NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS if not served here.
     */
    public CompletableFuture<DescribeTransactionsResponseData.TransactionState> describeTransaction(
            String transactionalId) {
        var failed = new DescribeTransactionsResponseData.TransactionState()
                .setTransactionalId(transactionalId == null ? "" : transactionalId);
        if (transactionalId == null || transactionalId.isEmpty()) {
            return CompletableFuture.completedFuture(failed.setErrorCode(Errors.INVALID_REQUEST.code()));
        }
        return answer(runtime.scheduleReadOperation("describe-transaction", partitionFor(transactionalId),
                        s -> s.describeTransaction(transactionalId)),
                described -> described, e -> failed.setErrorCode(e.code()));
    }

    /** The future's value as a response, or its failure as the response of that error. */
    private static <T, R> CompletableFuture<R> answer(CompletableFuture<T> future,
                                                      java.util.function.Function<T, R> ok,
                                                      java.util.function.Function<Errors, R> failed) {
        return future.handle((value, error) -> error == null ? ok.apply(value)
                : failed.apply(TransactionResponses.errorOf(error)));
    }

    /** Unloads every partition and stops the loop thread it owns; markers in flight are left to the next leader. */
    @Override
    public void close() {
        markers.close();
        runtime.close();
        loop.close();
    }

    // ---- tests ----

    /** The stored metadata of an id, read on the loop (tests, diagnostics). */
    CompletableFuture<Optional<TransactionMetadata>> metadata(String transactionalId) {
        return runtime.scheduleReadOperation("metadata", partitionFor(transactionalId),
                s -> s.transaction(transactionalId));
    }
}
