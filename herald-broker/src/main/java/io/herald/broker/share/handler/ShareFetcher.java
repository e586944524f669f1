package io.herald.broker.share.handler;

import io.herald.broker.share.AcquireMode;
import io.herald.broker.share.SharePartition;
import io.herald.broker.share.SharePartitionManager;
import io.herald.common.purgatory.DelayedOperation;
import io.herald.common.purgatory.Purgatory;
import io.herald.common.time.Time;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fetch half of a ShareFetch (Kafka's SharePartitionManager.fetchMessages and DelayedShareFetch): finds or
 * creates the share-partitions, starts their loading, and answers once enough is acquirable (MinBytes) or MaxWaitMs
 * passed, parking in the purgatory meanwhile; completion reads each share-partition's log and acquires, with
 * MaxBytes shared evenly among the partitions and MaxRecords across them.
 *
 * <p>Thread-safety: thread-safe. Log reads run on the request pool, never on the event loop or the timer.
 */
final class ShareFetcher {
    private static final Logger log = LoggerFactory.getLogger(ShareFetcher.class);

    /** One ShareFetch's fetch parameters, after the handler capped them. */
    record Request(String groupId, String memberId, int sessionEpoch, int maxWaitMs, int minBytes, int maxBytes,
                   int maxRecords, int batchSize, AcquireMode mode, List<TopicIdPartition> partitions) {}

    /** A partition's outcome: what was acquired, or the error. */
    record Outcome(SharePartition.Fetch fetch, ApiException error) {
        static Outcome of(SharePartition.Fetch fetch) {
            return new Outcome(fetch, null);
        }

        static Outcome failed(ApiException error) {
            return new Outcome(SharePartition.Fetch.EMPTY, error);
        }
    }

    private final SharePartitionManager manager;
    private final Purgatory<ShareFetchKey> purgatory;
    private final Executor pool;
    private final Time time;

    ShareFetcher(SharePartitionManager manager, Purgatory<ShareFetchKey> purgatory, Executor pool, Time time) {
        this.manager = manager;
        this.purgatory = purgatory;
        this.pool = pool;
        this.time = time;
    }

    CompletableFuture<Map<TopicIdPartition, Outcome>> fetch(Request request) {
        if (request.partitions().isEmpty() || request.maxRecords() == 0 || request.maxBytes() == 0) {
            return CompletableFuture.completedFuture(Map.of()); // nothing asked for (Kafka's processShareFetch)
        }
        List<ShareFetchKey> keys = new ArrayList<>();
        DelayedShareFetch op = new DelayedShareFetch(request, keys, time.milliseconds() + request.maxWaitMs(),
                new CompletableFuture<>());
        for (TopicIdPartition tp : rotate(request.partitions(), request.sessionEpoch())) {
            SharePartition sp;
            try {
                sp = manager.getOrCreate(request.groupId(), tp);
            } catch (ApiException e) {
                op.errors.put(tp, e);
                continue;
            }
            keys.add(new ShareFetchKey.Share(request.groupId(), tp.topicPartition()));
            keys.add(new ShareFetchKey.Log(tp.topicPartition()));
            op.partitions.put(tp, sp);
            CompletableFuture<Void> loading = sp.maybeInitialize();
            if (!loading.isDone()) {
                loading.whenComplete((v, failure) -> {
                    if (failure != null) {
                        op.errors.put(tp, apiError(failure));
                    }
                    purgatory.checkAndComplete(new ShareFetchKey.Share(request.groupId(), tp.topicPartition()));
                });
            } else if (loading.isCompletedExceptionally()) {
                op.errors.put(tp, apiError(loading.handle((v, t) -> t).join()));
            }
        }
        if (op.errors.keySet().containsAll(op.partitions.keySet())) {
            Map<TopicIdPartition, Outcome> all = new LinkedHashMap<>();
            op.errors.forEach((tp, e) -> all.put(tp, Outcome.failed(e)));
            return CompletableFuture.completedFuture(all);
        }
        pool.execute(() -> {
            try {
                if (request.maxWaitMs() <= 0) {
                    // No waiting: answer with what there is now (a delay of 0 is an immediate expiry in Kafka).
                    if (!op.tryComplete()) {
                        op.forceComplete();
                    }
                    return;
                }
                purgatory.tryCompleteElseWatch(op, keys);
            } catch (RuntimeException e) {
                op.future.completeExceptionally(e);
            }
        });
        return op.future;
    }

    /** Kafka's round-robin PartitionRotateStrategy: each request of a session starts one partition later. */
    static <T> List<T> rotate(List<T> partitions, int sessionEpoch) {
        if (partitions.size() <= 1 || sessionEpoch <= 0) {
            return partitions;
        }
        List<T> rotated = new ArrayList<>(partitions);
        Collections.rotate(rotated, -(sessionEpoch % partitions.size()));
        return rotated;
    }

    private static ApiException apiError(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return cause instanceof ApiException api ? api : new UnknownServerException(cause.toString(), cause);
    }

    /**
     * A parked ShareFetch. When it completes but every partition it could acquire from was being read by another
     * fetch (one fetch at a time reads a share-partition), it parks again for the rest of MaxWaitMs instead of
     * answering empty: the reading fetch wakes it when done, as Kafka's DelayedShareFetch waits for the partition
     * locks it could not take.
     */
    private final class DelayedShareFetch extends DelayedOperation {
        private final Request request;
        private final List<ShareFetchKey> keys;
        private final long deadlineMs;
        final Map<TopicIdPartition, SharePartition> partitions;
        final Map<TopicIdPartition, ApiException> errors;
        final CompletableFuture<Map<TopicIdPartition, Outcome>> future;

        DelayedShareFetch(Request request, List<ShareFetchKey> keys, long deadlineMs,
                          CompletableFuture<Map<TopicIdPartition, Outcome>> future) {
            this(request, keys, deadlineMs, future, Collections.synchronizedMap(new LinkedHashMap<>()),
                    new ConcurrentHashMap<>());
        }

        private DelayedShareFetch(Request request, List<ShareFetchKey> keys, long deadlineMs,
                                  CompletableFuture<Map<TopicIdPartition, Outcome>> future,
                                  Map<TopicIdPartition, SharePartition> partitions,
                                  Map<TopicIdPartition, ApiException> errors) {
            super(Math.max(0, deadlineMs - time.milliseconds()));
            this.request = request;
            this.keys = keys;
            this.deadlineMs = deadlineMs;
            this.future = future;
            this.partitions = partitions;
            this.errors = errors;
        }

        /**
         * Done when every partition failed, or when the acquirable partitions have MinBytes between them (one
         * acquirable partition with nothing new satisfies MinBytes 0, as in Kafka). Partitions still loading or
         * at their lock limit do not count.
         */
        @Override
        public boolean tryComplete() {
            List<Map.Entry<TopicIdPartition, SharePartition>> snapshot;
            synchronized (partitions) {
                snapshot = new ArrayList<>(partitions.entrySet());
            }
            long bytes = 0;
            boolean acquirable = false;
            boolean allFailed = true;
            for (Map.Entry<TopicIdPartition, SharePartition> e : snapshot) {
                if (errors.containsKey(e.getKey())) {
                    continue;
                }
                allFailed = false;
                if (e.getValue().fetchInProgress()) {
                    continue; // another fetch is reading it and wakes us when done
                }
                int available;
                try {
                    available = e.getValue().acquirableBytes(request.maxBytes());
                } catch (ApiException failure) {
                    return forceComplete(); // the completion reads again and reports the error
                }
                if (available >= 0) {
                    acquirable = true;
                    bytes += available;
                }
            }
            if (allFailed || (acquirable && bytes >= request.minBytes())) {
                return forceComplete();
            }
            return false;
        }

        @Override
        protected void onComplete() {
            try {
                pool.execute(this::complete);
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            }
        }

        private void complete() {
            try {
                Read result = read();
                if (result.onlyContended() && time.milliseconds() < deadlineMs) {
                    purgatory.tryCompleteElseWatch(new DelayedShareFetch(request, keys, deadlineMs, future,
                            partitions, errors), keys);
                    return;
                }
                future.complete(result.outcomes());
            } catch (RuntimeException e) {
                log.warn("A share fetch failed", e);
                future.completeExceptionally(e);
            }
        }

        /** What a completion read: the outcomes, and whether it acquired nothing only because others were reading. */
        private record Read(Map<TopicIdPartition, Outcome> outcomes, boolean onlyContended) {}

        private Read read() {
            Map<TopicIdPartition, Outcome> out = new LinkedHashMap<>();
            boolean contended = false;
            List<Map.Entry<TopicIdPartition, SharePartition>> ready = new ArrayList<>();
            synchronized (partitions) {
                for (Map.Entry<TopicIdPartition, SharePartition> e : partitions.entrySet()) {
                    if (!errors.containsKey(e.getKey()) && e.getValue().isActive()) {
                        ready.add(e);
                    }
                }
            }
            // Kafka's uniform PartitionMaxBytesStrategy, and the first partition with data may exceed it by a batch.
            long share = Math.max(1, request.maxBytes() / Math.max(1, ready.size()));
            long bytesLeft = request.maxBytes();
            long acquired = 0;
            boolean first = true;
            for (Map.Entry<TopicIdPartition, SharePartition> e : ready) {
                long recordsLeft = request.maxRecords() - acquired;
                if (recordsLeft <= 0) {
                    break;
                }
                int limit = (int) Math.min(share, bytesLeft);
                try {
                    var fetched = e.getValue().tryFetch(request.memberId(), new SharePartition.FetchParams(
                            request.mode(), request.batchSize(), (int) recordsLeft, limit, first));
                    if (fetched.isEmpty()) {
                        contended = true; // another fetch is reading it
                        continue;
                    }
                    SharePartition.Fetch f = fetched.get();
                    int size = f.records().sizeInBytes();
                    if (size > 0) {
                        first = false;
                        bytesLeft = Math.max(0, bytesLeft - size);
                    }
                    acquired += f.acquiredCount();
                    out.put(e.getKey(), Outcome.of(f));
                } catch (ApiException failure) {
                    out.put(e.getKey(), Outcome.failed(failure));
                }
            }
            errors.forEach((tp, e) -> out.put(tp, Outcome.failed(e)));
            return new Read(out, contended && acquired == 0 && errors.isEmpty()
                    && out.values().stream().allMatch(o -> o.error() == null));
        }
    }
}
