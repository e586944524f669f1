package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.FeatureMetadata;
import org.apache.kafka.clients.admin.FeatureUpdate.UpgradeType;
import org.apache.kafka.clients.admin.FeatureUpdate;
import org.apache.kafka.clients.admin.UpdateFeaturesOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidUpdateVersionException;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.message.UpdateFeaturesRequestData;
import org.apache.kafka.common.message.UpdateFeaturesResponseData.UpdatableFeatureResult;
import org.apache.kafka.common.message.UpdateFeaturesResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatRequest;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatResponse;
import org.apache.kafka.common.requests.ShareGroupHeartbeatRequest;
import org.apache.kafka.common.requests.ShareGroupHeartbeatResponse;
import org.apache.kafka.common.requests.UpdateFeaturesRequest;
import org.apache.kafka.common.requests.UpdateFeaturesResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kafka-clients' Admin describeFeatures and updateFeatures against a broker: the levels a new cluster
 * finalizes, changes with Kafka's rules and messages, and their durability across a restart.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FeaturesTest {
    private static final int T = 20;

    @TempDir
    Path dir;

    private static FeatureMetadata describe(Admin admin) throws Exception {
        return admin.describeFeatures().featureMetadata().get(T, TimeUnit.SECONDS);
    }

    private static Map<String, Short> finalized(FeatureMetadata features) {
        Map<String, Short> levels = new TreeMap<>();
        features.finalizedFeatures().forEach((name, range) -> levels.put(name, range.maxVersionLevel()));
        return levels;
    }

    private static void update(Admin admin, String feature, int level, UpgradeType type, boolean validateOnly)
            throws Exception {
        admin.updateFeatures(Map.of(feature, new FeatureUpdate((short) level, type)),
                new UpdateFeaturesOptions().validateOnly(validateOnly)).all().get(T, TimeUnit.SECONDS);
    }

    @Test
    void newClusterDescribesKafka43LevelsForWhatHeraldImplements() throws Exception {
        try (TestBroker broker = TestBroker.start(dir)) {
            FeatureMetadata features = describe(broker.admin());

            assertThat(finalized(features)).isEqualTo(Map.of("metadata.version", (short) 30,
                    "transaction.version", (short) 2, "group.version", (short) 1, "share.version", (short) 1));
            assertThat(features.supportedFeatures()).containsOnlyKeys("metadata.version", "kraft.version",
                    "transaction.version", "group.version", "share.version", "streams.version",
                    "eligible.leader.replicas.version");
            assertThat(features.supportedFeatures().get("metadata.version").minVersion()).isEqualTo((short) 30);
            assertThat(features.supportedFeatures().get("kraft.version").maxVersion()).isZero();
            assertThat(features.supportedFeatures().get("streams.version").maxVersion()).isZero();
            assertThat(features.finalizedFeaturesEpoch()).hasValueSatisfying(e -> assertThat(e).isPositive());
        }
    }

    @Test
    void downgradeAndUpgradeChangeTheLevelsAndRaiseTheEpochDurably() throws Exception {
        try (TestBroker broker = TestBroker.start(dir)) {
            Admin admin = broker.admin();
            long bootstrapEpoch = describe(admin).finalizedFeaturesEpoch().orElseThrow();

            update(admin, "group.version", 0, UpgradeType.SAFE_DOWNGRADE, true);
            assertThat(finalized(describe(admin))).containsEntry("group.version", (short) 1);

            update(admin, "group.version", 0, UpgradeType.SAFE_DOWNGRADE, false);
            update(admin, "transaction.version", 1, UpgradeType.UNSAFE_DOWNGRADE, false);
            FeatureMetadata changed = describe(admin);
            assertThat(finalized(changed)).doesNotContainKey("group.version")
                    .containsEntry("transaction.version", (short) 1);
            long changedEpoch = changed.finalizedFeaturesEpoch().orElseThrow();
            assertThat(changedEpoch).isGreaterThan(bootstrapEpoch);

            broker.restart();
            admin = broker.admin();
            FeatureMetadata restarted = describe(admin);
            assertThat(finalized(restarted)).isEqualTo(finalized(changed));
            assertThat(restarted.finalizedFeaturesEpoch()).hasValue(changedEpoch);

            update(admin, "group.version", 1, UpgradeType.UPGRADE, false);
            update(admin, "transaction.version", 2, UpgradeType.UPGRADE, false);
            FeatureMetadata back = describe(admin);
            assertThat(finalized(back)).containsEntry("group.version", (short) 1)
                    .containsEntry("transaction.version", (short) 2);
            assertThat(back.finalizedFeaturesEpoch().orElseThrow()).isGreaterThan(changedEpoch);
        }
    }

    @Test
    void refusalsCarryKafkasErrorAndMessage() throws Exception {
        try (TestBroker broker = TestBroker.start(dir)) {
            Admin admin = broker.admin();
            int node = broker.broker().config().node().nodeId();

            assertThatThrownBy(() -> update(admin, "transaction.version", 3, UpgradeType.UPGRADE, false))
                    .isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(InvalidUpdateVersionException.class)
                    .hasMessage("The update failed for all features since the following feature had an error: "
                            + "Invalid update version 3 for feature transaction.version. Local controller " + node
                            + " only supports versions 0-2");
            assertThatThrownBy(() -> update(admin, "foo.version", 1, UpgradeType.UPGRADE, true))
                    .cause().isInstanceOf(InvalidUpdateVersionException.class)
                    .hasMessageEndingWith("Invalid update version 1 for feature foo.version. Local controller "
                            + node + " does not support this feature.");
            assertThatThrownBy(() -> update(admin, "streams.version", 1, UpgradeType.UPGRADE, false))
                    .cause().hasMessageEndingWith("does not support this feature.");
            assertThatThrownBy(() -> update(admin, "transaction.version", 1, UpgradeType.UPGRADE, false))
                    .cause().hasMessageEndingWith("Can't downgrade the version of this feature without setting "
                            + "the upgrade type to either safe or unsafe downgrade.");
            assertThatThrownBy(() -> update(admin, "metadata.version", 29, UpgradeType.SAFE_DOWNGRADE, false))
                    .cause().hasMessageEndingWith("Invalid update version 29 for feature metadata.version. Local "
                            + "controller " + node + " only supports versions 30-30");
            assertThat(finalized(describe(admin))).containsEntry("transaction.version", (short) 2);
        }
    }

    /**
     * As Kafka's KafkaApis: with share.version at 0 the share-group APIs answer UNSUPPORTED_VERSION, with
     * group.version at 0 the KIP-848 consumer group APIs; an upgrade brings them back at the next request.
     */
    @Test
    void disablingAFeatureSwitchesOffItsApis() throws Exception {
        try (TestBroker broker = TestBroker.start(dir); TestBroker.RawConnection c = broker.raw()) {
            Admin admin = broker.admin();
            ShareGroupHeartbeatRequest share = new ShareGroupHeartbeatRequest.Builder(
                    new ShareGroupHeartbeatRequestData().setGroupId("g").setMemberId(Uuid.randomUuid().toString())
                            .setMemberEpoch(0).setSubscribedTopicNames(List.of("t"))).build((short) 1);
            ConsumerGroupHeartbeatRequest consumer = new ConsumerGroupHeartbeatRequest.Builder(
                    new ConsumerGroupHeartbeatRequestData().setGroupId("g2").setMemberId(Uuid.randomUuid().toString())
                            .setMemberEpoch(0).setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("t"))
                            .setTopicPartitions(List.of())).build((short) 1);
            // Served (no FindCoordinator was asked, so the coordinator may not be placed yet: NOT_COORDINATOR).
            assertThat(Errors.forCode(((ShareGroupHeartbeatResponse) c.roundTrip(share)).data().errorCode()))
                    .isNotEqualTo(Errors.UNSUPPORTED_VERSION);

            update(admin, "share.version", 0, UpgradeType.SAFE_DOWNGRADE, false);
            update(admin, "group.version", 0, UpgradeType.SAFE_DOWNGRADE, false);
            ShareGroupHeartbeatResponseData refused = ((ShareGroupHeartbeatResponse) c.roundTrip(share)).data();
            assertThat(Errors.forCode(refused.errorCode())).isEqualTo(Errors.UNSUPPORTED_VERSION);
            assertThat(refused.errorMessage()).as("the request's own error response, which has no message").isNull();
            assertThat(Errors.forCode(((ConsumerGroupHeartbeatResponse) c.roundTrip(consumer)).data().errorCode()))
                    .isEqualTo(Errors.UNSUPPORTED_VERSION);

            update(admin, "share.version", 1, UpgradeType.UPGRADE, false);
            update(admin, "group.version", 1, UpgradeType.UPGRADE, false);
            assertThat(Errors.forCode(((ShareGroupHeartbeatResponse) c.roundTrip(share)).data().errorCode()))
                    .isNotEqualTo(Errors.UNSUPPORTED_VERSION);
            assertThat(Errors.forCode(((ConsumerGroupHeartbeatResponse) c.roundTrip(consumer)).data().errorCode()))
                    .isNotEqualTo(Errors.UNSUPPORTED_VERSION);
        }
    }

    private static UpdateFeaturesRequestData request(String feature, int level, boolean allowDowngrade,
                                                     byte upgradeType) {
        UpdateFeaturesRequestData data = new UpdateFeaturesRequestData().setValidateOnly(false);
        data.featureUpdates().add(new UpdateFeaturesRequestData.FeatureUpdateKey().setFeature(feature)
                .setMaxVersionLevel((short) level).setAllowDowngrade(allowDowngrade).setUpgradeType(upgradeType));
        return data;
    }

    /**
     * The response shapes of Kafka 4.3's controller: up to v1 a success lists each feature, v2 answers top-level
     * only, a refusal is top-level only; v0 asks for a downgrade with AllowDowngrade.
     */
    @Test
    void everyVersionAnswersInKafkasShape() throws Exception {
        try (TestBroker broker = TestBroker.start(dir); TestBroker.RawConnection c = broker.raw()) {
            UpdateFeaturesResponseData v0 = c.<UpdateFeaturesResponse>roundTrip(new UpdateFeaturesRequest.Builder(
                    request("group.version", 0, true, (byte) 1)).build((short) 0)).data();
            assertThat(Errors.forCode(v0.errorCode())).isEqualTo(Errors.NONE);
            assertThat(v0.results()).extracting(r -> r.feature() + "=" + Errors.forCode(r.errorCode()))
                    .containsExactly("group.version=NONE");

            UpdateFeaturesResponseData v1 = c.<UpdateFeaturesResponse>roundTrip(new UpdateFeaturesRequest.Builder(
                    request("group.version", 1, false, (byte) 1)).build((short) 1)).data();
            assertThat(v1.results()).extracting(UpdatableFeatureResult::feature).containsExactly("group.version");

            UpdateFeaturesResponseData v2 = c.<UpdateFeaturesResponse>roundTrip(new UpdateFeaturesRequest.Builder(
                    request("share.version", 0, false, (byte) 2)).build((short) 2)).data();
            assertThat(Errors.forCode(v2.errorCode())).isEqualTo(Errors.NONE);
            assertThat(v2.errorMessage()).isNull();
            assertThat(v2.results()).isEmpty();

            UpdateFeaturesResponseData refused = c.<UpdateFeaturesResponse>roundTrip(
                    new UpdateFeaturesRequest.Builder(request("share.version", 2, false, (byte) 1))
                            .build((short) 1)).data();
            assertThat(Errors.forCode(refused.errorCode())).isEqualTo(Errors.INVALID_UPDATE_VERSION);
            assertThat(refused.errorMessage()).startsWith("The update failed for all features since the following "
                    + "feature had an error: Invalid update version 2 for feature share.version.");
            assertThat(refused.results()).isEmpty();

            assertThat(finalized(describe(broker.admin()))).containsEntry("group.version", (short) 1)
                    .doesNotContainKey("share.version");
        }
    }
}
