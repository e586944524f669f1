package io.herald.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.metadata.image.PartitionImage;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.junit.jupiter.api.Test;

class ElectLeadersTest {
    private static final TopicPartition T0 = new TopicPartition("t", 0);

    /** Broker 1 is fenced and unfenced: partition t-0 (replicas 1, 2) is led by 2 afterwards. */
    private static void moveLeadershipAway(ControllerFixture f) throws Exception {
        f.clock.advance(9000);
        f.heartbeat(2, 3);
        f.pollLeader();
        f.heartbeat(1);
        assertThat(f.partition("t", 0).leader()).isEqualTo(2);
    }

    @Test
    void preferredElection() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1, 2, 3);
            Uuid id = f.controller.createTopic("t", Map.of(0, List.of(1, 2)), Map.of(), false).topicId();
            assertThat(f.controller.electLeaders(false, Set.of(T0)).get(T0).error())
                    .isEqualTo(Errors.ELECTION_NOT_NEEDED);
            moveLeadershipAway(f);
            assertThat(f.controller.electLeaders(false, Set.of(T0)).get(T0).error())
                    .as("broker 1 is not in the ISR").isEqualTo(Errors.PREFERRED_LEADER_NOT_AVAILABLE);
            PartitionImage p = f.partition("t", 0);
            f.controller.alterPartition(2, id, 0, p.leaderEpoch(), p.partitionEpoch(), List.of(2, 1)).get();
            assertThat(f.controller.electLeaders(false, null)).containsExactly(Map.entry(T0, ApiError.NONE));
            assertThat(f.partition("t", 0).leader()).isEqualTo(1);
            assertThat(f.partition("t", 0).leaderEpoch()).isEqualTo(p.leaderEpoch() + 1);
            assertThat(f.controller.electLeaders(false, null)).isEmpty();
            assertThat(f.controller.electLeaders(false, Set.of(new TopicPartition("x", 0)))
                    .get(new TopicPartition("x", 0)).error()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
    }

    @Test
    void uncleanElectionOnlyForLeaderlessPartitions() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1, 2);
            Uuid id = f.controller.createTopic("t", Map.of(0, List.of(1, 2)), Map.of(), false).topicId();
            assertThat(f.controller.electLeaders(true, Set.of(T0)).get(T0).error())
                    .isEqualTo(Errors.ELECTION_NOT_NEEDED);
            f.controller.alterPartition(1, id, 0, 0, 0, List.of(1)).get();
            f.clock.advance(9000);
            f.heartbeat(2);
            f.pollLeader();
            assertThat(f.partition("t", 0).leader()).isEqualTo(-1);
            assertThat(f.controller.electLeaders(true, Set.of(T0)).get(T0)).isEqualTo(ApiError.NONE);
            assertThat(f.partition("t", 0).leader()).isEqualTo(2);
            assertThat(f.partition("t", 0).isr()).containsExactly(2);
        }
    }

    @Test
    void autoRebalanceElectsPreferredLeadersEveryInterval() throws Exception {
        ControllerSettings settings = new ControllerSettings(1, 2000, 9000, true, 60_000, 10_000);
        try (ControllerFixture f = new ControllerFixture(settings)) {
            f.register(1, 2, 3);
            Uuid id = f.controller.createTopic("t", Map.of(0, List.of(1, 2)), Map.of(), false).topicId();
            moveLeadershipAway(f);
            PartitionImage p = f.partition("t", 0);
            f.controller.alterPartition(2, id, 0, p.leaderEpoch(), p.partitionEpoch(), List.of(2, 1)).get();
            f.pollLeader();
            assertThat(f.partition("t", 0).leader()).as("not yet due").isEqualTo(2);
            f.clock.advance(60_000);
            f.heartbeat(1, 2, 3);
            f.pollLeader();
            assertThat(f.partition("t", 0).leader()).isEqualTo(1);
            assertThat(f.controller.listPartitionReassignments()).isEmpty();
            assertThat(Optional.of(f.partition("t", 0).isr())).contains(List.of(2, 1));
        }
    }
}
