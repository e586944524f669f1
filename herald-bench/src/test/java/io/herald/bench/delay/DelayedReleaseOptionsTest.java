package io.herald.bench.delay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The command line of the delayed-1M benchmark, and its percentiles. */
class DelayedReleaseOptionsTest {

    @Test
    void defaultsAreTheIssuesMillionOverTenMinutes() {
        DelayedRelease.Options o = DelayedRelease.parse(new String[0]);
        assertThat(o.records()).isEqualTo(1_000_000);
        assertThat(o.spreadSeconds()).isEqualTo(600);
        assertThat(o.resultsDir()).isEqualTo(Path.of("bench-results"));
        assertThat(o.profileDir()).isEmpty();
        assertThat(DelayedRelease.parse(new String[] {"--profile-dir", "jfr"}).profileDir())
                .hasValue(Path.of("jfr").toAbsolutePath());
    }

    @Test
    void badOptionsAreRefused() {
        assertThatThrownBy(() -> DelayedRelease.parse(new String[] {"--records"}))
                .hasMessageContaining("needs a value");
        assertThatThrownBy(() -> DelayedRelease.parse(new String[] {"--records", "0"}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DelayedRelease.parse(new String[] {"--speed", "1"}))
                .hasMessageContaining("unknown option");
    }

    @Test
    void percentilesAreNearestRank() {
        long[] sorted = new long[100];
        for (int i = 0; i < 100; i++) {
            sorted[i] = i + 1;
        }
        DelayedRelease.Phase p = new DelayedRelease.Phase(100, 100, 0, 0, sorted);
        assertThat(p.percentile(0.5)).isEqualTo(50);
        assertThat(p.percentile(0.99)).isEqualTo(99);
        assertThat(p.percentile(1.0)).isEqualTo(100);
        assertThat(new DelayedRelease.Phase(0, 0, 0, 0, new long[0]).percentile(0.99)).isEqualTo(-1);
    }
}
