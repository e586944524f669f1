package io.herald.protocol;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The features a broker reports in ApiVersions (KIP-584): what this software supports, and the levels the
 * cluster has finalized. Clients choose protocols by them: a Kafka 4.x producer uses transaction version 2
 * (KIP-890) only where {@code transaction.version} is finalized at 2, and tools such as
 * {@code kafka-features.sh describe} show them.
 *
 * @param supported      feature name to the levels this broker can run
 * @param finalized      feature name to the level the cluster runs (absent: 0, disabled)
 * @param finalizedEpoch the epoch of the finalized levels (the metadata offset that set them in Kafka)
 */
public record FeatureSet(Map<String, VersionRange> supported, Map<String, Short> finalized, long finalizedEpoch) {
    /** No features: what a broker reports before any is declared. */
    public static final FeatureSet NONE = new FeatureSet(Map.of(), Map.of(), -1);

    public FeatureSet {
        supported = Map.copyOf(new TreeMap<>(supported));
        finalized = Map.copyOf(finalized);
        for (Map.Entry<String, Short> f : finalized.entrySet()) {
            VersionRange range = supported.get(f.getKey());
            if (range == null || !range.contains(f.getValue())) {
                throw new IllegalArgumentException("feature " + f.getKey() + " finalized at " + f.getValue()
                        + " but supported " + Objects.requireNonNullElse(range, "not at all"));
            }
        }
    }
}
