package io.herald.storage.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class TopicConfigsTest {

    @Test
    void resolvesTopicOverThenDynamicBrokerThenStaticBrokerThenDefault() {
        Map<String, String> staticBroker = Map.of("log.retention.hours", "2", "log.segment.bytes", "4194304");
        Map<String, String> dynamic = Map.of("log.segment.bytes", "8388608");
        assertThat(TopicConfigs.resolve("retention.ms", Map.of("retention.ms", "5"), dynamic, staticBroker))
            .isEqualTo(new TopicConfigs.Resolved("5", TopicConfigs.Source.TOPIC, Optional.empty()));
        assertThat(TopicConfigs.resolve("retention.ms", Map.of(), dynamic, staticBroker))
            .isEqualTo(new TopicConfigs.Resolved("7200000", TopicConfigs.Source.STATIC_BROKER,
                Optional.of("log.retention.hours")));
        assertThat(TopicConfigs.resolve("segment.bytes", Map.of(), dynamic, staticBroker))
            .isEqualTo(new TopicConfigs.Resolved("8388608", TopicConfigs.Source.DYNAMIC_BROKER_DEFAULT,
                Optional.of("log.segment.bytes")));
        assertThat(TopicConfigs.resolve("max.message.bytes", Map.of(), dynamic, staticBroker))
            .isEqualTo(new TopicConfigs.Resolved("1048588", TopicConfigs.Source.DEFAULT, Optional.empty()));
    }

    @Test
    void theMostSpecificSynonymWinsAndUnitsAreConverted() {
        Map<String, String> broker = Map.of("log.retention.hours", "2", "log.retention.ms", "1000",
            "log.roll.jitter.hours", "1", "log.flush.scheduler.interval.ms", "30000");
        assertThat(TopicConfigs.resolve("retention.ms", Map.of(), Map.of(), broker).value()).isEqualTo("1000");
        assertThat(TopicConfigs.resolve("segment.jitter.ms", Map.of(), Map.of(), broker).value()).isEqualTo("3600000");
        assertThat(TopicConfigs.resolve("flush.ms", Map.of(), Map.of(), broker).value())
            .as("log.flush.interval.ms falls back to the scheduler interval, as in Kafka").isEqualTo("30000");
    }

    @Test
    void buildsTheTypedStorageConfig() {
        LogConfig config = TopicConfigs.toLogConfig(Map.of("cleanup.policy", "compact,delete",
            "message.timestamp.type", "LogAppendTime", "compression.type", "zstd", "compression.zstd.level", "7",
            "max.compaction.lag.ms", "5000", "segment.ms", "9000"), Map.of(), Map.of());
        assertThat(config.compact()).isTrue();
        assertThat(config.delete()).isTrue();
        assertThat(config.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(config.compression()).contains(Compression.zstd().level(7).build());
        assertThat(config.segmentBytes()).isEqualTo(1073741824);
        assertThat(config.rollMs()).as("a compacted topic rolls by max.compaction.lag.ms").isEqualTo(5000);
        assertThat(LogConfig.defaults().compression()).as("producer").isEmpty();
        assertThat(LogConfig.defaults().timestampAfterMaxMs()).isEqualTo(3_600_000L);
        assertThat(LogConfig.from(Map.of("internal.segment.bytes", 1000)).segmentBytes()).isEqualTo(1000);
    }

    @Test
    void refusesUnknownNamesBadValuesAndBrokenRulesNamingTheConfig() {
        assertThatThrownBy(() -> TopicConfigs.validate("no.such.config", "1"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("no.such.config");
        assertThatThrownBy(() -> TopicConfigs.validate("retention.ms", "soon"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("retention.ms");
        assertThatThrownBy(() -> TopicConfigs.validate("segment.bytes", "4096"))
            .isInstanceOf(ConfigException.class).hasMessage(
                "Invalid value 4096 for configuration segment.bytes: Value must be at least 1048576");
        assertThatThrownBy(() -> TopicConfigs.validate("cleanup.policy", "forever"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("cleanup.policy");
        assertThatThrownBy(() -> TopicConfigs.validate("remote.storage.enable", "true"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("remote.storage.enable");
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("min.compaction.lag.ms", "10",
            "max.compaction.lag.ms", "5"), Map.of(), Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("min.compaction.lag.ms")
            .hasMessageContaining("max.compaction.lag.ms");
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("min.compaction.lag.ms", "10"), Map.of(),
            Map.of("log.cleaner.max.compaction.lag.ms", "5")))
            .as("rules apply to the values the topic runs with").isInstanceOf(ConfigException.class);
        TopicConfigs.validate("segment.index.bytes", "8");
        TopicConfigs.validate("cleanup.policy", "");
    }

    @Test
    void brokerSynonymsAreCheckedAsTopicValues() {
        assertThatThrownBy(() -> TopicConfigs.validateBrokerSynonym("log.roll.hours", "0"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("log.roll.hours");
        assertThatThrownBy(() -> TopicConfigs.validateBrokerSynonym("log.segment.bytes", "ten"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("log.segment.bytes");
        TopicConfigs.validateBrokerSynonym("log.retention.minutes", "5");
        TopicConfigs.validateBrokerSynonym("num.io.threads", "whatever");
    }

    @Test
    void storedValuesThatCannotBeServedFallBackToTheirDefaults() {
        LogConfig config = TopicConfigs.logConfigOrDefaults("old-topic", Map.of("segment.bytes", "4096",
            "retention.ms", "60000", "remote.storage.enable", "true", "bogus.config", "1"), Map.of(), Map.of());
        assertThat(config.segmentBytes()).isEqualTo(1073741824);
        assertThat(config.retentionMs()).as("the valid override stays").isEqualTo(60_000L);
        LogConfig broken = TopicConfigs.logConfigOrDefaults("old-topic", Map.of("min.compaction.lag.ms", "10",
            "max.compaction.lag.ms", "5"), Map.of(), Map.of());
        assertThat(broken.minCompactionLagMs()).isZero();
        assertThat(broken.maxCompactionLagMs()).isEqualTo(5);
    }

    @Test
    void theConfigDefFragmentHasEveryConfigWithKafkasDefaults() {
        ConfigDef def = TopicConfigs.configDef();
        assertThat(def.names()).containsAll(TopicConfigs.keys().keySet()).contains("internal.segment.bytes");
        assertThat(TopicConfigs.keys()).doesNotContainKey("internal.segment.bytes").hasSize(36)
            .as("Kafka 4.3.1's 33, KIP-1191's and Herald's").containsKey("errors.deadletterqueue.group.enable")
            .containsKey("herald.delivery.delay.enable");
        Map<String, Object> parsed = def.parse(Map.of());
        assertThat(parsed.get("segment.jitter.ms")).isEqualTo(0L);
        assertThat(parsed.get("min.cleanable.dirty.ratio")).isEqualTo(0.5);
        assertThat(parsed.get("message.timestamp.before.max.ms")).isEqualTo(Long.MAX_VALUE);
    }
}
