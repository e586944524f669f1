package io.herald.broker.handler;

import io.herald.broker.metrics.TopicTraffic;
import io.herald.broker.quota.FetchQuota;
import io.herald.broker.fetch.FetchContext;
import io.herald.broker.fetch.FetchSessionCache;
import io.herald.broker.fetch.PartitionFetch;
import io.herald.broker.replica.Partition;
import io.herald.broker.replica.ReplicaManager;
import io.herald.broker.security.Authorization;
import io.herald.broker.ttl.FetchExpiry;
import io.herald.common.purgatory.DelayedOperation;
import io.herald.common.purgatory.Purgatory;
import io.herald.common.time.Time;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import io.herald.protocol.ApiHandler;
import io.herald.protocol.FileRegionRecords;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import io.herald.storage.log.FileSlice;
import io.herald.storage.log.LogReadResult;
import io.herald.storage.log.TimestampAndOffset;
import io.herald.storage.txn.AbortedTransaction;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;

/**
 * Fetch for consumers and followers. Consumers read whole batches below the high watermark (read_uncommitted) or
 * the last stable offset (read_committed, with the aborted transactions among the batches returned, which the
 * consumer drops: KIP-98), from the leader only (elsewhere NOT_LEADER_OR_FOLLOWER, with the current leader and its endpoint where the version has the
 * fields); a follower (replica id >= 0, in the replica state from v15) reads up to the log end offset, and its
 * fetch offset tells the leader how far it got ({@link Partition#fetchForFollower}); when its last fetched epoch
 * does not match this log, the answer is the diverging epoch instead of records (KIP-320, v12+).
 *
 * <p>Consumer reads are handed to the protocol layer as file regions, so log bytes go from the page cache to the socket without passing through the heap.
 *
 * <p>Long poll: when fewer than {@code min_bytes} are available and {@code max_wait_ms > 0}, the request parks
 * in the fetch purgatory watching its partitions; the next append to one of them or the deadline completes
 * it. No thread waits.
 *
 * <p>Byte limits follow Kafka: {@code partition_max_bytes} per partition and {@code max_bytes} for the
 * response, except that the first partition with data returns at least one whole batch, so a batch larger than
 * the limits still makes progress.
 *
 * <p>Fetch sessions (KIP-227): the {@link FetchSessionCache} turns the request's session id and epoch into a
 * {@link FetchContext}: a full fetch (opening a session when the client asks for one), or an incremental fetch
 * that reads every partition of the session and answers only those with news.
 *
 * <p>ACLs, as Kafka's KafkaApis checks them on every fetch, over every partition the fetch (or its session) covers: a
 * consumer needs READ on each topic, else its partitions answer TOPIC_AUTHORIZATION_FAILED (a topic given by an
 * unknown id stays UNKNOWN_TOPIC_ID); a follower needs CLUSTER_ACTION on the cluster, else every partition answers
 * TOPIC_AUTHORIZATION_FAILED (Kafka answers so, not with a top-level error) and nothing of the follower's state moves.
 * Refused partitions are not read. With ACLs off nothing is looked at.
 *
 * <p>A consumer's {@code consumer_byte_rate} quota ({@link FetchQuota}) bounds what one fetch reads and, once the
 * client is over it, turns the answer into one without partitions that carries the throttle time (Kafka's throttled
 * fetch response: session id 0 for a full fetch, the session's id for an incremental one); the fetch session is
 * then left as it was, so the next fetch answers what this one did not.
 */
public final class FetchHandler implements ApiHandler {
    private final ReplicaManager replicas;
    private final Supplier<ClusterImage> images;
    private final Purgatory<TopicPartition> purgatory;
    private final Executor pool;
    private final FetchSessionCache sessions;
    private final Time time;
    private final TopicTraffic traffic;
    private final Authorization authorization;
    private final FetchQuota quota;

    /**
     * Without ACLs or traffic metrics (tests of replication).
     *
     * @param time the clock message TTL ({@code herald.message.ttl.ms}) is judged by
     */
    public FetchHandler(ReplicaManager replicas, Supplier<ClusterImage> images, Purgatory<TopicPartition> purgatory,
                        Executor pool, FetchSessionCache sessions, Time time) {
        this(replicas, images, purgatory, pool, sessions, time, TopicTraffic.NONE, Authorization.ALLOW_ALL,
                FetchQuota.NONE);
    }

    /**
     * @param traffic       told of the bytes each consumer's response carries, per topic
     * @param authorization the ACL checks of each request's principal
     * @param quota         consumers' byte quotas
     */
    public FetchHandler(ReplicaManager replicas, Supplier<ClusterImage> images, Purgatory<TopicPartition> purgatory,
                        Executor pool, FetchSessionCache sessions, Time time, TopicTraffic traffic,
                        Authorization authorization, FetchQuota quota) {
        this.authorization = authorization;
        this.quota = quota;
        this.traffic = traffic;
        this.replicas = replicas;
        this.images = images;
        this.purgatory = purgatory;
        this.pool = pool;
        this.sessions = sessions;
        this.time = time;
    }

    /**
     * Fetch v4 (Kafka 4's oldest, KIP-896) to v18: sessions from v7 (KIP-227), leader epoch fencing from v9
     * (KIP-320), diverging epochs and the current leader from v12, topic ids from v13 (KIP-516), the replica
     * state from v15 (KIP-903), leader endpoints from v16 (KIP-951). v17's directory id (KIP-853) and v18's
     * follower high watermark (KIP-1166) are tagged hints a leader may ignore, and this one does.
     */
    public ServedApi api() {
        return new ServedApi(ApiKeys.FETCH, VersionRange.of(4, 18), this);
    }

    /**
     * Who fetches, what a consumer may see, the version the answer is encoded with, and the listener the request
     * came in on (leader endpoints are that listener's); the request itself (quotas) and the most bytes it reads.
     */
    private record Fetcher(int replicaId, IsolationLevel isolation, short version, String listener,
                           KafkaRequest request, int maxBytes) {
        boolean isFollower() {
            return replicaId >= 0;
        }
    }

    /**
     * @param offsetsOut per topic, the offsets a consumer's read covers: from the fetch offset to the end of the last
     *                   batch (records, and the control records and compaction gaps between them)
     */
    private record FetchResult(FetchResponseData response, long bytes, boolean hasError, Map<String, Long> offsetsOut) {}

    @Override
    public CompletableFuture<Response> handle(KafkaRequest request) {
        FetchRequest fetch = (FetchRequest) request.body();
        FetchRequestData data = fetch.data();
        Fetcher fetcher = new Fetcher(fetch.replicaId(), fetch.isolationLevel(), request.apiVersion(),
                request.connection().listenerName(), request,
                fetch.replicaId() >= 0 ? data.maxBytes() : quota.maxBytes(request, data.maxBytes()));
        FetchContext context = sessions.context(data, request.apiVersion(), plan(data, images.get()));
        if (context.error().isPresent()) {
            return Requests.now(new FetchResponseData().setErrorCode(context.error().get().code()).setSessionId(0));
        }
        List<PartitionFetch> plan = authorization.enabled() ? authorized(request, fetcher, context.plan())
                : context.plan();
        CompletableFuture<Response> future = new CompletableFuture<>();
        pool.execute(() -> {
            try {
                FetchResult first = read(plan, fetcher.maxBytes(), fetcher);
                if (data.maxWaitMs() <= 0 || first.bytes() >= data.minBytes() || first.hasError() || plan.isEmpty()) {
                    future.complete(send(context, first, fetcher));
                    return;
                }
                DelayedFetch delayed = new DelayedFetch(context, plan, data, fetcher, future);
                List<TopicPartition> keys = plan.stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                purgatory.tryCompleteElseWatch(delayed, keys);
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            }
        });
        return future;
    }

    private final class DelayedFetch extends DelayedOperation {
        private final FetchContext context;
        private final List<PartitionFetch> plan;
        private final FetchRequestData request;
        private final Fetcher fetcher;
        private final CompletableFuture<Response> future;
        /** The read that satisfied the fetch, sent as is (the timer path reads afresh). */
        private volatile FetchResult satisfied;

        DelayedFetch(FetchContext context, List<PartitionFetch> plan, FetchRequestData request, Fetcher fetcher,
                     CompletableFuture<Response> future) {
            super(request.maxWaitMs());
            this.context = context;
            this.plan = plan;
            this.request = request;
            this.fetcher = fetcher;
            this.future = future;
        }

        @Override
        public boolean tryComplete() {
            FetchResult result = read(plan, fetcher.maxBytes(), fetcher);
            if (result.bytes() >= request.minBytes() || result.hasError()) {
                satisfied = result;
                return forceComplete();
            }
            return false;
        }

        @Override
        protected void onComplete() {
            try {
                FetchResult result = satisfied;
                if (result == null) {
                    result = read(plan, fetcher.maxBytes(), fetcher);
                }
                future.complete(send(context, result, fetcher));
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            }
        }
    }

    /**
     * {@code plan} with the partitions the principal may not fetch marked TOPIC_AUTHORIZATION_FAILED, so that they
     * are answered without being read (Kafka's checks, see the class comment).
     */
    private List<PartitionFetch> authorized(KafkaRequest request, Fetcher fetcher, List<PartitionFetch> plan) {
        Predicate<PartitionFetch> refused;
        if (fetcher.isFollower()) {
            if (authorization.cluster(request, AclOperation.CLUSTER_ACTION)) {
                return plan;
            }
            refused = p -> true;
        } else {
            Predicate<String> mayRead = authorization.topicCheck(request, AclOperation.READ);
            refused = p -> p.resolveError() != Errors.UNKNOWN_TOPIC_ID
                    && (p.topic() == null || !mayRead.test(p.topic()));
        }
        List<PartitionFetch> checked = new ArrayList<>(plan.size());
        for (PartitionFetch p : plan) {
            checked.add(refused.test(p) ? new PartitionFetch(p.topic(), p.topicId(), p.partition(), p.fetchOffset(),
                    p.maxBytes(), p.currentLeaderEpoch(), p.lastFetchedEpoch(), p.logStartOffset(),
                    Errors.TOPIC_AUTHORIZATION_FAILED) : p);
        }
        return checked;
    }

    /**
     * The response as the session sends it; a consumer's bytes are counted per topic. A consumer over its byte
     * quota gets the throttled answer instead, and the session does not change.
     */
    private Response send(FetchContext context, FetchResult result, Fetcher fetcher) {
        if (!fetcher.isFollower()) {
            int throttleMs = quota.recordAndThrottleMs(fetcher.request(), recordBytes(result.response()));
            if (throttleMs > 0) {
                return new Response.Send(context.throttled(throttleMs));
            }
        }
        FetchResponseData sent = context.finish(result.response());
        if (!fetcher.isFollower()) {
            for (FetchableTopicResponse topic : sent.responses()) {
                long bytes = 0;
                for (PartitionData partition : topic.partitions()) {
                    bytes += partition.records() == null ? 0 : partition.records().sizeInBytes();
                }
                traffic.sentToConsumer(topic.topic(), bytes, result.offsetsOut().getOrDefault(topic.topic(), 0L));
            }
        }
        return new Response.Send(sent);
    }

    private static long recordBytes(FetchResponseData response) {
        long bytes = 0;
        for (FetchableTopicResponse topic : response.responses()) {
            for (PartitionData partition : topic.partitions()) {
                bytes += partition.records() == null ? 0 : partition.records().sizeInBytes();
            }
        }
        return bytes;
    }

    private static List<PartitionFetch> plan(FetchRequestData data, ClusterImage image) {
        List<PartitionFetch> plan = new ArrayList<>();
        for (FetchRequestData.FetchTopic topic : data.topics()) {
            boolean byId = topic.topic() == null || topic.topic().isEmpty();
            Optional<TopicImage> resolved = byId ? image.topic(topic.topicId()) : image.topic(topic.topic());
            Errors error = resolved.isPresent() ? Errors.NONE
                    : byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
            String name = resolved.map(TopicImage::name).orElse(topic.topic());
            Uuid id = resolved.map(TopicImage::topicId).orElse(topic.topicId());
            for (FetchRequestData.FetchPartition p : topic.partitions()) {
                plan.add(new PartitionFetch(name, id, p.partition(), p.fetchOffset(), p.partitionMaxBytes(),
                        p.currentLeaderEpoch(), p.lastFetchedEpoch(), p.logStartOffset(), error));
            }
        }
        return plan;
    }

    private FetchResult read(List<PartitionFetch> plan, int maxBytes, Fetcher fetcher) {
        ClusterImage image = images.get();
        FetchResponseData.NodeEndpointCollection endpoints = new FetchResponseData.NodeEndpointCollection();
        Map<Uuid, FetchableTopicResponse> topics = new LinkedHashMap<>();
        Map<String, FetchableTopicResponse> topicsByName = new LinkedHashMap<>();
        long remaining = maxBytes;
        long total = 0;
        boolean hasError = false;
        Map<String, Long> offsetsOut = new java.util.HashMap<>();
        for (PartitionFetch p : plan) {
            PartitionData pd = new PartitionData().setPartitionIndex(p.partition()).setRecords(MemoryRecords.EMPTY);
            Errors error = p.resolveError();
            Optional<Partition> partition = Optional.empty();
            if (error == Errors.NONE) {
                partition = replicas.partition(new TopicPartition(p.topic(), p.partition()));
                if (partition.isEmpty()) {
                    error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
                }
            }
            if (partition.isPresent()) {
                try {
                    Partition part = partition.get();
                    int limit = (int) Math.max(0, Math.min(p.maxBytes(), remaining));
                    LogReadResult read;
                    long hw;
                    long lastStable;
                    if (fetcher.isFollower()) {
                        Partition.FollowerFetch f = part.fetchForFollower(fetcher.replicaId(), p.fetchOffset(),
                                p.lastFetchedEpoch(), p.currentLeaderEpoch(), p.logStartOffset(), limit, total == 0);
                        read = f.read();
                        hw = f.highWatermark();
                        lastStable = hw; // followers read to the log end; the LSO is a consumer's bound
                        if (f.divergingEpoch().isPresent()) {
                            pd.divergingEpoch().setEpoch(f.divergingEpoch().get().epoch())
                                    .setEndOffset(f.divergingEpoch().get().endOffset());
                            hasError = true; // answer at once: the follower must truncate before it fetches
                        }
                    } else {
                        part.checkLeader();
                        part.checkLeaderEpoch(p.currentLeaderEpoch());
                        Partition.ConsumerRead consumerRead = part.read(p.fetchOffset(), limit, total == 0,
                                fetcher.isolation());
                        read = consumerRead.read();
                        hw = read.highWatermark();
                        lastStable = consumerRead.lastStableOffset();
                        pd.setAbortedTransactions(consumerRead.abortedTransactions().map(FetchHandler::aborted)
                                .orElse(null));
                    }
                    FileSlice slice = read.slice();
                    int size = slice.size();
                    if (!fetcher.isFollower() && size > 0 && part.log().config().hasMessageTtl()) {
                        long bound = fetcher.isolation() == IsolationLevel.READ_COMMITTED ? lastStable : hw;
                        switch (expire(part, slice, bound)) {
                            case FetchExpiry.Outcome.Send send -> {
                                slice = send.slice();
                                size = slice.size();
                            }
                            case FetchExpiry.Outcome.Skip skip -> {
                                slice = FileSlice.empty();
                                size = skip.emptyBatch().sizeInBytes();
                                pd.setRecords(skip.emptyBatch());
                                if (pd.abortedTransactions() != null) {
                                    pd.setAbortedTransactions(List.of()); // nothing of a transaction is sent
                                }
                            }
                        }
                    }
                    if (slice.size() > 0) {
                        pd.setRecords(new FileRegionRecords(slice.channel(), slice.position(), slice.size()));
                        if (!fetcher.isFollower() && slice.endOffset() > p.fetchOffset()) {
                            offsetsOut.merge(p.topic(), slice.endOffset() - p.fetchOffset(), Long::sum);
                        }
                    }
                    remaining -= size;
                    total += size;
                    pd.setHighWatermark(hw)
                            .setLastStableOffset(lastStable)
                            .setLogStartOffset(read.logStartOffset());
                } catch (RuntimeException e) {
                    error = Requests.error(e);
                }
            }
            if (error != Errors.NONE) {
                hasError = true;
                pd.setErrorCode(error.code()).setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1);
                partition.ifPresent(part -> pd.setHighWatermark(part.highWatermark())
                        .setLogStartOffset(part.log().logStartOffset()));
                if (error == Errors.NOT_LEADER_OR_FOLLOWER || error == Errors.FENCED_LEADER_EPOCH) {
                    addCurrentLeader(pd, p, image, fetcher, endpoints);
                }
            }
            FetchableTopicResponse topic = p.topicId().equals(Uuid.ZERO_UUID)
                    ? topicsByName.computeIfAbsent(p.topic(), n -> new FetchableTopicResponse().setTopic(n))
                    : topics.computeIfAbsent(p.topicId(),
                            id -> new FetchableTopicResponse().setTopic(p.topic()).setTopicId(id));
            topic.partitions().add(pd);
        }
        List<FetchableTopicResponse> responses = new ArrayList<>(topics.values());
        responses.addAll(topicsByName.values());
        FetchResponseData response = new FetchResponseData().setErrorCode(Errors.NONE.code())
                .setResponses(responses).setNodeEndpoints(endpoints);
        return new FetchResult(response, total, hasError, offsetsOut);
    }

    /**
     * Message TTL for a consumer's read (see {@link FetchExpiry}): a read of expired batches skips them, as far as
     * the time index shows they go, and never past {@code bound}.
     */
    private FetchExpiry.Outcome expire(Partition part, FileSlice slice, long bound) {
        long ttl = part.log().config().messageTtlMs();
        long now = time.milliseconds();
        try {
            return FetchExpiry.apply(slice, ttl, now, from -> {
                long target = FetchExpiry.firstLiveTimestamp(ttl, now);
                long to = target < 0 ? from : part.log().offsetForTimestamp(target)
                        .map(TimestampAndOffset::offset).orElse(bound);
                return Math.min(Math.max(from, to), Math.max(from, bound));
            });
        } catch (IOException e) {
            throw new KafkaStorageException(part.topicPartition() + ": reading batch headers failed", e);
        }
    }

    private static List<FetchResponseData.AbortedTransaction> aborted(List<AbortedTransaction> aborted) {
        return aborted.stream().map(a -> new FetchResponseData.AbortedTransaction().setProducerId(a.producerId())
                .setFirstOffset(a.firstOffset())).toList();
    }

    /**
     * KIP-951: the current leader (v12+) and its endpoint on the fetcher's listener (v16+), so the client can go
     * there at once; a leader without an endpoint on that listener is named without one, as Kafka does.
     */
    private static void addCurrentLeader(PartitionData pd, PartitionFetch p, ClusterImage image, Fetcher fetcher,
                                         FetchResponseData.NodeEndpointCollection endpoints) {
        if (fetcher.version() < 12) {
            return;
        }
        Optional<PartitionImage> pi = image.topic(p.topic()).flatMap(t -> t.partition(p.partition()));
        if (pi.isEmpty() || pi.get().leader() < 0) {
            return;
        }
        pd.currentLeader().setLeaderId(pi.get().leader()).setLeaderEpoch(pi.get().leaderEpoch());
        Optional<Node> leader = Optional.ofNullable(image.brokers().get(pi.get().leader()))
                .flatMap(b -> b.node(fetcher.listener()));
        if (fetcher.version() >= 16 && leader.isPresent() && endpoints.find(leader.get().id()) == null) {
            endpoints.add(new FetchResponseData.NodeEndpoint().setNodeId(leader.get().id())
                    .setHost(leader.get().host()).setPort(leader.get().port()).setRack(leader.get().rack()));
        }
    }
}
