package io.herald.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.broker.BrokerConfig;
import io.herald.storage.log.LogConfig;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class TopicConfigsTest {

    @Test
    void resolvesTopicOverThenDynamicBrokerThenStaticBrokerThenDefault() {
        Map<String, String> staticBroker = Map.of("log.retention.hours", "2", "log.segment.bytes", "4096");
        Map<String, String> dynamic = Map.of("log.segment.bytes", "8192");
        assertThat(TopicConfigs.resolve("retention.ms", Map.of("retention.ms", "5"), dynamic, staticBroker))
                .isEqualTo(new TopicConfigs.Resolved("5", TopicConfigs.Source.TOPIC, java.util.Optional.empty()));
        assertThat(TopicConfigs.resolve("retention.ms", Map.of(), dynamic, staticBroker).value())
                .isEqualTo("7200000");
        assertThat(TopicConfigs.resolve("segment.bytes", Map.of(), dynamic, staticBroker).source())
                .isEqualTo(TopicConfigs.Source.DYNAMIC_BROKER_DEFAULT);
        assertThat(TopicConfigs.resolve("max.message.bytes", Map.of(), dynamic, staticBroker))
                .extracting(TopicConfigs.Resolved::value, TopicConfigs.Resolved::source)
                .containsExactly("1048588", TopicConfigs.Source.DEFAULT);
    }

    @Test
    void logRetentionMsWinsOverHoursAsInKafka() {
        Map<String, String> broker = Map.of("log.retention.hours", "2", "log.retention.ms", "1000");
        assertThat(TopicConfigs.resolve("retention.ms", Map.of(), Map.of(), broker).value()).isEqualTo("1000");
    }

    @Test
    void buildsTheStorageConfig() {
        LogConfig config = TopicConfigs.toLogConfig(Map.of("cleanup.policy", "compact,delete",
                "message.timestamp.type", "LogAppendTime"), Map.of(), Map.of());
        assertThat(config.compact()).isTrue();
        assertThat(config.delete()).isTrue();
        assertThat(config.logAppendTime()).isTrue();
        assertThat(config.segmentBytes()).isEqualTo(1073741824);
        assertThat(config.retentionMs()).isEqualTo(604800000L);
    }

    @Test
    void rejectsUnknownNamesAndBadValuesWithTheConfigName() {
        assertThatThrownBy(() -> TopicConfigs.validate("no.such.config", "1"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("no.such.config");
        assertThatThrownBy(() -> TopicConfigs.validate("retention.ms", "soon"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("retention.ms");
        assertThatThrownBy(() -> TopicConfigs.validate("cleanup.policy", "forever"))
                .isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> TopicConfigs.validate("compression.type", "gzip"))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void brokerConfigValidatesTopicDefaultsAndListeners() {
        assertThatThrownBy(() -> BrokerConfig.from(Map.of("log.segment.bytes", "ten")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("log.segment.bytes");
        assertThatThrownBy(() -> BrokerConfig.from(Map.of("listeners", "SSL://127.0.0.1:9093")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PLAINTEXT");
        BrokerConfig config = BrokerConfig.from(Map.of("listeners", "PLAINTEXT://127.0.0.1:0",
                "log.dirs", "/a,/b"));
        assertThat(config.listener().port()).isZero();
        assertThat(config.logDirs()).hasSize(2);
        assertThat(config.advertisedListener()).isEqualTo(config.listener());
    }
}
