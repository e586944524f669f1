package io.herald.broker.metrics;

import io.herald.broker.replica.ReplicaManager;
import io.herald.common.purgatory.Purgatory;
import io.herald.group.GroupCoordinator;
import io.herald.group.share.PartitionEndOffsets;
import io.herald.metadata.api.MetadataPublisher;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.quorum.QuorumDescription;
import io.herald.storage.log.FlushStats;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A broker's meters in one registry: what the request path reports as it goes ({@link #requests},
 * {@link #topics}) and what is read when the registry is scraped ({@link #refresh}: per-partition logs, group
 * lag, the quorum).
 *
 * <p>Thread-safety: thread-safe; {@link #refresh} blocks for bounded waits and must not run on an event loop.
 */
public final class BrokerMetrics {
    /** The longest one step of a refresh waits for a coordinator, a partition leader or the quorum. */
    static final long REFRESH_TIMEOUT_MS = 2_000;

    private final Supplier<ClusterImage> images;
    private final RequestMetrics requests;
    private final TopicMetrics topics;
    private final ReplicaMetrics replicas;
    private final GroupLagMetrics groupLag;
    private final QuorumMetrics quorum;

    /**
     * Registers the broker's meters in {@code registry}; {@code metadata} tells it of ISR changes.
     *
     * @param purgatories the purgatories whose sizes are gauged (by their names)
     * @param flushes     the log manager's fsync counts and times
     */
    public BrokerMetrics(MeterRegistry registry, ReplicaManager replicaManager, MetadataPublisher metadata,
                         Supplier<ClusterImage> images, List<Purgatory<?>> purgatories, GroupCoordinator groups,
                         PartitionEndOffsets endOffsets, Supplier<CompletableFuture<QuorumDescription>> describeQuorum,
                         FlushStats flushes) {
        this.images = images;
        this.requests = new RequestMetrics(registry);
        this.topics = new TopicMetrics(registry);
        this.replicas = new ReplicaMetrics(registry, replicaManager, images, purgatories);
        this.groupLag = new GroupLagMetrics(registry, groups, endOffsets, REFRESH_TIMEOUT_MS);
        this.quorum = new QuorumMetrics(registry, describeQuorum, REFRESH_TIMEOUT_MS);
        metadata.addListener(replicas);
        FunctionTimer.builder("herald.log.flush", flushes, FlushStats::count, FlushStats::totalNanos,
                        TimeUnit.NANOSECONDS)
                .description("Fsyncs of partition logs and their time (flush.ms, flush.messages, shutdown)")
                .register(registry);
    }

    /** The per-API request meters, for the Kafka listener. */
    public RequestMetrics requests() {
        return requests;
    }

    /** The per-topic traffic meters, for the Produce and Fetch handlers. */
    public TopicMetrics topics() {
        return topics;
    }

    /** Re-reads what is not counted as it happens; call before each scrape. */
    public void refresh() {
        topics.retainTopics(images.get().topics().keySet());
        replicas.refresh();
        groupLag.refresh();
        quorum.refresh();
    }
}
