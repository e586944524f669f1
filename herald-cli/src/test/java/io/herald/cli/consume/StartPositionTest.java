package io.herald.cli.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class StartPositionTest {

    @Test
    void parsesNamesOffsetsCountsFromTheEndAndTimes() {
        assertThat(StartPosition.parse("beginning", ZoneOffset.UTC)).isEqualTo(new StartPosition.Beginning());
        assertThat(StartPosition.parse("earliest", ZoneOffset.UTC)).isEqualTo(new StartPosition.Beginning());
        assertThat(StartPosition.parse("END", ZoneOffset.UTC)).isEqualTo(new StartPosition.End());
        assertThat(StartPosition.parse("42", ZoneOffset.UTC)).isEqualTo(new StartPosition.Offset(42));
        assertThat(StartPosition.parse("-10", ZoneOffset.UTC)).isEqualTo(new StartPosition.FromEnd(10));
        assertThat(StartPosition.parse("2025-01-01T00:00:00Z", ZoneOffset.UTC))
                .isEqualTo(new StartPosition.Timestamp(Instant.parse("2025-01-01T00:00:00Z").toEpochMilli()));
    }

    @Test
    void refusesAnythingElseWithTheAcceptedForms() {
        assertThatThrownBy(() -> StartPosition.parse("soon", ZoneOffset.UTC))
                .hasMessageContaining("expected beginning, end, an offset");
    }
}
