package io.herald.transaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.config.ConfigFragments;
import io.herald.common.config.ConfigValues;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** Kafka's names and defaults, and the two configs read from other subsystems' fragments when the node has them. */
class TransactionConfigTest {

    @Test
    void defaultsAreKafkas() {
        TransactionConfig c = TransactionConfig.defaults();
        assertThat(c.stateLogPartitions()).isEqualTo(50);
        assertThat(c.stateLogReplicationFactor()).isEqualTo((short) 3);
        assertThat(c.stateLogMinIsr()).isEqualTo(2);
        assertThat(c.stateLogSegmentBytes()).isEqualTo(104857600);
        assertThat(c.maxTimeoutMs()).isEqualTo(900000);
        assertThat(c.transactionalIdExpirationMs()).isEqualTo(604800000);
        assertThat(c.abortTimedOutIntervalMs()).isEqualTo(10000);
        assertThat(c.removeExpiredIntervalMs()).isEqualTo(3600000);
        assertThat(c.commitTimeoutMs()).as("request.timeout.ms").isEqualTo(30000);
        assertThat(c.offsetsTopicPartitions()).isEqualTo(50);
    }

    @Test
    void readsTheRequestTimeoutAndOffsetsPartitionsWhenTheNodeDefinesThem() {
        ConfigDef node = new ConfigDef()
                .define("request.timeout.ms", ConfigDef.Type.INT, 30000, ConfigDef.Importance.HIGH, "")
                .define("offsets.topic.num.partitions", ConfigDef.Type.INT, 50, ConfigDef.Importance.HIGH, "");
        ConfigDef all = ConfigFragments.compose(List.of(node, TransactionConfig.CONFIG_DEF));
        TransactionConfig c = TransactionConfig.from(ConfigValues.parse(all, Map.of("request.timeout.ms", "1234",
                "offsets.topic.num.partitions", "7", "transaction.max.timeout.ms", "60000")));
        assertThat(c.commitTimeoutMs()).isEqualTo(1234);
        assertThat(c.offsetsTopicPartitions()).isEqualTo(7);
        assertThat(c.maxTimeoutMs()).isEqualTo(60000);
    }

    @Test
    void refusesValuesOutOfRange() {
        assertThatThrownBy(() -> ConfigValues.parse(TransactionConfig.CONFIG_DEF,
                Map.of("transaction.state.log.num.partitions", "0"))).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> TransactionConfig.defaults().withOffsetsTopicPartitions(0))
                .isInstanceOf(ConfigException.class);
    }
}
