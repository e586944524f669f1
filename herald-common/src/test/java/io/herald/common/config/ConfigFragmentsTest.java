package io.herald.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class ConfigFragmentsTest {
    private static final ConfigDef REPLICAS = new ConfigDef()
            .define("replica.lag.time.max.ms", Type.LONG, 30_000L, ConfigDef.Range.atLeast(1), Importance.HIGH, "lag")
            .define("num.replica.fetchers", Type.INT, 1, ConfigDef.Range.atLeast(1), Importance.HIGH, "fetchers");
    private static final ConfigDef GROUPS = new ConfigDef()
            .define("group.max.size", Type.INT, Integer.MAX_VALUE, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "max");

    @Test
    void aComposedDefinitionParsesEveryFragmentsConfigsOnce() {
        ConfigDef all = ConfigFragments.compose(List.of(REPLICAS, GROUPS));
        ConfigValues values = ConfigValues.parse(all, Map.of("num.replica.fetchers", "4"));
        assertThat(values.getInt("num.replica.fetchers")).isEqualTo(4);
        assertThat(values.getLong("replica.lag.time.max.ms")).isEqualTo(30_000L);
        assertThat(values.isSet("num.replica.fetchers")).isTrue();
        assertThat(values.isSet("group.max.size")).isFalse();
    }

    @Test
    void aBadValueFailsWithTheNameOfItsConfig() {
        ConfigDef all = ConfigFragments.compose(List.of(REPLICAS, GROUPS));
        assertThatThrownBy(() -> ConfigValues.parse(all, Map.of("group.max.size", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("group.max.size");
        assertThatThrownBy(() -> ConfigValues.parse(all, Map.of("num.replica.fetchers", "four")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("num.replica.fetchers");
    }

    @Test
    void aNameDefinedByTwoFragmentsIsRefused() {
        assertThatThrownBy(() -> ConfigFragments.compose(List.of(REPLICAS, REPLICAS)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("defined by two subsystems");
    }

    @Test
    void unknownNamesAreThoseNoFragmentReads() {
        ConfigDef all = ConfigFragments.compose(List.of(REPLICAS, GROUPS));
        assertThat(ConfigFragments.unknownNames(all, Map.of("group.max.size", "3", "log.retention.ms", "1",
                "made.up", "x"), name -> name.equals("log.retention.ms"))).containsExactly("made.up");
    }

    @Test
    void readingANameTheDefinitionLacksIsABug() {
        ConfigValues values = ConfigValues.parse(GROUPS, Map.of());
        assertThatThrownBy(() -> values.getInt("num.replica.fetchers")).isInstanceOf(IllegalArgumentException.class);
    }
}
