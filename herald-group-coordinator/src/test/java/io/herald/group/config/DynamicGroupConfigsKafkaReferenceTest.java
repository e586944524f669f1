package io.herald.group.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.config.ConfigValues;
import io.herald.group.GroupConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.coordinator.group.GroupCoordinatorConfig;
import org.apache.kafka.coordinator.group.modern.share.ShareGroupConfig;
import org.junit.jupiter.api.Test;

/**
 * Herald's dynamic group configs against Kafka 4.3.1's own ({@code org.apache.kafka.coordinator.group.GroupConfig},
 * a test-scope dependency): the same names, types, defaults, validators and broker synonyms, and the same answer,
 * message included, to any group config change under any broker bounds. A difference fails here, so upgrading Kafka
 * shows what to follow.
 */
class DynamicGroupConfigsKafkaReferenceTest {
    private static final ConfigDef KAFKA = org.apache.kafka.coordinator.group.GroupConfig.CONFIG_DEF;

    /** Herald's additions, which Kafka 4.3.1 does not have (the dead-letter ones are KIP-1191's, Kafka 4.4). */
    private static final Set<String> HERALD_ONLY = Set.of(DynamicGroupConfigs.ERRORS_DEADLETTERQUEUE_TOPIC_NAME,
            DynamicGroupConfigs.ERRORS_DEADLETTERQUEUE_COPY_RECORD_ENABLE,
            DynamicGroupConfigs.HERALD_SHARE_RETRY_BACKOFF_MS, DynamicGroupConfigs.HERALD_SHARE_RETRY_BACKOFF_MAX_MS,
            DynamicGroupConfigs.HERALD_SHARE_RETRY_BACKOFF_MULTIPLIER);

    @Test
    void definesEveryKafkaGroupConfigAndOnlyHeraldsOwnBesides() {
        Set<String> herald = new TreeSet<>();
        DynamicGroupConfigs.keys().forEach(k -> herald.add(k.name()));
        Set<String> expected = new TreeSet<>(KAFKA.names());
        expected.addAll(HERALD_ONLY);

        assertThat(herald).isEqualTo(expected);
    }

    @Test
    void everyKafkaGroupConfigHasKafkasTypeDefaultValidatorAndBrokerSynonym() {
        for (ConfigDef.ConfigKey kafka : KAFKA.configKeys().values()) {
            DynamicGroupConfigs.Key herald = DynamicGroupConfigs.key(kafka.name).orElseThrow();
            ConfigDef.ConfigKey heraldDef = DynamicGroupConfigs.configDef().configKeys().get(kafka.name);

            assertThat(herald.type()).as(kafka.name).isEqualTo(kafka.type);
            assertThat(herald.defaultValue()).as(kafka.name)
                    .isEqualTo(ConfigDef.convertToString(kafka.defaultValue, kafka.type));
            assertThat(heraldDef.defaultValue).as(kafka.name).isEqualTo(kafka.defaultValue);
            assertThat(String.valueOf(heraldDef.validator)).as(kafka.name).isEqualTo(String.valueOf(kafka.validator));
            assertThat(herald.brokerSynonym()).as(kafka.name)
                    .isEqualTo(org.apache.kafka.coordinator.group.GroupConfig.brokerSynonym(kafka.name));
        }
    }

    @Test
    void theBrokerDefaultsAGroupFallsBackToAreKafkas() {
        GroupConfig herald = GroupConfig.defaults();
        Map<String, Integer> kafka = kafkaBroker(Map.of()).coordinator().extractGroupConfigMap(
                kafkaBroker(Map.of()).share());

        kafka.forEach((name, value) -> {
            assertThat(DynamicGroupConfigs.fallsBackToBroker(name)).as(name).isTrue();
            assertThat(DynamicGroupConfigs.fallback(name, herald)).as(name).isEqualTo(value);
        });
        for (ConfigDef.ConfigKey key : KAFKA.configKeys().values()) {
            if (!kafka.containsKey(key.name)) {
                assertThat(DynamicGroupConfigs.fallsBackToBroker(key.name)).as(key.name).isFalse();
                assertThat(DynamicGroupConfigs.fallback(key.name, herald)).as(key.name).isEqualTo(key.defaultValue);
            }
        }
    }

    /** The broker configs of both, for a case: Kafka's two config objects and Herald's fragment. */
    private record Brokers(GroupCoordinatorConfig coordinator, ShareGroupConfig share) {}

    private static Brokers kafkaBroker(Map<String, String> props) {
        ConfigDef def = new ConfigDef(GroupCoordinatorConfig.CONFIG_DEF);
        ShareGroupConfig.CONFIG_DEF.configKeys().values().forEach(def::define);
        AbstractConfig config = new AbstractConfig(def, props, false);
        return new Brokers(new GroupCoordinatorConfig(config), new ShareGroupConfig(config));
    }

    private static GroupConfig heraldBroker(Map<String, String> props) {
        return GroupConfig.from(ConfigValues.parse(GroupConfig.CONFIG_DEF, props));
    }

    /** Broker configs both accept, with bounds moved around the defaults and the defaults inside them. */
    private static final List<Map<String, String>> BROKERS = List.of(
            Map.of(),
            Map.of("group.share.min.record.lock.duration.ms", "20000", "group.share.max.record.lock.duration.ms",
                    "40000", "group.share.min.delivery.count.limit", "4", "group.share.max.delivery.count.limit", "6",
                    "group.share.min.partition.max.record.locks", "1000",
                    "group.share.max.partition.max.record.locks", "3000"),
            Map.of("group.consumer.min.session.timeout.ms", "10000", "group.consumer.session.timeout.ms", "10000",
                    "group.consumer.min.heartbeat.interval.ms", "1000", "group.consumer.heartbeat.interval.ms", "1000",
                    "group.consumer.max.heartbeat.interval.ms", "50000", "group.consumer.max.session.timeout.ms",
                    "100000"),
            Map.of("group.share.min.session.timeout.ms", "1000", "group.share.session.timeout.ms", "5000",
                    "group.share.min.heartbeat.interval.ms", "1000", "group.share.heartbeat.interval.ms", "1000",
                    "group.share.max.heartbeat.interval.ms", "60000"));

    private static final List<String> NUMBERS = List.of("-1", "0", "1", "2", "4", "5", "6", "10", "11", "99", "100",
            "999", "1000", "1001", "2000", "3000", "4000", "4001", "5000", "9999", "10000", "14999", "15000",
            "15001", "20000", "30000", "40000", "44999", "45000", "50000", "60000", "60001", "100000", "abc", " 100 ",
            "2147483648");
    private static final Map<String, List<String>> STRINGS = Map.of(
            DynamicGroupConfigs.SHARE_AUTO_OFFSET_RESET, List.of("earliest", "latest", "by_duration:PT1H",
                    "by_duration:pt5m", "by_duration:-PT1H", "by_duration:", "EARLIEST", "none", "", " latest"),
            DynamicGroupConfigs.SHARE_ISOLATION_LEVEL, List.of("read_committed", "read_uncommitted",
                    "READ_COMMITTED", " read_committed", "x"),
            DynamicGroupConfigs.SHARE_RENEW_ACKNOWLEDGE_ENABLE, List.of("true", "false", "TRUE", "maybe", ""));

    @Property(tries = 2000)
    void aGroupConfigChangeGetsKafkasAnswer(@ForAll long seed) {
        Random random = new Random(seed);
        Map<String, String> brokerProps = BROKERS.get(random.nextInt(BROKERS.size()));
        List<String> names = new ArrayList<>(KAFKA.names());
        Map<String, String> group = new HashMap<>();
        int count = random.nextInt(4);
        for (int i = 0; i < count; i++) {
            String name = names.get(random.nextInt(names.size()));
            List<String> pool = STRINGS.getOrDefault(name, NUMBERS);
            group.put(name, pool.get(random.nextInt(pool.size())));
        }
        if (random.nextInt(20) == 0) {
            group.put("consumer.assignor.offload.enable", "true"); // a constant in Kafka, not a config
        }

        Optional<String> kafka = outcome(() -> {
            Brokers b = kafkaBroker(brokerProps);
            org.apache.kafka.coordinator.group.GroupConfig.validate(group, b.coordinator(), b.share());
        });
        Optional<String> herald = outcome(() -> DynamicGroupConfigs.validate(group, heraldBroker(brokerProps)));

        Statistics.collect(kafka.map(m -> m.substring(0, m.indexOf(':'))).orElse("accepted"));
        assertThat(herald).as("group %s, broker %s", group, brokerProps).isEqualTo(kafka);
    }

    /** Empty if it passes, else the exception's class and message. */
    private static Optional<String> outcome(Runnable check) {
        try {
            check.run();
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
