package io.herald.metadata.image;

import io.herald.metadata.feature.FeatureCatalog;
import java.util.HashMap;
import java.util.Map;

/**
 * The finalized feature levels (KIP-584) of the cluster and their epoch, as ApiVersions reports them.
 *
 * <p>Invariants: no level is 0 (a feature at 0 is not finalized and is absent); {@code epoch} is the metadata
 * log index of the last command that changed a level, so it grows with every change and clients, which keep the
 * levels of the highest epoch they have seen, never go back to older levels.
 *
 * @param levels feature name to its finalized level, only levels above 0
 */
public record FeatureLevels(Map<String, Short> levels, long epoch) {
    /** A log written before feature records existed: the levels Herald had fixed, at their fixed epoch. */
    public static final FeatureLevels LEGACY = new FeatureLevels(FeatureCatalog.LEGACY, FeatureCatalog.LEGACY_EPOCH);

    public FeatureLevels {
        levels = Map.copyOf(levels);
        if (levels.containsValue((short) 0)) {
            throw new IllegalArgumentException("a finalized level of 0: " + levels);
        }
    }

    /** The finalized level of {@code name}; 0 if it is not finalized. */
    public short level(String name) {
        return levels.getOrDefault(name, (short) 0);
    }

    /** These levels with {@code name} at {@code level} (0 removes it), at {@code newEpoch}. */
    public FeatureLevels with(String name, short level, long newEpoch) {
        Map<String, Short> copy = new HashMap<>(levels);
        if (level == 0) {
            copy.remove(name);
        } else {
            copy.put(name, level);
        }
        return new FeatureLevels(copy, newEpoch);
    }
}
