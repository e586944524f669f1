package io.herald.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.metadata.controller.ControllerCommand.FeatureChange;
import io.herald.metadata.controller.ControllerCommand.InitCluster;
import io.herald.metadata.controller.ControllerCommand.UpdateFeatures;
import io.herald.metadata.controller.ControllerLogic.Decision;
import io.herald.metadata.feature.FeatureCatalog;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.FeatureLevels;
import io.herald.metadata.record.MetadataRecord;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.errors.InvalidUpdateVersionException;
import org.junit.jupiter.api.Test;

/**
 * UpdateFeatures decisions against Kafka 4.3.1's rules and messages (FeatureControlManager), and the
 * durability of the levels in the image and its snapshot.
 */
class FeatureControlTest {
    private static final byte UPGRADE = 1;
    private static final byte SAFE_DOWNGRADE = 2;
    private static final byte UNSAFE_DOWNGRADE = 3;

    private static ClusterImage apply(ClusterImage image, ControllerCommand command, long index) {
        Decision decision = ControllerLogic.decide(image, command, index, 1);
        for (MetadataRecord record : decision.records()) {
            image = image.apply(record);
        }
        return image;
    }

    private static ClusterImage newCluster() {
        return apply(ClusterImage.EMPTY, new InitCluster("c"), 1);
    }

    private static UpdateFeatures update(String name, int level, byte type) {
        return new UpdateFeatures(1, new TreeMap<>(Map.of(name, new FeatureChange((short) level, type))));
    }

    @Test
    void newClusterFinalizesTheBootstrapLevelsAtItsFirstEntry() {
        assertThat(newCluster().features()).isEqualTo(new FeatureLevels(Map.of("metadata.version", (short) 30,
                "transaction.version", (short) 2, "group.version", (short) 1, "share.version", (short) 1), 1));
        assertThat(FeatureCatalog.BOOTSTRAP).isEqualTo(newCluster().features().levels());
    }

    @Test
    void logWithoutFeatureRecordsKeepsTheLevelsHeraldHadFixed() {
        ClusterImage old = ClusterImage.EMPTY.apply(new MetadataRecord.ClusterIdRecord("c"));

        assertThat(old.features()).isEqualTo(FeatureLevels.LEGACY);
        assertThat(ControllerSnapshot.read(ControllerSnapshot.write(old))).isEqualTo(old);
    }

    @Test
    void safeDowngradeFinalizesTheNewLevelAtTheEntryIndex() {
        ClusterImage image = apply(newCluster(), update("group.version", 0, SAFE_DOWNGRADE), 17);

        assertThat(image.features().level("group.version")).isZero();
        assertThat(image.features().epoch()).isEqualTo(17);
        ClusterImage upgraded = apply(image, update("group.version", 1, UPGRADE), 20);
        assertThat(upgraded.features().level("group.version")).isEqualTo((short) 1);
        assertThat(upgraded.features().epoch()).isEqualTo(20);
    }

    @Test
    void updateToTheLevelInForceWritesNothing() {
        Decision decision = ControllerLogic.decide(newCluster(), update("transaction.version", 2, UPGRADE), 5, 1);

        assertThat(decision.records()).isEmpty();
    }

    @Test
    void levelOutsideTheSupportedRangeIsRefusedAsKafkaWordsIt() {
        assertThatThrownBy(() -> apply(newCluster(), update("transaction.version", 3, UPGRADE), 5))
                .isInstanceOf(InvalidUpdateVersionException.class)
                .hasMessage("Invalid update version 3 for feature transaction.version. Local controller 1 only "
                        + "supports versions 0-2");
        assertThatThrownBy(() -> apply(newCluster(), update("metadata.version", 29, SAFE_DOWNGRADE), 5))
                .hasMessage("Invalid update version 29 for feature metadata.version. Local controller 1 only "
                        + "supports versions 30-30");
    }

    @Test
    void unknownAndUnimplementedFeaturesAreRefused() {
        assertThatThrownBy(() -> apply(newCluster(), update("foo.version", 1, UPGRADE), 5))
                .isInstanceOf(InvalidUpdateVersionException.class)
                .hasMessage("Invalid update version 1 for feature foo.version. Local controller 1 does not "
                        + "support this feature.");
        for (String unimplemented : new String[] {"kraft.version", "streams.version",
                "eligible.leader.replicas.version"}) {
            assertThatThrownBy(() -> apply(newCluster(), update(unimplemented, 1, UPGRADE), 5))
                    .hasMessageEndingWith("does not support this feature.");
        }
    }

    @Test
    void directionMustMatchTheUpgradeType() {
        assertThatThrownBy(() -> apply(newCluster(), update("transaction.version", 1, UPGRADE), 5))
                .hasMessage("Invalid update version 1 for feature transaction.version. Can't downgrade the version "
                        + "of this feature without setting the upgrade type to either safe or unsafe downgrade.");
        ClusterImage low = apply(newCluster(), update("transaction.version", 0, UNSAFE_DOWNGRADE), 5);
        assertThatThrownBy(() -> apply(low, update("transaction.version", 2, SAFE_DOWNGRADE), 6))
                .hasMessage("Invalid update version 2 for feature transaction.version. Can't downgrade to a newer "
                        + "version.");
        assertThatThrownBy(() -> apply(low, update("transaction.version", 2, (byte) 9), 6))
                .hasMessage("Invalid update version 2 for feature transaction.version. The controller does not "
                        + "support the given upgrade type.");
        assertThatThrownBy(() -> apply(low, update("transaction.version", -1, SAFE_DOWNGRADE), 6))
                .hasMessage("Invalid update version -1 for feature transaction.version. A feature version cannot "
                        + "be less than 0.");
    }

    @Test
    void oneRefusedChangeRefusesTheWholeRequest() {
        UpdateFeatures both = new UpdateFeatures(1, new TreeMap<>(Map.of(
                "group.version", new FeatureChange((short) 0, SAFE_DOWNGRADE),
                "transaction.version", new FeatureChange((short) 3, UPGRADE))));
        ControllerStateMachine machine = DeterminismTest.machine();
        machine.apply(1, 1, ControllerCommandSerde.encode(new InitCluster("c")));

        ControllerReply reply = ControllerReply.decode(machine.apply(2, 1, ControllerCommandSerde.encode(both)));

        assertThat(reply.error()).isEqualTo(org.apache.kafka.common.protocol.Errors.INVALID_UPDATE_VERSION);
        assertThat(machine.image().features()).isEqualTo(newCluster().features());
    }

    @Test
    void snapshotKeepsLevelsAndEpochEvenWithEveryFeatureDisabled() {
        ClusterImage image = newCluster();
        for (String name : new String[] {"group.version", "share.version", "transaction.version"}) {
            image = apply(image, update(name, 0, SAFE_DOWNGRADE), 40);
        }

        ClusterImage restored = ControllerSnapshot.read(ControllerSnapshot.write(image));

        assertThat(restored.features()).isEqualTo(new FeatureLevels(Map.of("metadata.version", (short) 30), 40));
        assertThat(restored).isEqualTo(image);
    }

    /** No Herald level has a dependency today (see FeatureCatalog), so the rule is checked on its own. */
    @Test
    void aLevelNeedsItsDependenciesAmongTheLevelsTheRequestLeadsTo() {
        Map<String, Short> needed = Map.of("group.version", (short) 1);

        FeatureControl.checkDependencies("x.version", (short) 2, needed, Map.of("group.version", (short) 1));
        assertThatThrownBy(() -> FeatureControl.checkDependencies("x.version", (short) 2, needed, Map.of()))
                .isInstanceOf(InvalidUpdateVersionException.class)
                .hasMessage("Invalid update version 2 for feature x.version. x.version could not be set to 2 "
                        + "because it depends on group.version level 1");
    }
}
