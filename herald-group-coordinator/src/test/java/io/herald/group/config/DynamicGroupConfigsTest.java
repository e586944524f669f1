package io.herald.group.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.config.ConfigValues;
import io.herald.group.GroupConfig;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

/**
 * Herald's additions to the group configs (KIP-1191's dead-letter topic, the retry backoff) and the parts of the
 * definitions the Kafka reference test cannot see: the broker synonyms and fallbacks of the additions, the bounds
 * under a changed broker.
 */
class DynamicGroupConfigsTest {
    private static final GroupConfig BROKER = GroupConfig.defaults();

    private static void validate(Map<String, String> configs) {
        DynamicGroupConfigs.validate(configs, BROKER);
    }

    @Test
    void aDeadLetterTopicMustStartWithTheBrokersPrefix() {
        assertThatCode(() -> validate(Map.of("errors.deadletterqueue.topic.name", "dlq.orders"))).doesNotThrowAnyException();
        assertThatCode(() -> validate(Map.of("errors.deadletterqueue.topic.name", ""))).doesNotThrowAnyException();

        assertThatThrownBy(() -> validate(Map.of("errors.deadletterqueue.topic.name", "orders")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value orders for configuration errors.deadletterqueue.topic.name: the topic name "
                        + "must start with 'dlq.' (errors.deadletterqueue.topic.name.prefix)");
        GroupConfig anyPrefix = GroupConfig.from(ConfigValues.parse(GroupConfig.CONFIG_DEF,
                Map.of("errors.deadletterqueue.topic.name.prefix", "")));
        assertThatCode(() -> DynamicGroupConfigs.validate(Map.of("errors.deadletterqueue.topic.name", "orders"),
                anyPrefix)).doesNotThrowAnyException();
    }

    @Test
    void aDeadLetterTopicMustBeALegalNonInternalTopicName() {
        GroupConfig anyPrefix = GroupConfig.from(ConfigValues.parse(GroupConfig.CONFIG_DEF,
                Map.of("errors.deadletterqueue.topic.name.prefix", "")));

        assertThatThrownBy(() -> DynamicGroupConfigs.validate(Map.of("errors.deadletterqueue.topic.name",
                "__consumer_offsets"), anyPrefix))
                .isInstanceOf(ConfigException.class).hasMessageContaining("an internal topic cannot be");
        assertThatThrownBy(() -> validate(Map.of("errors.deadletterqueue.topic.name", "dlq.a b")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Invalid value dlq.a b for configuration errors.deadletterqueue.topic.name:")
                .hasMessageContaining("characters other than ASCII alphanumerics");
    }

    @Test
    void theRetryBackoffIsNonNegativeAndGrowsByAtLeastOne() {
        assertThatCode(() -> validate(Map.of("herald.share.retry.backoff.ms", "500",
                "herald.share.retry.backoff.max.ms", "10000", "herald.share.retry.backoff.multiplier", "1.0")))
                .doesNotThrowAnyException();

        assertThatThrownBy(() -> validate(Map.of("herald.share.retry.backoff.ms", "-1")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value -1 for configuration herald.share.retry.backoff.ms: Value must be at least 0");
        assertThatThrownBy(() -> validate(Map.of("herald.share.retry.backoff.multiplier", "0.5")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value 0.5 for configuration herald.share.retry.backoff.multiplier: Value must be "
                        + "at least 1.0");
        assertThatThrownBy(() -> validate(Map.of("errors.deadletterqueue.copy.record.enable", "yes")))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void unknownNamesAreRefusedLikeKafkas() {
        assertThatThrownBy(() -> validate(Map.of("share.assignor.offload.enable", "true")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("Unknown group config name: share.assignor.offload.enable");
        assertThat(DynamicGroupConfigs.key("herald.delivery.delay.enable")).isEmpty();
    }

    @Test
    void theRetryBackoffFallsBackToTheBrokerConfigOfTheSameName() {
        GroupConfig broker = GroupConfig.from(ConfigValues.parse(GroupConfig.CONFIG_DEF,
                Map.of("herald.share.retry.backoff.ms", "250", "herald.share.retry.backoff.multiplier", "3")));

        assertThat(DynamicGroupConfigs.key("herald.share.retry.backoff.ms").orElseThrow().brokerSynonym())
                .contains("herald.share.retry.backoff.ms");
        assertThat(DynamicGroupConfigs.fallback("herald.share.retry.backoff.ms", broker)).isEqualTo(250L);
        assertThat(DynamicGroupConfigs.fallback("herald.share.retry.backoff.multiplier", broker)).isEqualTo(3.0);
        assertThat(DynamicGroupConfigs.fallback("herald.share.retry.backoff.max.ms", broker)).isEqualTo(60_000L);
        assertThat(DynamicGroupConfigs.key("errors.deadletterqueue.topic.name").orElseThrow())
                .isEqualTo(new DynamicGroupConfigs.Key("errors.deadletterqueue.topic.name",
                        org.apache.kafka.common.config.ConfigDef.Type.STRING, null, Optional.empty()));
        assertThat(DynamicGroupConfigs.fallback("errors.deadletterqueue.topic.name", broker)).isNull();
    }

    @Test
    void aBoundFollowsTheBrokersConfig() {
        GroupConfig narrow = GroupConfig.from(ConfigValues.parse(GroupConfig.CONFIG_DEF, Map.of(
                "group.share.min.record.lock.duration.ms", "20000", "group.share.max.record.lock.duration.ms",
                "40000")));

        assertThatThrownBy(() -> DynamicGroupConfigs.validate(Map.of("share.record.lock.duration.ms", "45000"),
                narrow)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("share.record.lock.duration.ms must be less than or equal to "
                        + "group.share.max.record.lock.duration.ms");
        assertThatCode(() -> validate(Map.of("share.record.lock.duration.ms", "45000"))).doesNotThrowAnyException();
    }

    @Test
    void theWholeConfigIsCheckedNotOnlyTheChange() {
        // A stored value the broker's bounds no longer allow blocks every change to the group until it is fixed,
        // as in Kafka, whose controller validates the group's whole config.
        assertThatThrownBy(() -> validate(Map.of("share.auto.offset.reset", "earliest",
                "share.session.timeout.ms", "61000")))
                .hasMessage("share.session.timeout.ms must be less than or equal to group.share.max.session.timeout.ms");
    }
}
