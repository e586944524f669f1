package io.herald.common.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SampledRateTest {

    @Test
    void aFirstBurstIsMeasuredOverAllButOneWindow() {
        SampledRate rate = new SampledRate(11, 1000, 0);
        rate.record(1000, 0);
        assertThat(rate.windowSizeMs(0)).isEqualTo(10_000);
        assertThat(rate.rate(0)).isCloseTo(100.0, within(1e-9));
    }

    @Test
    void aSteadyRateIsMeasuredAsItIs() {
        SampledRate rate = new SampledRate(11, 1000, 0);
        for (long t = 0; t <= 30_000; t += 100) {
            rate.record(100, t); // 1000 per second
        }
        assertThat(rate.rate(30_000)).isCloseTo(1000.0, within(15.0));
    }

    @Test
    void samplesOlderThanAllWindowsCountNothing() {
        SampledRate rate = new SampledRate(3, 1000, 0);
        rate.record(5000, 0);
        assertThat(rate.rate(500)).isGreaterThan(0);
        assertThat(rate.rate(3000)).isZero();
    }

    @Test
    void aValueTakenBackLeavesTheRateAsItWas() {
        SampledRate rate = new SampledRate(11, 1000, 0);
        rate.record(300, 0);
        double before = rate.rate(10);
        rate.record(700, 10);
        rate.record(-700, 10);
        assertThat(rate.rate(10)).isCloseTo(before, within(1e-9));
    }

    @Test
    void theWindowGrowsWithTheTimeSinceTheOldestLiveSample() {
        SampledRate rate = new SampledRate(3, 1000, 0);
        rate.record(1, 0);
        rate.record(1, 1500);
        rate.record(1, 2600);
        // Samples began at 0, 1500 and 2600: the oldest is 2.7 s old, more than the 2 windows of the minimum.
        assertThat(rate.windowSizeMs(2700)).isEqualTo(2700);
        assertThat(rate.lastRecordMs()).isEqualTo(2600);
    }
}
