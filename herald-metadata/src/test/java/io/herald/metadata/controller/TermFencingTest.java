package io.herald.metadata.controller;

import io.herald.common.time.ManualTime;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.metadata.controller.ControllerCommand.FenceBroker;
import io.herald.metadata.controller.ControllerCommand.InitCluster;
import io.herald.metadata.controller.ControllerCommand.RegisterBroker;
import io.herald.metadata.controller.ControllerCommand.TermFenced;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * A controller's own decisions (fencing a silent broker, unfencing, preferred elections) carry the Raft term it
 * made them in, and a member applies one only from a log entry of that term. A controller that was deposed
 * while its decision was on the way (paused, cut off, slow) must not overrule the leader that replaced it.
 */
class TermFencingTest {
    private final ManualTime clock = new ManualTime();
    private final List<ControllerCommand> decided = new ArrayList<>();
    private final ControllerStateMachine machine = new ControllerStateMachine(ControllerFixture.SETTINGS, clock,
            command -> {
                decided.add(command);
                return CompletableFuture.completedFuture(ControllerReply.success(-1, new byte[0]).encode());
            });
    private long index;

    @Test
    void aFencingDecidedInTermThreeIsAppliedOnlyFromAnEntryOfTermThree() {
        machine.onLeaderChange(true, 3);
        apply(3, new InitCluster("c"));
        apply(3, new RegisterBroker(1, "h", 9092, Optional.empty(), Uuid.randomUuid()));
        long epoch = machine.image().brokers().get(1).brokerEpoch();
        clock.advance(ControllerFixture.SETTINGS.brokerSessionTimeoutMs() + LeaderDuties.TAKEOVER_GRACE_MS + 1);
        machine.leaderDuties().poll();
        assertThat(decided).containsExactly(new TermFenced(3, new FenceBroker(1, epoch)));

        // The same decision reaching the log through the next leader, in term 4: refused, nothing changes.
        ControllerReply late = apply(4, decided.getFirst());
        assertThat(late.isSuccess()).isFalse();
        assertThat(late.exception().getMessage()).contains("term 3", "term 4");
        assertThat(Errors.forException(late.exception())).isEqualTo(Errors.NOT_CONTROLLER);
        assertThat(machine.image().brokers().get(1).fenced()).isFalse();

        // Appended while its controller still led: applied.
        assertThat(apply(3, decided.getFirst()).isSuccess()).isTrue();
        assertThat(machine.image().brokers().get(1).fenced()).isTrue();
    }

    @Test
    void aControllerThatTookOverWaitsOneRequestTimeoutMoreBeforeItsFirstFencing() {
        machine.onLeaderChange(true, 1);
        apply(1, new InitCluster("c"));
        apply(1, new RegisterBroker(1, "h", 9092, Optional.empty(), Uuid.randomUuid()));
        machine.onLeaderChange(false, 1);
        machine.onLeaderChange(true, 2); // took over from the leader of term 1

        clock.advance(ControllerFixture.SETTINGS.brokerSessionTimeoutMs() + 1);
        machine.leaderDuties().poll();
        assertThat(decided).as("heartbeats may still be on their way from the old leader").isEmpty();
        clock.advance(LeaderDuties.TAKEOVER_GRACE_MS);
        machine.leaderDuties().poll();
        assertThat(decided).singleElement().satisfies(c -> assertThat(((TermFenced) c).term()).isEqualTo(2));
    }

    @Test
    void commandsFromBrokersAndAdminsAreNotTermFenced() {
        machine.onLeaderChange(true, 3);
        apply(7, new InitCluster("c"));
        assertThat(apply(8, new RegisterBroker(1, "h", 9092, Optional.empty(), Uuid.randomUuid())).isSuccess())
                .isTrue();
        assertThat(machine.image().brokers()).containsKey(1);
    }

    @Test
    void aTermFencedCommandSurvivesTheLogEncoding() {
        TermFenced command = new TermFenced(42, new FenceBroker(3, 17));
        assertThat(ControllerCommandSerde.decode(ControllerCommandSerde.encode(command))).isEqualTo(command);
    }

    private ControllerReply apply(long term, ControllerCommand command) {
        return ControllerReply.decode(machine.apply(++index, term, ControllerCommandSerde.encode(command)));
    }
}
