package io.herald.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.config.ConfigValues;
import io.herald.group.GroupConfig;
import io.herald.group.config.ConsumerGroupSettings;
import io.herald.group.config.ShareAutoOffsetReset;
import io.herald.group.config.ShareGroupSettings;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.record.MetadataRecord.BrokerRecord;
import io.herald.metadata.record.MetadataRecord.ConfigRecord;
import io.herald.metadata.record.MetadataRecord.ResourceKind;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ImageGroupConfigsTest {
    private final AtomicReference<ClusterImage> image = new AtomicReference<>(ClusterImage.EMPTY);
    private final ImageGroupConfigs view = new ImageGroupConfigs(image::get, GroupConfig.defaults());

    private void apply(String group, String name, String value) {
        image.set(image.get().apply(new ConfigRecord(ResourceKind.GROUP, group, name, Optional.ofNullable(value))));
    }

    @Test
    void aGroupWithoutConfigsGetsTheBrokerDefaults() {
        GroupConfig broker = GroupConfig.from(ConfigValues.parse(GroupConfig.CONFIG_DEF,
                Map.of("group.share.delivery.count.limit", "3", "group.consumer.heartbeat.interval.ms", "6000")));
        ImageGroupConfigs configured = new ImageGroupConfigs(image::get, broker);

        assertThat(view.share("g")).isEqualTo(ShareGroupSettings.defaults());
        assertThat(configured.share("g").deliveryCountLimit()).isEqualTo(3);
        assertThat(configured.consumer("g")).isEqualTo(new ConsumerGroupSettings(45_000, 6_000));
    }

    @Test
    void aChangeAppliesOnTheNextCall() {
        apply("g", "share.auto.offset.reset", "earliest");
        apply("g", "consumer.session.timeout.ms", "50000");

        assertThat(view.share("g").autoOffsetReset()).isEqualTo(new ShareAutoOffsetReset.Earliest());
        assertThat(view.share("other")).isEqualTo(ShareGroupSettings.defaults());
        assertThat(view.consumer("g").sessionTimeoutMs()).isEqualTo(50_000);

        apply("g", "share.auto.offset.reset", null);
        assertThat(view.share("g").autoOffsetReset()).isEqualTo(new ShareAutoOffsetReset.Latest());
        assertThat(view.consumer("g").sessionTimeoutMs()).isEqualTo(50_000);
    }

    @Test
    void settingsAreComputedOncePerVersionOfTheGroupConfigs() {
        apply("g", "share.delivery.count.limit", "4");
        ShareGroupSettings first = view.share("g");

        image.set(image.get().apply(new BrokerRecord(1, "localhost", 9092, Optional.empty())));
        assertThat(view.share("g")).isSameAs(first);

        apply("h", "share.delivery.count.limit", "6");
        assertThat(view.share("g")).isNotSameAs(first).isEqualTo(first);
        assertThat(view.share("h").deliveryCountLimit()).isEqualTo(6);
    }
}
