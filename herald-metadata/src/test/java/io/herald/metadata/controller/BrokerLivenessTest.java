package io.herald.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.record.MetadataRecord.ResourceKind;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.BrokerIdNotRegisteredException;
import org.junit.jupiter.api.Test;

class BrokerLivenessTest {

    @Test
    void brokerSilentForTheSessionTimeoutIsFencedAndLosesLeadershipAndIsr() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1, 2, 3);
            f.controller.createTopic("t", Map.of(0, List.of(1, 2, 3)), Map.of(), false);
            f.clock.advance(8000);
            f.heartbeat(2, 3);
            f.pollLeader();
            assertThat(f.broker(1).fenced()).isFalse();

            f.clock.advance(1000);
            f.pollLeader();
            assertThat(f.broker(1).fenced()).isTrue();
            assertThat(f.broker(2).fenced()).isFalse();
            PartitionImage p = f.partition("t", 0);
            assertThat(p.leader()).isEqualTo(2);
            assertThat(p.isr()).containsExactly(2, 3);
            assertThat(p.leaderEpoch()).isEqualTo(1);
            assertThat(p.partitionEpoch()).isEqualTo(1);
        }
    }

    @Test
    void lastIsrMemberStaysInIsrWithoutLeaderAndLeadsAgainWhenUnfenced() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1, 2);
            f.controller.createTopic("t", Map.of(0, List.of(1, 2)), Map.of(), false);
            f.clock.advance(9000);
            f.heartbeat(2);
            f.pollLeader();
            assertThat(f.partition("t", 0).isr()).containsExactly(2);
            f.clock.advance(9000);
            f.heartbeat(1);
            f.pollLeader();
            PartitionImage p = f.partition("t", 0);
            assertThat(f.broker(2).fenced()).isTrue();
            assertThat(p.leader()).isEqualTo(-1);
            assertThat(p.isr()).containsExactly(2);

            // Broker 1 is alive but out of sync: no clean leader.
            assertThat(f.partition("t", 0).leader()).isEqualTo(-1);
            f.heartbeat(2);
            assertThat(f.broker(2).fenced()).isFalse();
            p = f.partition("t", 0);
            assertThat(p.leader()).isEqualTo(2);
            assertThat(p.isr()).containsExactly(2);
            assertThat(p.leaderEpoch()).isEqualTo(3);
        }
    }

    @Test
    void uncleanElectionFromTheClusterDefaultOrTopicOverride() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1, 2);
            f.controller.createTopic("t", Map.of(0, List.of(1, 2)), Map.of(), false);
            f.controller.createTopic("u", Map.of(0, List.of(1, 2)),
                    Map.of("unclean.leader.election.enable", "false"), false);
            f.controller.alterConfigs(ResourceKind.BROKER, "",
                    Map.of("unclean.leader.election.enable", Optional.of("true")));
            // Broker 2 drops out of the ISRs, then broker 1 (the only ISR member) dies.
            for (String topic : List.of("t", "u")) {
                PartitionImage p = f.partition(topic, 0);
                f.controller.alterPartition(1, f.controller.image().topic(topic).orElseThrow().topicId(), 0,
                        p.leaderEpoch(), p.partitionEpoch(), List.of(1)).get();
            }
            f.clock.advance(9000);
            f.heartbeat(2);
            f.pollLeader();
            assertThat(f.partition("t", 0).leader()).isEqualTo(2);
            assertThat(f.partition("t", 0).isr()).containsExactly(2);
            assertThat(f.partition("u", 0).leader()).isEqualTo(-1);
            assertThat(f.partition("u", 0).isr()).containsExactly(1);
        }
    }

    @Test
    void reRegistrationWithANewIncarnationIsARestart() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1, 2);
            f.controller.createTopic("t", Map.of(0, List.of(1, 2), 1, List.of(2, 1)), Map.of(), false);
            f.controller.createTopic("solo", Map.of(0, List.of(1)), Map.of(), false);
            long epoch = f.broker(1).brokerEpoch();
            f.controller.registerBroker(1, "127.0.0.1", 9001, Optional.empty(), Uuid.randomUuid());
            assertThat(f.broker(1).brokerEpoch()).isGreaterThan(epoch);
            assertThat(f.broker(1).fenced()).isFalse();
            assertThat(f.partition("t", 0).leader()).isEqualTo(2);
            assertThat(f.partition("t", 0).isr()).containsExactly(2);
            assertThat(f.partition("t", 1).isr()).containsExactly(2);
            PartitionImage solo = f.partition("solo", 0);
            assertThat(solo.leader()).isEqualTo(1);
            assertThat(solo.leaderEpoch()).isGreaterThan(0);
            // The old incarnation's heartbeats are refused.
            assertThatThrownBy(() -> f.heartbeat(1)).hasCauseInstanceOf(
                    org.apache.kafka.common.errors.StaleBrokerEpochException.class);
        }
    }

    @Test
    void sameIncarnationOnlyUpdatesTheAddress() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1);
            f.controller.createTopic("t", 1, 1, Map.of(), false);
            long offset = f.controller.image().offset();
            f.register(1);
            assertThat(f.controller.image().offset()).isEqualTo(offset);
            f.controller.registerBroker(1, "127.0.0.1", 7777, Optional.empty());
            assertThat(f.broker(1).port()).isEqualTo(7777);
            assertThat(f.partition("t", 0).leaderEpoch()).isZero();
        }
    }

    @Test
    void controlledShutdownMovesLeadershipAwayAndFences() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1, 2, 3);
            f.controller.startHeartbeats(1);
            f.controller.createTopic("t", Map.of(0, List.of(1, 2, 3), 1, List.of(2, 1, 3)), Map.of(), false);
            f.controller.createTopic("solo", Map.of(0, List.of(1)), Map.of(), false);
            f.controller.controlledShutdown(1);
            assertThat(f.scheduler.isScheduled("heartbeat-1")).isFalse();
            assertThat(f.broker(1).fenced()).isTrue();
            assertThat(f.partition("t", 0).leader()).isEqualTo(2);
            assertThat(f.partition("t", 0).isr()).containsExactly(2, 3);
            assertThat(f.partition("t", 1).isr()).containsExactly(2, 3);
            assertThat(f.partition("solo", 0).leader()).isEqualTo(-1);
            assertThat(f.partition("solo", 0).isr()).containsExactly(1);
            assertThatThrownBy(() -> f.controller.controlledShutdown(9))
                    .isInstanceOf(BrokerIdNotRegisteredException.class);
        }
    }

    @Test
    void newLeaderResetsEverySessionToNow() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1);
            f.clock.advance(60_000);
            f.controller.stateMachine().onLeaderChange(true, 1);
            f.pollLeader();
            assertThat(f.broker(1).fenced()).isFalse();
            f.controller.stateMachine().onLeaderChange(false, 1);
            f.clock.advance(60_000);
            f.pollLeader();
            assertThat(f.broker(1).fenced()).as("a follower fences nobody").isFalse();
        }
    }

    @Test
    void scheduledHeartbeatsKeepABrokerUnfenced() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1);
            f.controller.startHeartbeats(1);
            for (int i = 0; i < 10; i++) {
                f.clock.advance(2000);
                f.scheduler.run("heartbeat-1");
                f.scheduler.run("leader-duties");
            }
            f.awaitIdle();
            assertThat(f.broker(1).fenced()).isFalse();
        }
    }
}
