package io.herald.metadata.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.metadata.record.MetadataRecord.BrokerRecord;
import io.herald.metadata.record.MetadataRecord.ConfigRecord;
import io.herald.metadata.record.MetadataRecord.ResourceKind;
import io.herald.metadata.record.MetadataRecord.TopicRecord;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/** Group configs (Kafka's GROUP config resource) folded into the image. */
class ClusterImageGroupConfigsTest {

    private static ConfigRecord set(String group, String name, String value) {
        return new ConfigRecord(ResourceKind.GROUP, group, name, Optional.of(value));
    }

    private static ConfigRecord remove(String group, String name) {
        return new ConfigRecord(ResourceKind.GROUP, group, name, Optional.empty());
    }

    @Test
    void aGroupConfigIsSetReplacedAndRemovedWithoutTheGroupExisting() {
        ClusterImage image = ClusterImage.EMPTY.apply(set("g", "share.auto.offset.reset", "earliest"))
                .apply(set("g", "share.delivery.count.limit", "3"))
                .apply(set("g", "share.auto.offset.reset", "latest"));

        assertThat(image.groupConfigs("g")).containsExactlyInAnyOrderEntriesOf(Map.of(
                "share.auto.offset.reset", "latest", "share.delivery.count.limit", "3"));
        assertThat(image.groupConfigs("other")).isEmpty();

        image = image.apply(remove("g", "share.auto.offset.reset"));
        assertThat(image.groupConfigs("g")).containsExactly(Map.entry("share.delivery.count.limit", "3"));
    }

    @Test
    void aGroupWithoutConfigsLeavesTheMap() {
        ClusterImage image = ClusterImage.EMPTY.apply(set("g", "share.delivery.count.limit", "3"))
                .apply(remove("g", "share.delivery.count.limit"))
                .apply(remove("never-set", "share.delivery.count.limit"));

        assertThat(image.groupConfigs()).isEmpty();
    }

    @Test
    void groupConfigsAreKeptApartFromTopicAndBrokerConfigsOfTheSameName() {
        ClusterImage image = ClusterImage.EMPTY.apply(new TopicRecord("g", new Uuid(1, 2)))
                .apply(new ConfigRecord(ResourceKind.TOPIC, "g", "retention.ms", Optional.of("1")))
                .apply(new ConfigRecord(ResourceKind.BROKER, "", "log.retention.ms", Optional.of("2")))
                .apply(set("g", "retention.ms", "3"));

        assertThat(image.topic("g").orElseThrow().configs()).containsExactly(Map.entry("retention.ms", "1"));
        assertThat(image.brokerConfigs()).containsExactly(Map.entry("log.retention.ms", "2"));
        assertThat(image.groupConfigs("g")).containsExactly(Map.entry("retention.ms", "3"));
    }

    @Test
    void recordsOfOtherKindsKeepTheGroupConfigMapInstance() {
        // ImageGroupConfigs caches what it derives from this map by its identity.
        ClusterImage image = ClusterImage.EMPTY.apply(set("g", "share.delivery.count.limit", "3"));
        Map<String, Map<String, String>> before = image.groupConfigs();

        ClusterImage later = image.apply(new BrokerRecord(1, "localhost", 9092, Optional.empty()))
                .apply(new TopicRecord("t", new Uuid(3, 4)))
                .apply(new ConfigRecord(ResourceKind.BROKER, "", "log.retention.ms", Optional.of("5")))
                .withOffset(100);

        assertThat(later.groupConfigs()).isSameAs(before);
        assertThat(later.apply(set("g", "share.delivery.count.limit", "4")).groupConfigs()).isNotSameAs(before);
    }

    @Test
    void aHandBuiltImageCopiesMutableGroupConfigs() {
        Map<String, String> configs = new java.util.HashMap<>(Map.of("a", "1"));
        ClusterImage image = new ClusterImage("c", 0, Map.of(), Map.of(), Map.of(), Map.of(), 0,
                new java.util.HashMap<>(Map.of("g", configs)));
        configs.put("b", "2");

        assertThat(image.groupConfigs("g")).containsExactly(Map.entry("a", "1"));
        assertThat(new ClusterImage("c", 0, Map.of(), Map.of(), Map.of(), Map.of(), 0).groupConfigs()).isEmpty();
    }
}
