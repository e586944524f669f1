package io.herald.cli.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void parsesUnitsSumsAndIso() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(Durations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse(" 1h2m3s4ms ")).isEqualTo(Duration.ofMillis(3_723_004));
        assertThat(Durations.parse("PT30S")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("0s")).isEqualTo(Duration.ZERO);
    }

    @Test
    void refusesBareNumbersAndGarbageWithTheAcceptedForms() {
        for (String bad : new String[] {"30", "", "s", "1x", "1s2", "-5s", "1.5s", "PT-1S", "P"}) {
            assertThatThrownBy(() -> Durations.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expected e.g. 500ms, 30s");
        }
    }

    @Test
    void formatReadsBackAsTheSameDuration() {
        Random random = new Random(42);
        for (int i = 0; i < 1_000; i++) {
            Duration d = Duration.ofMillis(random.nextInt(3) == 0 ? random.nextInt(100) * 1000L
                    : random.nextLong(10_000_000_000L));
            assertThat(Durations.parse(Durations.format(d))).as(d.toString()).isEqualTo(d);
        }
        assertThat(Durations.format(Duration.ofMinutes(2))).isEqualTo("2m");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }
}
