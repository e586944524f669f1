package io.herald.metadata.controller;

import io.herald.metadata.controller.ControllerCommand.FeatureChange;
import io.herald.metadata.controller.ControllerCommand.UpdateFeatures;
import io.herald.metadata.feature.FeatureCatalog.Feature;
import io.herald.metadata.feature.FeatureCatalog;
import io.herald.metadata.image.FeatureLevels;
import io.herald.metadata.record.MetadataRecord.FeatureLevelRecord;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.FeatureUpdate.UpgradeType;
import org.apache.kafka.common.errors.InvalidUpdateVersionException;

/**
 * Decisions about finalized feature levels (KIP-584), following Kafka 4.3's controller (FeatureControlManager):
 * every change of one UpdateFeatures is checked, in name order, before any is made, and the first refusal
 * refuses them all with INVALID_UPDATE_VERSION. For each change, in Kafka's order: a known upgrade type; a level
 * not below 0; a level this cluster supports ({@link FeatureCatalog}, "Local controller N ..." as Kafka words it,
 * N being the broker that took the request); a lower level only with a downgrade type and a higher one only with
 * an upgrade; the levels the new level depends on, among the levels the whole request leads to. A change to the
 * level in force writes nothing, so the epoch moves only when a level does. Stateless.
 */
final class FeatureControl {
    private FeatureControl() {
    }

    /** A new cluster's levels ({@link FeatureCatalog#BOOTSTRAP}), at the epoch {@code index}. */
    static void bootstrap(RecordBuffer buffer, long index) {
        for (Feature feature : FeatureCatalog.ALL) {
            buffer.add(new FeatureLevelRecord(feature.name(), feature.bootstrapLevel(), index));
        }
    }

    /** Checks every change, then writes them at the epoch {@code index}; payload: none. */
    static byte[] updateFeatures(RecordBuffer buffer, UpdateFeatures c, long index) {
        FeatureLevels current = buffer.image().features();
        Map<String, Short> proposed = new HashMap<>(current.levels());
        c.changes().forEach((name, change) -> proposed.put(name, change.level()));
        c.changes().forEach((name, change) -> check(c.nodeId(), name, change, current.level(name), proposed));
        c.changes().forEach((name, change) -> {
            if (change.level() != current.level(name)) {
                buffer.add(new FeatureLevelRecord(name, change.level(), index));
            }
        });
        return new byte[0];
    }

    private static void check(int nodeId, String name, FeatureChange change, short currentLevel,
                              Map<String, Short> proposed) {
        short level = change.level();
        UpgradeType type = UpgradeType.fromCode(change.upgradeType());
        if (type == UpgradeType.UNKNOWN) {
            throw invalid(name, level, "The controller does not support the given upgrade type.");
        }
        if (level < 0) {
            throw invalid(name, level, "A feature version cannot be less than 0.");
        }
        Feature feature = FeatureCatalog.feature(name).orElse(null);
        if (feature == null || feature.maxSupported() == 0 && level != 0) {
            throw invalid(name, level, "Local controller " + nodeId + " does not support this feature.");
        }
        if (!feature.supports(level) && !(level == 0 && feature.minSupported() == 0)) {
            throw invalid(name, level, "Local controller " + nodeId + " only supports versions "
                    + feature.minSupported() + "-" + feature.maxSupported());
        }
        if (level < currentLevel && type == UpgradeType.UPGRADE) {
            throw invalid(name, level, "Can't downgrade the version of this feature without setting the upgrade "
                    + "type to either safe or unsafe downgrade.");
        }
        if (level > currentLevel && type != UpgradeType.UPGRADE) {
            throw invalid(name, level, "Can't downgrade to a newer version.");
        }
        checkDependencies(name, level, feature.dependenciesOf(level), proposed);
    }

    /**
     * Each level in {@code needed} must be reached by the levels the request leads to; worded as Kafka's
     * Feature.validateVersion (Kafka words a metadata.version dependency with the version's name, which Herald's
     * catalog does not know; no Herald level depends on metadata.version).
     */
    static void checkDependencies(String name, short level, Map<String, Short> needed, Map<String, Short> proposed) {
        new TreeMap<>(needed).forEach((dependency, minimum) -> {
            if (proposed.getOrDefault(dependency, (short) 0) < minimum) {
                throw invalid(name, level, name + " could not be set to " + level + " because it depends on "
                        + dependency + " level " + minimum);
            }
        });
    }

    private static InvalidUpdateVersionException invalid(String name, short level, String reason) {
        return new InvalidUpdateVersionException("Invalid update version " + level + " for feature " + name + ". "
                + reason);
    }
}
