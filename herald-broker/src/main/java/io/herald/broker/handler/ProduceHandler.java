package io.herald.broker.handler;

import io.herald.broker.delay.DelaySplit.Split;
import io.herald.broker.delay.DelayedDelivery;
import io.herald.broker.delay.DelayedDeliveryConfig;
import io.herald.broker.replica.DelayedProduce;
import io.herald.broker.partition.LeaderLog.AppendFailedException;
import io.herald.broker.replica.Partition;
import io.herald.broker.replica.ReplicaManager;
import io.herald.broker.security.Authorization;
import io.herald.broker.txn.ProduceVerification;
import io.herald.broker.txn.TransactionVerifier;
import io.herald.common.txn.VerificationGuard;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import io.herald.protocol.ApiHandler;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import io.herald.broker.metrics.TopicTraffic;
import io.herald.storage.log.LogAppendInfo;
import io.herald.storage.log.RecordValidationFailure;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData.BatchIndexAndErrorMessage;
import org.apache.kafka.common.message.ProduceResponseData.LeaderIdAndEpoch;
import org.apache.kafka.common.message.ProduceResponseData.NodeEndpoint;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produce: appends each partition's batches as received (the log stamps offsets in place) and answers when the
 * acks are satisfied. acks=1 answers after the leader's append; acks=all (-1) is refused with
 * NOT_ENOUGH_REPLICAS when the ISR is smaller than {@code min.insync.replicas}, otherwise it parks in the
 * produce purgatory until every appended partition's high watermark passes its records (or the request's
 * timeout, REQUEST_TIMED_OUT). A partition this broker does not lead answers NOT_LEADER_OR_FOLLOWER with the
 * current leader and its endpoint (KIP-951, v10+), so the producer need not refresh its metadata first.
 *
 * <p>Transactional batches are appended only to partitions the producer's transaction coordinator confirms are
 * in its transaction (KIP-890; with transaction version 2 the check adds them), unless the partition already has
 * that producer's transaction ongoing ({@link ProduceVerification}); the others answer the verification's error
 * ({@link TransactionVerifier#forProduce}).
 *
 * <p>A batch with records the log refuses one by one (a missing key on a compacted topic, a timestamp out of
 * bounds) answers INVALID_RECORD or INVALID_TIMESTAMP with each refused record in {@code record_errors}
 * (KIP-467) and appends nothing of the partition's records.
 *
 * <p>On a topic with {@code herald.delivery.delay.enable}, the records of a batch whose delay header lies in the
 * future are taken out of it ({@link DelayedDelivery}): the rest of the batch is appended with the producer's offset
 * range (the delayed records leave gaps), and the delayed records are written to the timer log; the partition
 * answers once both are done, the timer log's write with acks=all whatever the producer's acks (acks=0 excepted).
 * A timer write that fails answers its error; the producer's retry is a duplicate for the partition, and is
 * scheduled once by the timer log's own duplicate check. A transactional batch is split the same way: its kept
 * part is appended with the transaction's verification guard, and the schedule names that part's offset, whose
 * transaction decides later whether the delayed records are released.
 *
 * <p>ACLs, as Kafka's KafkaApis checks them before anything is appended: a request with transactional batches needs
 * WRITE on its transactional id, else it is refused as a whole (TRANSACTIONAL_ID_AUTHORIZATION_FAILED on every
 * partition); each topic needs WRITE, else its partitions answer TOPIC_AUTHORIZATION_FAILED (whether the topic exists
 * or not, so that its existence is not disclosed) and take no part in the transaction's verification. With ACLs off
 * nothing is looked at.
 *
 * <p>acks=0 gets no response; if any partition failed, the connection is closed instead, as Kafka does, so the
 * producer notices and refreshes its metadata.
 */
public final class ProduceHandler implements ApiHandler {
    private static final Logger log = LoggerFactory.getLogger(ProduceHandler.class);
    /** The first Produce version with the current-leader and node-endpoint tagged fields (KIP-951). */
    private static final short CURRENT_LEADER_VERSION = 10;
    /** The longest a produce to a delay-enabled topic waits for the timer log to be created. */
    private static final long MAX_TIMER_LOG_WAIT_MS = 10_000;
    private static final long TIMER_LOG_RECHECK_MS = 50;

    private final ReplicaManager replicas;
    private final Supplier<ClusterImage> images;
    private final Executor pool;
    private final TransactionVerifier verifier;
    private final Optional<DelayedDelivery> delays;
    private final TopicTraffic traffic;
    private final Authorization authorization;

    /**
     * Without ACLs or traffic metrics (tests of replication).
     *
     * @param delays delayed delivery, empty where the broker runs without it
     */
    public ProduceHandler(ReplicaManager replicas, Supplier<ClusterImage> images, Executor pool,
                          TransactionVerifier verifier, Optional<DelayedDelivery> delays) {
        this(replicas, images, pool, verifier, delays, TopicTraffic.NONE, Authorization.ALLOW_ALL);
    }

    /**
     * @param traffic       told of the bytes and records each partition appended
     * @param authorization the ACL checks of each request's principal
     */
    public ProduceHandler(ReplicaManager replicas, Supplier<ClusterImage> images, Executor pool,
                          TransactionVerifier verifier, Optional<DelayedDelivery> delays,
                          TopicTraffic traffic, Authorization authorization) {
        this.authorization = authorization;
        this.traffic = traffic;
        this.replicas = replicas;
        this.images = images;
        this.pool = pool;
        this.verifier = verifier;
        this.delays = delays;
    }

    /**
     * Produce v3 (Kafka 4's oldest, KIP-896) to v13: the current leader on NOT_LEADER_OR_FOLLOWER from v10
     * (KIP-951), TRANSACTION_ABORTABLE understood from v11 and partitions added to the transaction by the broker
     * from v12 (KIP-890), topics by id from v13 (KIP-516).
     */
    public ServedApi api() {
        return new ServedApi(ApiKeys.PRODUCE, VersionRange.of(3, 13), this);
    }

    /** One partition waiting for acks=all, with the response entry to fill in. */
    private record Waiting(DelayedProduce.Waiting partitionWait, PartitionProduceResponse response) {}

    /** One partition's delayed records being written to the timer log, with the response entry to fill in. */
    private record TimerWrite(CompletableFuture<Void> write, PartitionProduceResponse response) {}

    @Override
    public CompletableFuture<Response> handle(KafkaRequest request) {
        ProduceRequest body = (ProduceRequest) request.body();
        ProduceRequestData data = body.data();
        short version = request.apiVersion();
        String listener = request.connection().listenerName();
        Set<String> denied = Set.of();
        ProduceRequestData permitted = data;
        if (authorization.enabled()) {
            if (RequestUtils.hasTransactionalRecords(body) && (data.transactionalId() == null
                    || !authorization.transactionalId(request, AclOperation.WRITE, data.transactionalId()))) {
                return CompletableFuture.completedFuture(Authorization.refusal(request,
                        Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.exception()));
            }
            ClusterImage image = images.get();
            denied = deniedTopics(request, data, image);
            permitted = denied.isEmpty() ? data : without(data, denied, image);
        }
        Set<String> refusedTopics = denied;
        ProduceRequestData appended = permitted;
        CompletableFuture<Response> future = new CompletableFuture<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
                Math.min(Math.max(0, data.timeoutMs()), MAX_TIMER_LOG_WAIT_MS));
        awaitTimerLog(appended, deadline).whenComplete((ready, ignored) -> pool.execute(() -> {
            try {
                ClusterImage image = images.get();
                switch (ProduceVerification.of(appended, version, image, replicas)) {
                    case ProduceVerification.Needed.Refused refused -> future.complete(data.acks() == 0
                            ? new Response.Close("acks=0 produce refused: " + refused.error())
                            : new Response.Send(refused(data, image, refused.error(), refusedTopics)));
                    case ProduceVerification.Needed.Append append when append.verification().isEmpty() ->
                            produceAndAnswer(data, image, version, listener,
                                    new Verified(append.guards(), Map.of(), refusedTopics), future);
                    case ProduceVerification.Needed.Append append -> verifier.verify(append.verification().get())
                            .whenComplete((unverified, failure) -> pool.execute(() -> {
                                try {
                                    produceAndAnswer(data, images.get(), version, listener,
                                            new Verified(append.guards(), failure == null ? unverified
                                                    : every(append, Errors.NETWORK_EXCEPTION), refusedTopics),
                                            future);
                                } catch (RuntimeException e) {
                                    future.completeExceptionally(e);
                                }
                            }));
                }
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            }
        }));
        return future;
    }

    /**
     * The topics of the request the principal may not WRITE, by the name the request resolves to (a topic given by
     * an id this broker does not know is not asked about: it answers UNKNOWN_TOPIC_ID, as in Kafka).
     */
    private Set<String> deniedTopics(KafkaRequest request, ProduceRequestData data, ClusterImage image) {
        Predicate<String> mayWrite = authorization.topicCheck(request, AclOperation.WRITE);
        Set<String> denied = new HashSet<>();
        for (ProduceRequestData.TopicProduceData topicData : data.topicData()) {
            name(topicData, image).filter(mayWrite.negate()).ifPresent(denied::add);
        }
        return denied;
    }

    /** The topic's name: as given, or (v13+, KIP-516) its id's in the image, if known. */
    private static Optional<String> name(ProduceRequestData.TopicProduceData topicData, ClusterImage image) {
        return topicData.name() != null && !topicData.name().isEmpty() ? Optional.of(topicData.name())
                : image.topic(topicData.topicId()).map(TopicImage::name);
    }

    /**
     * The request without the topics named in {@code denied}, for the steps that must not see them (the wait for the
     * timer log, the transaction's verification). New topic entries sharing the partitions: an entry of a generated
     * collection belongs to one collection only.
     */
    private static ProduceRequestData without(ProduceRequestData data, Set<String> denied, ClusterImage image) {
        ProduceRequestData.TopicProduceDataCollection kept = new ProduceRequestData.TopicProduceDataCollection();
        for (ProduceRequestData.TopicProduceData topicData : data.topicData()) {
            if (name(topicData, image).map(denied::contains).orElse(false)) {
                continue;
            }
            kept.add(new ProduceRequestData.TopicProduceData().setName(topicData.name())
                    .setTopicId(topicData.topicId()).setPartitionData(topicData.partitionData()));
        }
        return new ProduceRequestData().setAcks(data.acks()).setTimeoutMs(data.timeoutMs())
                .setTransactionalId(data.transactionalId()).setTopicData(kept);
    }

    /**
     * Completes once every partition of a delay-enabled topic in the request has a timer partition with a leader
     * (the timer log is created on first use), or at {@code deadlineNanos}. A produce waits rather than answering at
     * once: one connection's requests run one at a time, so the producer's next batches wait behind this one, and a
     * refusal of its first batch cannot let a later batch start its sequence in the log.
     */
    private CompletableFuture<Void> awaitTimerLog(ProduceRequestData data, long deadlineNanos) {
        if (delays.isEmpty() || System.nanoTime() >= deadlineNanos || timerLogReady(data)) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(TIMER_LOG_RECHECK_MS,
                TimeUnit.MILLISECONDS, pool)).thenCompose(v -> awaitTimerLog(data, deadlineNanos));
    }

    private boolean timerLogReady(ProduceRequestData data) {
        ClusterImage image = images.get();
        for (ProduceRequestData.TopicProduceData topicData : data.topicData()) {
            Optional<TopicImage> topic = topicData.name() != null && !topicData.name().isEmpty()
                    ? image.topic(topicData.name()) : image.topic(topicData.topicId());
            if (topic.isEmpty() || !delays.get().enabled(image, topic.get())) {
                continue;
            }
            for (ProduceRequestData.PartitionProduceData pd : topicData.partitionData()) {
                if (delays.get().placement(image, new TopicPartition(topic.get().name(), pd.index()))
                        instanceof DelayedDelivery.Placement.NotReady) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The outcome of the checks: each transactional partition's guard for its append, the partitions the
     * coordinator did not confirm, with the error they answer, and the topics the principal may not write.
     */
    private record Verified(Map<TopicPartition, VerificationGuard> guards, Map<TopicPartition, Errors> unverified,
                            Set<String> refusedTopics) {}

    private static Map<TopicPartition, Errors> every(ProduceVerification.Needed.Append append, Errors error) {
        Map<TopicPartition, Errors> errors = new HashMap<>();
        append.verification().ifPresent(v -> v.partitions().forEach(tp -> errors.put(tp, error)));
        return errors;
    }

    /**
     * Appends every partition not unverified (those answer their verification error) and completes
     * {@code future} as the acks say.
     */
    private void produceAndAnswer(ProduceRequestData data, ClusterImage image, short version, String listener,
                                  Verified verified, CompletableFuture<Response> future) {
        List<Waiting> waiting = new ArrayList<>();
        List<TimerWrite> timerWrites = new ArrayList<>();
        ProduceResponseData response = produce(data, image, version, listener, verified, waiting, timerWrites);
        if (timerWrites.isEmpty() || data.acks() == 0) {
            answer(data, version, listener, response, waiting, future);
            return;
        }
        CompletableFuture.allOf(timerWrites.stream().map(TimerWrite::write).toArray(CompletableFuture[]::new))
                .whenComplete((ok, failure) -> {
                    for (TimerWrite w : timerWrites) {
                        w.write().whenComplete((v, e) -> {
                            if (e != null) {
                                Throwable cause = e.getCause() != null ? e.getCause() : e;
                                Errors error = cause instanceof AppendFailedException f ? f.error()
                                        : Errors.forException(cause);
                                w.response().setErrorCode((error == Errors.NONE ? Errors.UNKNOWN_SERVER_ERROR
                                        : error).code()).setErrorMessage("Writing the delayed records to the "
                                        + "timer log failed: " + cause.getMessage());
                                log.info("Delayed records of a produce were not written to the timer log ({}): {}",
                                        error, cause.toString());
                            }
                        });
                    }
                    answer(data, version, listener, response, waiting, future);
                });
    }

    /** Answers once the acks say so: at once, or when every acks=all partition is replicated (or times out). */
    private void answer(ProduceRequestData data, short version, String listener, ProduceResponseData response,
                        List<Waiting> waiting, CompletableFuture<Response> future) {
        if (data.acks() == 0) {
            boolean failed = response.responses().stream().flatMap(t -> t.partitionResponses().stream())
                    .anyMatch(p -> p.errorCode() != Errors.NONE.code());
            future.complete(failed ? new Response.Close("acks=0 produce failed for at least one partition")
                    : new Response.NoResponse());
            return;
        }
        if (waiting.isEmpty()) {
            future.complete(new Response.Send(response));
            return;
        }
        Map<TopicPartition, PartitionProduceResponse> byPartition = new HashMap<>();
        waiting.forEach(w -> byPartition.put(w.partitionWait().partition().topicPartition(), w.response()));
        DelayedProduce delayed = new DelayedProduce(Math.max(0, data.timeoutMs()),
                waiting.stream().map(Waiting::partitionWait).toList(), results -> {
                    results.forEach((tp, error) -> {
                        if (error != Errors.NONE) {
                            PartitionProduceResponse pr = byPartition.get(tp);
                            pr.setErrorCode(error.code()).setErrorMessage(null);
                            if (error == Errors.NOT_LEADER_OR_FOLLOWER) {
                                addCurrentLeader(pr, tp, response, images.get(), version, listener);
                            }
                        }
                    });
                    future.complete(new Response.Send(response));
                });
        replicas.producePurgatory().tryCompleteElseWatch(delayed, delayed.keys());
    }

    /**
     * Every partition of the request answers {@code error} (a request refused as a whole), but those of
     * {@code refusedTopics}, which answer TOPIC_AUTHORIZATION_FAILED.
     */
    private static ProduceResponseData refused(ProduceRequestData data, ClusterImage image, Errors error,
                                               Set<String> refusedTopics) {
        ProduceResponseData response = new ProduceResponseData();
        for (ProduceRequestData.TopicProduceData topicData : data.topicData()) {
            TopicProduceResponse topic = new TopicProduceResponse().setName(topicData.name())
                    .setTopicId(topicData.topicId());
            Errors topicError = name(topicData, image).map(refusedTopics::contains).orElse(false)
                    ? Errors.TOPIC_AUTHORIZATION_FAILED : error;
            topicData.partitionData().forEach(pd -> topic.partitionResponses().add(new PartitionProduceResponse()
                    .setIndex(pd.index()).setBaseOffset(-1).setErrorCode(topicError.code())));
            response.responses().add(topic);
        }
        return response;
    }

    private ProduceResponseData produce(ProduceRequestData data, ClusterImage image, short version, String listener,
                                        Verified verified, List<Waiting> waiting, List<TimerWrite> timerWrites) {
        ProduceResponseData response = new ProduceResponseData();
        boolean validAcks = data.acks() == -1 || data.acks() == 0 || data.acks() == 1;
        for (ProduceRequestData.TopicProduceData topicData : data.topicData()) {
            Optional<TopicImage> topic = topicData.name() != null && !topicData.name().isEmpty()
                    ? image.topic(topicData.name())
                    : image.topic(topicData.topicId());
            Errors topicError = topic.isPresent() ? Errors.NONE
                    : (Uuid.ZERO_UUID.equals(topicData.topicId()) ? Errors.UNKNOWN_TOPIC_OR_PARTITION
                    : Errors.UNKNOWN_TOPIC_ID);
            // Before any other check, as Kafka's: a refused topic's existence is not disclosed.
            boolean refused = !verified.refusedTopics().isEmpty()
                    && verified.refusedTopics().contains(topic.map(TopicImage::name).orElse(topicData.name()));
            TopicProduceResponse topicResponse = new TopicProduceResponse()
                    .setName(topicData.name())
                    .setTopicId(topicData.topicId());
            List<PartitionProduceResponse> partitions = new ArrayList<>();
            for (ProduceRequestData.PartitionProduceData pd : topicData.partitionData()) {
                // Base offset -1 unless the append assigns one (Kafka's answer for every failed partition).
                PartitionProduceResponse pr = new PartitionProduceResponse().setIndex(pd.index()).setBaseOffset(-1);
                if (refused) {
                    pr.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                } else if (!validAcks) {
                    pr.setErrorCode(Errors.INVALID_REQUIRED_ACKS.code());
                } else if (topicError != Errors.NONE) {
                    pr.setErrorCode(topicError.code());
                } else {
                    TopicPartition tp = new TopicPartition(topic.get().name(), pd.index());
                    Errors verification = verified.unverified().getOrDefault(tp, Errors.NONE);
                    if (verification != Errors.NONE) {
                        Errors error = TransactionVerifier.forProduce(verification);
                        pr.setErrorCode(error.code()).setErrorMessage(error == Errors.INVALID_TXN_STATE
                                ? "Partition was not added to the transaction" : error != verification
                                ? "Unable to verify the partition has been added to the transaction. Underlying "
                                + "error: " + verification : null);
                        partitions.add(pr);
                        continue;
                    }
                    appendPartition(tp, pd, pr, version, data.acks(),
                            replicas.minInsyncReplicas(image, topic.get()),
                            Optional.ofNullable(verified.guards().get(tp)), waiting,
                            delays.filter(d -> d.enabled(image, topic.get())).map(d -> image), timerWrites);
                    if (pr.errorCode() == Errors.NOT_LEADER_OR_FOLLOWER.code()) {
                        addCurrentLeader(pr, tp, response, image, version, listener);
                    }
                }
                partitions.add(pr);
            }
            response.responses().add(topicResponse.setPartitionResponses(partitions));
        }
        return response;
    }

    private void appendPartition(TopicPartition tp, ProduceRequestData.PartitionProduceData pd,
                                 PartitionProduceResponse pr, short version, short acks, int minInsync,
                                 Optional<VerificationGuard> verification, List<Waiting> waiting,
                                 Optional<ClusterImage> delayImage, List<TimerWrite> timerWrites) {
        Optional<Partition> partition = replicas.partition(tp);
        if (partition.isEmpty()) {
            // A replica in a failed log dir answers as Kafka's offline partition does; clients refresh metadata.
            pr.setErrorCode(replicas.isOffline(tp) ? Errors.KAFKA_STORAGE_ERROR.code()
                    : Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            return;
        }
        if (!(pd.records() instanceof MemoryRecords records)) {
            pr.setErrorCode(Errors.CORRUPT_MESSAGE.code());
            return;
        }
        try {
            // Kafka's per-partition request check: from v3 exactly one batch, of magic 2; zstd from v7.
            ProduceRequest.validateRecords(version, records);
        } catch (ApiException e) {
            pr.setErrorCode(Errors.forException(e).code());
            return;
        }
        try {
            Optional<Split> split = delayImage.isEmpty() ? Optional.empty()
                    : delays.get().split(tp, records, partition.get().log().config().compression());
            Optional<CompletableFuture<Void>> timerWrite = Optional.empty();
            LogAppendInfo info;
            if (split.isPresent()) {
                DelayedDelivery.Placement.Ready timer;
                switch (delays.get().placement(delayImage.get(), tp)) {
                    case DelayedDelivery.Placement.NotReady n -> {
                        pr.setErrorCode(n.error().code()).setErrorMessage("Delayed records: " + n.reason());
                        return;
                    }
                    case DelayedDelivery.Placement.Ready r -> timer = r;
                }
                MemoryRecords schedule = delays.get().scheduleRecords(tp, split.get(),
                        split.get().transactional() ? 0 : -1);
                if (schedule.sizeInBytes() > DelayedDeliveryConfig.TOPIC_MAX_MESSAGE_BYTES) {
                    pr.setErrorCode(Errors.MESSAGE_TOO_LARGE.code()).setErrorMessage("The delayed records of the "
                            + "batch take " + schedule.sizeInBytes() + " bytes in the timer log, more than "
                            + DelayedDeliveryConfig.TOPIC_MAX_MESSAGE_BYTES);
                    return;
                }
                // The partition first: its producer state decides whether this is a retry; the timer log's own
                // duplicate check then schedules a retried batch once.
                info = partition.get().appendGappedToLeader(split.get().kept(), acks, minInsync, verification);
                if (split.get().transactional()) {
                    // Released only if the transaction holding the kept batch commits: the timer leader asks the
                    // target where that batch is (a retry's offset is its original's).
                    schedule = delays.get().scheduleRecords(tp, split.get(), info.firstOffset());
                }
                timerWrite = Optional.of(delays.get().schedule(timer, schedule));
            } else {
                info = verification.isPresent()
                        ? partition.get().appendRecordsToLeader(records, acks, minInsync, verification.get())
                        : partition.get().appendRecordsToLeader(records, acks, minInsync);
            }
            timerWrite.ifPresent(w -> timerWrites.add(new TimerWrite(w, pr)));
            pr.setErrorCode(Errors.NONE.code())
                    .setBaseOffset(info.firstOffset())
                    .setLogAppendTimeMs(info.logAppendTime())
                    .setLogStartOffset(info.logStartOffset());
            if (!info.duplicate()) {
                replicas.onAppend(tp);
                traffic.appended(tp.topic(), records.sizeInBytes(), info.numRecords());
            }
            if (acks == -1) {
                waiting.add(new Waiting(new DelayedProduce.Waiting(partition.get(), info.lastOffset() + 1,
                        minInsync), pr));
            }
        } catch (RuntimeException e) {
            Errors error = Requests.error(e);
            if (error == Errors.KAFKA_STORAGE_ERROR) {
                // The log manager logs the failure once per log dir; a full disk fails every append after it.
                log.debug("Append to {} failed: {}", tp, e.getMessage());
            }
            pr.setErrorCode(error.code()).setErrorMessage(Requests.message(e))
                    .setLogStartOffset(partition.get().log().logStartOffset());
            if (e instanceof RecordValidationFailure failure) {
                pr.setRecordErrors(recordErrors(failure));
            }
        }
    }

    /**
     * KIP-467 (Produce v8+): the refused records by index in their batch, so that the producer fails each with
     * its own message and the others of the batch with a generic one; older versions drop the field.
     */
    private static List<BatchIndexAndErrorMessage> recordErrors(RecordValidationFailure failure) {
        return failure.recordErrors().stream().map(e -> new BatchIndexAndErrorMessage()
                .setBatchIndex(e.batchIndex()).setBatchIndexErrorMessage(e.message())).toList();
    }

    /**
     * KIP-951: tell the producer who leads now, and how to reach it on its listener, where the version has the
     * fields; a leader without an endpoint on that listener is named without one, as Kafka does.
     */
    private static void addCurrentLeader(PartitionProduceResponse pr, TopicPartition tp, ProduceResponseData response,
                                         ClusterImage image, short version, String listener) {
        if (version < CURRENT_LEADER_VERSION) {
            return;
        }
        Optional<PartitionImage> p = image.topic(tp.topic()).flatMap(t -> t.partition(tp.partition()));
        if (p.isEmpty() || p.get().leader() < 0) {
            return;
        }
        pr.setCurrentLeader(new LeaderIdAndEpoch().setLeaderId(p.get().leader())
                .setLeaderEpoch(p.get().leaderEpoch()));
        Optional<Node> leader = Optional.ofNullable(image.brokers().get(p.get().leader()))
                .flatMap(b -> b.node(listener));
        if (leader.isPresent() && response.nodeEndpoints().find(leader.get().id()) == null) {
            response.nodeEndpoints().add(new NodeEndpoint().setNodeId(leader.get().id()).setHost(leader.get().host())
                    .setPort(leader.get().port()).setRack(leader.get().rack()));
        }
    }
}
