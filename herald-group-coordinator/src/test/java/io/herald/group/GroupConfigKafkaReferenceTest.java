package io.herald.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.config.ConfigValues;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.coordinator.group.GroupCoordinatorConfig;
import org.apache.kafka.coordinator.group.modern.share.ShareGroupConfig;
import org.junit.jupiter.api.Test;

/**
 * The broker-level group configs that bound and default the dynamic group configs ({@code group.share.*},
 * {@code group.consumer.min/max.*}) against Kafka 4.3.1's {@code GroupCoordinatorConfig} and
 * {@code ShareGroupConfig} (a test-scope dependency): same definitions, and a {@code server.properties} Kafka
 * refuses is refused with Kafka's message.
 */
class GroupConfigKafkaReferenceTest {
    private static final ConfigDef KAFKA = kafkaDefinition();

    /** The broker configs this fragment took over from Kafka for group configs. */
    private static final List<String> BOUNDING = List.of(
            "group.consumer.session.timeout.ms", "group.consumer.min.session.timeout.ms",
            "group.consumer.max.session.timeout.ms", "group.consumer.heartbeat.interval.ms",
            "group.consumer.min.heartbeat.interval.ms", "group.consumer.max.heartbeat.interval.ms",
            "group.share.session.timeout.ms", "group.share.min.session.timeout.ms",
            "group.share.max.session.timeout.ms", "group.share.heartbeat.interval.ms",
            "group.share.min.heartbeat.interval.ms", "group.share.max.heartbeat.interval.ms",
            "group.share.max.size", "group.share.record.lock.duration.ms", "group.share.min.record.lock.duration.ms",
            "group.share.max.record.lock.duration.ms", "group.share.delivery.count.limit",
            "group.share.min.delivery.count.limit", "group.share.max.delivery.count.limit",
            "group.share.partition.max.record.locks", "group.share.min.partition.max.record.locks",
            "group.share.max.partition.max.record.locks", "group.share.max.share.sessions");

    private static ConfigDef kafkaDefinition() {
        ConfigDef def = new ConfigDef(GroupCoordinatorConfig.CONFIG_DEF);
        ShareGroupConfig.CONFIG_DEF.configKeys().values().forEach(def::define);
        return def;
    }

    @Test
    void boundingConfigsHaveKafkasTypeDefaultAndValidator() {
        for (String name : BOUNDING) {
            ConfigDef.ConfigKey kafka = KAFKA.configKeys().get(name);
            ConfigDef.ConfigKey herald = GroupConfig.CONFIG_DEF.configKeys().get(name);

            assertThat(herald).as(name).isNotNull();
            assertThat(herald.type).as(name).isEqualTo(kafka.type);
            assertThat(herald.defaultValue).as(name).isEqualTo(kafka.defaultValue);
            assertThat(String.valueOf(herald.validator)).as(name).isEqualTo(String.valueOf(kafka.validator));
        }
        ConfigDef.ConfigKey assignors = GroupConfig.CONFIG_DEF.configKeys().get("group.share.assignors");
        assertThat(assignors.defaultValue).isEqualTo(KAFKA.configKeys().get("group.share.assignors").defaultValue);
    }

    @Test
    void kafkasDefaultsAreHeralds() {
        GroupConfig herald = GroupConfig.defaults();
        AbstractConfig config = new AbstractConfig(KAFKA, Map.of(), false);
        GroupCoordinatorConfig kafka = new GroupCoordinatorConfig(config);
        ShareGroupConfig share = new ShareGroupConfig(config);

        assertThat(herald.consumerBounds().sessionTimeoutMs().min()).isEqualTo(kafka.consumerGroupMinSessionTimeoutMs());
        assertThat(herald.consumerBounds().sessionTimeoutMs().max()).isEqualTo(kafka.consumerGroupMaxSessionTimeoutMs());
        assertThat(herald.consumerBounds().heartbeatIntervalMs().min())
                .isEqualTo(kafka.consumerGroupMinHeartbeatIntervalMs());
        assertThat(herald.consumerBounds().heartbeatIntervalMs().max())
                .isEqualTo(kafka.consumerGroupMaxHeartbeatIntervalMs());
        assertThat(herald.share().sessionTimeoutMs().value()).isEqualTo(kafka.shareGroupSessionTimeoutMs());
        assertThat(herald.share().heartbeatIntervalMs().value()).isEqualTo(kafka.shareGroupHeartbeatIntervalMs());
        assertThat(herald.share().maxSize()).isEqualTo(kafka.shareGroupMaxSize());
        assertThat(herald.share().recordLockDurationMs().value()).isEqualTo(share.shareGroupRecordLockDurationMs());
        assertThat(herald.share().recordLockDurationMs().range().min())
                .isEqualTo(share.shareGroupMinRecordLockDurationMs());
        assertThat(herald.share().recordLockDurationMs().range().max())
                .isEqualTo(share.shareGroupMaxRecordLockDurationMs());
        assertThat(herald.share().deliveryCountLimit().value()).isEqualTo(share.shareGroupDeliveryCountLimit());
        assertThat(herald.share().partitionMaxRecordLocks().value())
                .isEqualTo(share.shareGroupPartitionMaxRecordLocks());
        assertThat(herald.share().maxShareSessions()).isEqualTo(share.shareGroupMaxShareSessions());
        assertThat(herald.share()).isEqualTo(io.herald.group.config.ShareGroupBrokerConfig.DEFAULT);
        assertThat(herald.consumerBounds()).isEqualTo(io.herald.group.config.ConsumerGroupBounds.DEFAULT);
    }

    /**
     * Values within each config's own validator range (those ranges are compared above), so what is compared here
     * are the rules between configs.
     */
    private static final List<String> VALUES = List.of("1", "2", "4", "5", "6", "10", "100", "200", "1000", "2000",
            "3000", "4000", "5000", "10000", "15000", "20000", "30000", "45000", "50000", "60000", "100000");

    @Property(tries = 2000)
    void aServerPropertiesKafkaRefusesIsRefusedWithKafkasMessage(@ForAll long seed) {
        Random random = new Random(seed);
        Map<String, String> props = new HashMap<>();
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            String name = BOUNDING.get(random.nextInt(BOUNDING.size()));
            ConfigDef.ConfigKey key = KAFKA.configKeys().get(name);
            List<String> fitting = VALUES.stream().filter(v -> {
                try {
                    key.validator.ensureValid(name, Integer.parseInt(v));
                    return true;
                } catch (RuntimeException e) {
                    return false;
                }
            }).toList();
            props.put(name, fitting.get(random.nextInt(fitting.size())));
        }

        Optional<String> kafka = outcome(() -> {
            AbstractConfig config = new AbstractConfig(KAFKA, props, false);
            new GroupCoordinatorConfig(config);
            new ShareGroupConfig(config);
        });
        Optional<String> herald = outcome(() -> GroupConfig.from(ConfigValues.parse(GroupConfig.CONFIG_DEF, props)));

        Statistics.collect(kafka.isPresent() ? "refused" : "accepted");
        assertThat(herald).as("%s", props).isEqualTo(kafka);
    }

    private static Optional<String> outcome(Runnable check) {
        try {
            check.run();
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(e.getMessage());
        }
    }
}
