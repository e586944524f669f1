package io.herald.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VersionRangeTest {

    @Test
    void containsBothBoundsAndNothingOutside() {
        VersionRange range = VersionRange.of(3, 13);

        assertThat(range.contains((short) 3)).isTrue();
        assertThat(range.contains((short) 13)).isTrue();
        assertThat(range.contains((short) 2)).isFalse();
        assertThat(range.contains((short) 14)).isFalse();
        assertThat(range).hasToString("3..13");
    }

    @Test
    void emptyNegativeAndOutOfShortRangesAreRejected() {
        assertThatThrownBy(() -> VersionRange.of(5, 4)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("5..4");
        assertThatThrownBy(() -> VersionRange.of(-1, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VersionRange.of(0, 40_000)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("0..40000");
    }
}
