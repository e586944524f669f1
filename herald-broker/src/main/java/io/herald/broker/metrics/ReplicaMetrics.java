package io.herald.broker.metrics;

import io.herald.broker.replica.Partition;
import io.herald.broker.replica.ReplicaManager;
import io.herald.common.purgatory.Purgatory;
import io.herald.metadata.api.MetadataPublisher;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The replicas of this broker, as Kafka's ReplicaManager and controller metrics have them:
 * <ul>
 *   <li>{@code herald_partitions} (replicas hosted here), {@code herald_partitions_leader},
 *       {@code herald_partitions_under_replicated} and {@code herald_partitions_under_min_isr} (led here, ISR
 *       smaller than the replicas or than {@code min.insync.replicas}), {@code herald_partitions_offline}
 *       (partitions of the cluster without a leader, from the metadata image: the same on every broker);</li>
 *   <li>{@code herald_isr_shrinks_total} / {@code herald_isr_expands_total}: committed ISR changes of partitions
 *       this broker leads, as the metadata log shows them;</li>
 *   <li>per partition hosted here ({@code topic}, {@code partition} tags): {@code herald_log_size_bytes},
 *       {@code herald_log_start_offset}, {@code herald_log_end_offset}, refreshed by {@link #refresh};</li>
 *   <li>{@code herald_purgatory_size} by {@code purgatory}: operations parked for a later answer.</li>
 * </ul>
 *
 * <p>Thread-safety: gauges are read on the scraping thread; {@link #onImage} runs on the metadata publisher's
 * thread; both only read thread-safe state.
 */
public final class ReplicaMetrics implements MetadataPublisher.Listener {
    private final ReplicaManager replicas;
    private final Supplier<ClusterImage> images;
    private final Counter shrinks;
    private final Counter expands;
    private final MultiGauge logSize;
    private final MultiGauge logStart;
    private final MultiGauge logEnd;
    /** The partitions the per-partition gauges read; only the scraping thread touches it. */
    private List<Partition> registered = List.of();

    public ReplicaMetrics(MeterRegistry registry, ReplicaManager replicas, Supplier<ClusterImage> images,
                          List<Purgatory<?>> purgatories) {
        this.replicas = replicas;
        this.images = images;
        gauge(registry, "herald.partitions", "Partition replicas hosted by this broker",
                r -> r.partitions().size());
        gauge(registry, "herald.partitions.leader", "Partitions this broker leads",
                r -> r.partitions().stream().filter(Partition::isLeader).count());
        gauge(registry, "herald.partitions.under.replicated", "Partitions led here whose ISR lacks a replica",
                r -> r.partitions().stream().filter(p -> p.isLeader() && p.isr().size() < p.replicas().size())
                        .count());
        gauge(registry, "herald.partitions.under.min.isr", "Partitions led here with fewer in-sync replicas than "
                + "min.insync.replicas", r -> underMinIsr());
        Gauge.builder("herald.partitions.offline", images, ReplicaMetrics::offline)
                .description("Partitions of the cluster without a leader").register(registry);
        shrinks = Counter.builder("herald.isr.shrinks").description("ISR shrinks of partitions led here")
                .register(registry);
        expands = Counter.builder("herald.isr.expands").description("ISR expansions of partitions led here")
                .register(registry);
        for (Purgatory<?> purgatory : purgatories) {
            Gauge.builder("herald.purgatory.size", purgatory, Purgatory::size).tag("purgatory", purgatory.name())
                    .description("Operations waiting in the purgatory").register(registry);
        }
        logSize = MultiGauge.builder("herald.log.size.bytes").description("Bytes of a partition's log on disk")
                .register(registry);
        logStart = MultiGauge.builder("herald.log.start.offset").description("A partition's log start offset")
                .register(registry);
        logEnd = MultiGauge.builder("herald.log.end.offset").description("A partition's log end offset")
                .register(registry);
    }

    /**
     * Re-reads the partitions hosted here for the per-partition gauges (before a scrape). The gauges read their
     * partition's log when scraped, so they are registered again only when the set of partitions changed.
     */
    public void refresh() {
        List<Partition> now = List.copyOf(replicas.partitions());
        if (sameObjects(now, registered)) {
            return;
        }
        List<MultiGauge.Row<?>> sizes = new ArrayList<>();
        List<MultiGauge.Row<?>> starts = new ArrayList<>();
        List<MultiGauge.Row<?>> ends = new ArrayList<>();
        for (Partition p : now) {
            Tags tags = Tags.of("topic", p.topicPartition().topic(),
                    "partition", String.valueOf(p.topicPartition().partition()));
            sizes.add(MultiGauge.Row.of(tags, p, q -> q.log().sizeInBytes()));
            starts.add(MultiGauge.Row.of(tags, p, q -> q.log().logStartOffset()));
            ends.add(MultiGauge.Row.of(tags, p, q -> q.log().logEndOffset()));
        }
        logSize.register(sizes, true);
        logStart.register(starts, true);
        logEnd.register(ends, true);
        registered = now;
    }

    /** Whether both lists hold the same partition objects (one made anew, after a log-dir failure say, differs). */
    private static boolean sameObjects(List<Partition> a, List<Partition> b) {
        if (a.size() != b.size()) {
            return false;
        }
        Set<Partition> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.addAll(b);
        return seen.containsAll(a);
    }

    /** Counts the ISR changes the new image committed for partitions this broker leads. */
    @Override
    public void onImage(ClusterImage previous, ClusterImage current) {
        int self = replicas.nodeId();
        for (TopicImage topic : current.topics().values()) {
            TopicImage before = previous.topics().get(topic.name());
            if (before == null || !before.topicId().equals(topic.topicId())) {
                continue;
            }
            for (PartitionImage now : topic.partitions().values()) {
                PartitionImage was = before.partitions().get(now.partition());
                if (was == null || now.leader() != self || was.isr().equals(now.isr())) {
                    continue;
                }
                Set<Integer> old = new HashSet<>(was.isr());
                Set<Integer> grown = new HashSet<>(now.isr());
                if (!old.containsAll(now.isr())) {
                    expands.increment();
                }
                if (!grown.containsAll(was.isr())) {
                    shrinks.increment();
                }
            }
        }
    }

    private long underMinIsr() {
        ClusterImage image = images.get();
        long count = 0;
        for (Partition p : replicas.partitions()) {
            if (!p.isLeader()) {
                continue;
            }
            TopicImage topic = image.topic(p.topicPartition().topic()).orElse(null);
            if (topic != null && p.isr().size() < replicas.minInsyncReplicas(image, topic)) {
                count++;
            }
        }
        return count;
    }

    private static double offline(Supplier<ClusterImage> images) {
        return images.get().topics().values().stream().flatMap(t -> t.partitions().values().stream())
                .filter(p -> p.leader() < 0).count();
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<ReplicaManager> f) {
        Gauge.builder(name, replicas, f).description(description).register(registry);
    }
}
