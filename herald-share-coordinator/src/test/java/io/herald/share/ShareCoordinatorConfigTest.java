package io.herald.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.config.ConfigValues;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** Kafka's names, defaults and ranges, checked against Kafka 4.3.1's own definition. */
class ShareCoordinatorConfigTest {

    @Test
    void defaultsAreKafkas() {
        ShareCoordinatorConfig c = ShareCoordinatorConfig.defaults();
        assertThat(c.stateTopicPartitions()).isEqualTo(50);
        assertThat(c.stateTopicReplicationFactor()).isEqualTo((short) 3);
        assertThat(c.stateTopicMinIsr()).isEqualTo((short) 2);
        assertThat(c.stateTopicSegmentBytes()).isEqualTo(104857600);
        assertThat(c.snapshotUpdateRecordsPerSnapshot()).isEqualTo(500);
        assertThat(c.writeTimeoutMs()).isEqualTo(5000);
    }

    @Test
    void everyDefinedConfigHasKafkasNameTypeAndDefault() {
        var kafka = org.apache.kafka.coordinator.share.ShareCoordinatorConfig.CONFIG_DEF.configKeys();
        ShareCoordinatorConfig.CONFIG_DEF.configKeys().forEach((name, key) -> {
            assertThat(kafka).as(name).containsKey(name);
            assertThat(key.type).as(name).isEqualTo(kafka.get(name).type);
            assertThat(key.defaultValue).as(name).isEqualTo(kafka.get(name).defaultValue);
        });
    }

    @Test
    void refusesValuesOutOfKafkasRanges() {
        assertThatThrownBy(() -> ConfigValues.parse(ShareCoordinatorConfig.CONFIG_DEF,
                Map.of("share.coordinator.state.topic.num.partitions", "0"))).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> ConfigValues.parse(ShareCoordinatorConfig.CONFIG_DEF,
                Map.of("share.coordinator.snapshot.update.records.per.snapshot", "501")))
                .isInstanceOf(ConfigException.class);
        assertThat(ShareCoordinatorConfig.from(ConfigValues.parse(ShareCoordinatorConfig.CONFIG_DEF,
                Map.of("share.coordinator.snapshot.update.records.per.snapshot", "0",
                        "share.coordinator.write.timeout.ms", "1234"))))
                .extracting(ShareCoordinatorConfig::snapshotUpdateRecordsPerSnapshot,
                        ShareCoordinatorConfig::writeTimeoutMs).containsExactly(0, 1234);
        assertThatThrownBy(() -> ShareCoordinatorConfig.defaults().withStateTopicPartitions(0))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void theTopicIsCreatedWithKafkasConfigs() {
        assertThat(ShareStateTopic.topicConfigs(ShareCoordinatorConfig.defaults())).containsAllEntriesOf(Map.of(
                "cleanup.policy", "delete", "retention.ms", "-1", "min.insync.replicas", "2",
                "segment.bytes", "104857600"));
    }
}
