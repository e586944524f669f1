package io.herald.cli.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TimestampsTest {

    private static final long NEW_YEAR = Instant.parse("2025-01-01T00:00:00Z").toEpochMilli();

    @Test
    void readsEpochMillisInstantsOffsetsAndLocalTimesInTheGivenZone() {
        ZoneId utc = ZoneOffset.UTC;
        assertThat(Timestamps.parseEpochMillis("1735689600000", utc)).isEqualTo(NEW_YEAR);
        assertThat(Timestamps.parseEpochMillis("2025-01-01T00:00:00Z", utc)).isEqualTo(NEW_YEAR);
        assertThat(Timestamps.parseEpochMillis("2025-01-01T01:00:00+01:00", utc)).isEqualTo(NEW_YEAR);
        assertThat(Timestamps.parseEpochMillis("2025-01-01T00:00", utc)).isEqualTo(NEW_YEAR);
        assertThat(Timestamps.parseEpochMillis("2025-01-01", utc)).isEqualTo(NEW_YEAR);
        assertThat(Timestamps.parseEpochMillis("2025-01-01T02:00", ZoneOffset.ofHours(2))).isEqualTo(NEW_YEAR);
    }

    @Test
    void refusesWhatIsNotATime() {
        assertThatThrownBy(() -> Timestamps.parseEpochMillis("yesterday", ZoneOffset.UTC))
                .hasMessageContaining("invalid time 'yesterday'");
    }
}
