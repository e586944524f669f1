package io.herald.server.node;

import io.herald.metadata.api.MetadataPublisher;
import io.herald.metadata.feature.FeatureCatalog;
import io.herald.metadata.image.FeatureLevels;
import io.herald.protocol.FeatureSet;
import io.herald.protocol.VersionRange;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The features (KIP-584) a Herald broker reports in ApiVersions: the supported ranges of
 * {@link FeatureCatalog}, and the finalized levels and epoch of the metadata log ({@link FeatureLevels}, changed
 * by UpdateFeatures). Clients choose protocols by the finalized levels: at {@code transaction.version} 2 a
 * Kafka 4 producer speaks KIP-890 part 2, {@code group.version} 1 says the KIP-848 consumer group protocol is
 * on, {@code share.version} 1 that share groups (KIP-932) are; a new cluster finalizes those three as Kafka
 * 4.3.1 does, with {@code metadata.version} 30 (4.3-IV0).
 *
 * <p>What Herald finalizes, and why not more: {@code metadata.version} is supported at 30 only, because Herald
 * serves Kafka's client-facing APIs at their 4.3 levels while its metadata log is its own (on Ratis), with no
 * format that an older metadata.version would select; {@code kraft.version} at 0 only (a static Ratis quorum,
 * no KIP-853); {@code streams.version} (KIP-1071) and {@code eligible.leader.replicas.version} (KIP-966) at 0
 * only, as they are not implemented. Those three are listed with the range 0-0, so that
 * {@code kafka-features.sh describe} shows them as not finalized instead of leaving them out.
 *
 * <p>A client keeps the finalized levels of the highest epoch it has seen; the epoch is the metadata log index
 * of the last change, so it grows with every change. Thread-safe: the supplier reads the current image and
 * rebuilds the set only when the levels changed.
 */
final class BrokerFeatures implements Supplier<FeatureSet> {
    static final Map<String, VersionRange> SUPPORTED = FeatureCatalog.ALL.stream().collect(Collectors.toUnmodifiableMap(
            FeatureCatalog.Feature::name, f -> VersionRange.of(f.minSupported(), f.maxSupported())));

    private record Cached(FeatureLevels levels, FeatureSet set) {}

    private final MetadataPublisher metadata;
    private volatile Cached cached;

    BrokerFeatures(MetadataPublisher metadata) {
        this.metadata = metadata;
        this.cached = new Cached(FeatureLevels.LEGACY, of(FeatureLevels.LEGACY));
    }

    /** The ApiVersions features of {@code levels}. */
    static FeatureSet of(FeatureLevels levels) {
        return new FeatureSet(SUPPORTED, levels.levels(), levels.epoch());
    }

    @Override
    public FeatureSet get() {
        FeatureLevels levels = metadata.image().features();
        Cached current = cached;
        if (!current.levels().equals(levels)) {
            // A benign race: two threads may both rebuild; either result is right for these levels.
            current = new Cached(levels, of(levels));
            cached = current;
        }
        return current.set();
    }
}
