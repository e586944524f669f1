package io.herald.broker.share;

import io.herald.common.time.ManualTime;
import io.herald.common.timer.ManualTimer;
import io.herald.coordinator.share.SharePartitionKey;
import io.herald.coordinator.share.ShareStatePersister;
import io.herald.group.config.ShareAutoOffsetReset;
import io.herald.group.config.ShareGroupSettings;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;

/** One share-partition on a model log, a manual clock and timer, and a persister, for the engine's tests. */
final class ShareFixture {
    static final Uuid TOPIC_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    static final TopicIdPartition TP = new TopicIdPartition(TOPIC_ID, 0, "orders");
    static final SharePartitionKey KEY = new SharePartitionKey("g", TOPIC_ID, 0);

    final ManualTime time = new ManualTime();
    final ManualTimer timer = new ManualTimer(time);
    final ModelLog log;
    final ShareStatePersister persister;
    final AtomicReference<ShareGroupSettings> settings = new AtomicReference<>(earliest());
    final List<ArchivedRecords> archived = new CopyOnWriteArrayList<>();
    final List<ApiException> fenced = new CopyOnWriteArrayList<>();
    final AtomicInteger changes = new AtomicInteger();
    final ModelDeadLetters deadLetters = new ModelDeadLetters();
    final SharePartition.Context context;
    private int leaderEpoch;
    SharePartition sp;

    ShareFixture() {
        this(new ModelLog(), new ModelPersister());
    }

    ShareFixture(ModelLog log, ShareStatePersister persister) {
        this.log = log;
        this.persister = persister;
        this.context = new SharePartition.Context(persister, groupId -> settings.get(), timer, time, archived::add,
                deadLetters);
    }

    /** Kafka's defaults, but starting from the earliest offset (tests append first, then fetch). */
    static ShareGroupSettings earliest() {
        return with(ShareGroupSettings.defaults(), s -> s).autoReset(new ShareAutoOffsetReset.Earliest()).build();
    }

    /** A new share-partition (the next leader epoch), loaded. */
    SharePartition load() {
        sp = create();
        sp.maybeInitialize().join();
        return sp;
    }

    SharePartition create() {
        return new SharePartition(KEY, TP, leaderEpoch++, log, context, new SharePartition.Listener() {
            @Override
            public void onChange(SharePartition partition) {
                changes.incrementAndGet();
            }

            @Override
            public void onFenced(SharePartition partition, ApiException cause) {
                fenced.add(cause);
            }
        });
    }

    void update(UnaryOperator<Builder> change) {
        settings.set(change.apply(new Builder(settings.get())).build());
    }

    SharePartition.Fetch fetch(String member, int maxRecords) {
        return fetch(member, AcquireMode.BATCH_OPTIMIZED, maxRecords, 500);
    }

    SharePartition.Fetch fetch(String member, AcquireMode mode, int maxRecords, int batchSize) {
        return sp.tryFetch(member, new SharePartition.FetchParams(mode, batchSize, maxRecords, 1 << 20, true))
                .orElseThrow();
    }

    void ack(String member, long first, long last, AcknowledgeType type) {
        sp.acknowledge(member, List.of(new AcknowledgementBatch(first, last, List.of(type.id())))).join();
    }

    ApiException ackFails(String member, long first, long last, AcknowledgeType type) {
        return failure(() -> sp.acknowledge(member,
                List.of(new AcknowledgementBatch(first, last, List.of(type.id())))).join());
    }

    static ApiException failure(Runnable r) {
        try {
            r.run();
        } catch (CompletionException e) {
            return (ApiException) e.getCause();
        }
        throw new AssertionError("expected a failure");
    }

    /** The state of {@code offset} as the in-flight view shows it. */
    Optional<SharePartition.RecordView> at(long offset) {
        return sp.inFlight().stream().filter(v -> v.firstOffset() <= offset && offset <= v.lastOffset()).findFirst();
    }

    static Builder with(ShareGroupSettings s, UnaryOperator<Builder> change) {
        return change.apply(new Builder(s));
    }

    /** ShareGroupSettings with some fields changed. */
    static final class Builder {
        private int lockMs;
        private int limit;
        private int maxLocks;
        private ShareAutoOffsetReset reset;
        private IsolationLevel isolation;
        private boolean renew;
        private long backoffMs;
        private long backoffMaxMs;
        private double multiplier;
        private Optional<String> deadLetterTopic;
        private final ShareGroupSettings base;

        Builder(ShareGroupSettings s) {
            base = s;
            lockMs = s.recordLockDurationMs();
            limit = s.deliveryCountLimit();
            maxLocks = s.partitionMaxRecordLocks();
            reset = s.autoOffsetReset();
            isolation = s.isolationLevel();
            renew = s.renewAcknowledgeEnable();
            backoffMs = s.retryBackoffMs();
            backoffMaxMs = s.retryBackoffMaxMs();
            multiplier = s.retryBackoffMultiplier();
            deadLetterTopic = s.deadLetterTopic();
        }

        Builder deadLetterTopic(String topic) {
            deadLetterTopic = Optional.ofNullable(topic);
            return this;
        }

        Builder lockMs(int v) {
            lockMs = v;
            return this;
        }

        Builder deliveryLimit(int v) {
            limit = v;
            return this;
        }

        Builder maxLocks(int v) {
            maxLocks = v;
            return this;
        }

        Builder autoReset(ShareAutoOffsetReset v) {
            reset = v;
            return this;
        }

        Builder isolation(IsolationLevel v) {
            isolation = v;
            return this;
        }

        Builder renew(boolean v) {
            renew = v;
            return this;
        }

        Builder backoff(long ms, long maxMs, double mult) {
            backoffMs = ms;
            backoffMaxMs = maxMs;
            multiplier = mult;
            return this;
        }

        ShareGroupSettings build() {
            return new ShareGroupSettings(base.sessionTimeoutMs(), base.heartbeatIntervalMs(), base.maxSize(), lockMs,
                    limit, maxLocks, reset, isolation, renew, deadLetterTopic, base.deadLetterCopyRecord(),
                    backoffMs, backoffMaxMs, multiplier);
        }
    }
}
