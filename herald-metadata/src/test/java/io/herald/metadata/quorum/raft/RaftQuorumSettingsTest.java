package io.herald.metadata.quorum.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RaftQuorumSettingsTest {
    @Test
    void defaultsFavourFastFailover() {
        RaftQuorumSettings defaults = RaftQuorumSettings.DEFAULTS;
        assertThat(defaults.electionTimeoutMin()).isEqualTo(Duration.ofSeconds(1));
        assertThat(defaults.electionTimeoutMax()).isEqualTo(Duration.ofSeconds(2));
        assertThat(defaults.noLeaderTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void invalidValuesAreRejectedWithTheExpectedRange() {
        assertThatThrownBy(() -> RaftQuorumSettings.DEFAULTS.withElectionTimeout(Duration.ofSeconds(2),
                Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: >= electionTimeoutMin");
        assertThatThrownBy(() -> RaftQuorumSettings.DEFAULTS.withNoLeaderTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("noLeaderTimeout");
        assertThatThrownBy(() -> RaftQuorumSettings.DEFAULTS.withSnapshots(0, 1 << 20))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("snapshotThreshold: 0");
    }
}
