package io.herald.group.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.config.ConfigValues;
import io.herald.group.GroupConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Test;

class EffectiveGroupConfigsTest {
    private static final GroupConfig DEFAULTS = GroupConfig.defaults();

    private static GroupConfig broker(Map<String, String> props) {
        return GroupConfig.from(ConfigValues.parse(GroupConfig.CONFIG_DEF, props));
    }

    @Test
    void aGroupWithoutConfigsGetsKafkasDefaults() {
        assertThat(EffectiveGroupConfigs.share("g", Map.of(), DEFAULTS)).isEqualTo(ShareGroupSettings.defaults());
        assertThat(EffectiveGroupConfigs.consumer("g", Map.of(), DEFAULTS))
                .isEqualTo(new ConsumerGroupSettings(45_000, 5_000));
    }

    @Test
    void aGroupWithoutConfigsGetsTheBrokersDefaults() {
        GroupConfig broker = broker(Map.of("group.share.record.lock.duration.ms", "20000",
                "group.share.delivery.count.limit", "3", "group.share.max.size", "50",
                "herald.share.retry.backoff.ms", "100", "group.consumer.session.timeout.ms", "50000"));

        ShareGroupSettings share = EffectiveGroupConfigs.share("g", Map.of(), broker);
        assertThat(share.recordLockDurationMs()).isEqualTo(20_000);
        assertThat(share.deliveryCountLimit()).isEqualTo(3);
        assertThat(share.maxSize()).isEqualTo(50);
        assertThat(share.retryBackoffMs()).isEqualTo(100);
        assertThat(EffectiveGroupConfigs.consumer("g", Map.of(), broker).sessionTimeoutMs()).isEqualTo(50_000);
    }

    @Test
    void aGroupsOwnConfigsWinOverTheBrokers() {
        Map<String, String> configs = Map.ofEntries(
                Map.entry("share.session.timeout.ms", "50000"), Map.entry("share.heartbeat.interval.ms", "10000"),
                Map.entry("share.record.lock.duration.ms", "15000"), Map.entry("share.delivery.count.limit", "2"),
                Map.entry("share.partition.max.record.locks", "100"),
                Map.entry("share.auto.offset.reset", "by_duration:PT1H"),
                Map.entry("share.isolation.level", "read_committed"),
                Map.entry("share.renew.acknowledge.enable", "false"),
                Map.entry("errors.deadletterqueue.topic.name", "dlq.orders"),
                Map.entry("errors.deadletterqueue.copy.record.enable", "true"),
                Map.entry("herald.share.retry.backoff.ms", "1000"),
                Map.entry("herald.share.retry.backoff.max.ms", "8000"),
                Map.entry("herald.share.retry.backoff.multiplier", "1.5"),
                Map.entry("consumer.session.timeout.ms", "60000"),
                Map.entry("consumer.heartbeat.interval.ms", "15000"));

        assertThat(EffectiveGroupConfigs.share("g", configs, DEFAULTS)).isEqualTo(new ShareGroupSettings(50_000,
                10_000, 200, 15_000, 2, 100, new ShareAutoOffsetReset.ByDuration(Duration.ofHours(1)),
                IsolationLevel.READ_COMMITTED, false, Optional.of("dlq.orders"), true, 1000, 8000, 1.5));
        assertThat(EffectiveGroupConfigs.consumer("g", configs, DEFAULTS))
                .isEqualTo(new ConsumerGroupSettings(60_000, 15_000));
    }

    @Test
    void aValueOutsideBoundsTheBrokerNarrowedSinceIsCappedToThem() {
        GroupConfig narrowed = broker(Map.of("group.share.max.record.lock.duration.ms", "40000",
                "group.share.min.delivery.count.limit", "4", "group.consumer.max.session.timeout.ms", "50000"));

        ShareGroupSettings share = EffectiveGroupConfigs.share("g", Map.of("share.record.lock.duration.ms", "60000",
                "share.delivery.count.limit", "2"), narrowed);
        assertThat(share.recordLockDurationMs()).isEqualTo(40_000);
        assertThat(share.deliveryCountLimit()).isEqualTo(4);
        assertThat(EffectiveGroupConfigs.consumer("g", Map.of("consumer.session.timeout.ms", "60000"), narrowed)
                .sessionTimeoutMs()).isEqualTo(50_000);
    }

    @Test
    void aStoredValueThatCannotBeServedFallsBackToTheBrokerDefault() {
        ShareGroupSettings share = EffectiveGroupConfigs.share("g", Map.of("share.delivery.count.limit", "many",
                "share.auto.offset.reset", "sometimes", "unknown.config", "1"), DEFAULTS);

        assertThat(share).isEqualTo(ShareGroupSettings.defaults());
    }

    @Test
    void aDeadLetterTopicOutsideTheCurrentPrefixIsNotUsed() {
        GroupConfig renamed = broker(Map.of("errors.deadletterqueue.topic.name.prefix", "dead."));

        assertThat(EffectiveGroupConfigs.share("g", Map.of("errors.deadletterqueue.topic.name", "dlq.orders"),
                renamed).deadLetterTopic()).isEmpty();
        assertThat(EffectiveGroupConfigs.share("g", Map.of("errors.deadletterqueue.topic.name", "dead.orders"),
                renamed).deadLetterTopic()).contains("dead.orders");
        assertThat(EffectiveGroupConfigs.share("g", Map.of("errors.deadletterqueue.topic.name", ""),
                DEFAULTS).deadLetterTopic()).isEmpty();
    }
}
