package io.herald.transaction.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.Test;

/** The lifecycle table against Kafka 4.3's {@code TransactionState}, and the transitions' epoch rules. */
class TransactionStateTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);

    @Test
    void theLifecycleIsKafkasTable() {
        assertPrevious(TransactionState.EMPTY, TransactionState.EMPTY, TransactionState.COMPLETE_COMMIT,
                TransactionState.COMPLETE_ABORT);
        assertPrevious(TransactionState.ONGOING, TransactionState.ONGOING, TransactionState.EMPTY,
                TransactionState.COMPLETE_COMMIT, TransactionState.COMPLETE_ABORT);
        assertPrevious(TransactionState.PREPARE_COMMIT, TransactionState.ONGOING);
        assertPrevious(TransactionState.PREPARE_ABORT, TransactionState.ONGOING, TransactionState.PREPARE_EPOCH_FENCE,
                TransactionState.EMPTY, TransactionState.COMPLETE_COMMIT, TransactionState.COMPLETE_ABORT);
        assertPrevious(TransactionState.COMPLETE_COMMIT, TransactionState.PREPARE_COMMIT);
        assertPrevious(TransactionState.COMPLETE_ABORT, TransactionState.PREPARE_ABORT);
        assertPrevious(TransactionState.DEAD, TransactionState.EMPTY, TransactionState.COMPLETE_ABORT,
                TransactionState.COMPLETE_COMMIT);
        assertPrevious(TransactionState.PREPARE_EPOCH_FENCE, TransactionState.ONGOING);
        for (TransactionState s : TransactionState.values()) {
            assertThat(TransactionState.fromId(s.id())).isEqualTo(s);
            assertThat(TransactionState.fromName(s.stateName())).contains(s);
        }
        assertThat(TransactionState.fromName("ongoing")).isEmpty();
        assertThat(TransactionState.PREPARE_EPOCH_FENCE.stateName()).isEqualTo("PrepareEpochFence");
    }

    private static void assertPrevious(TransactionState target, TransactionState... previous) {
        Set<TransactionState> allowed = EnumSet.noneOf(TransactionState.class);
        allowed.addAll(Set.of(previous));
        for (TransactionState s : TransactionState.values()) {
            assertThat(target.canTransitionFrom(s)).as("%s from %s", target, s).isEqualTo(allowed.contains(s));
        }
    }

    private static TransactionMetadata at(TransactionState state, short epoch, short last, TransactionVersion tv) {
        return new TransactionMetadata("t", 5, 5, -1, epoch, last, 1000, state,
                state == TransactionState.ONGOING || state.isPrepare() ? Set.of(TP) : Set.of(), 1, 1, tv);
    }

    @Test
    void aFenceBumpsTheEpochOnceAndForgetsTheLastEpoch() {
        TransactionMetadata fenced = at(TransactionState.ONGOING, (short) (Short.MAX_VALUE - 1), (short) 3,
                TransactionVersion.TV_2).fenceAndAbort(9);
        assertThat(fenced.state()).isEqualTo(TransactionState.PREPARE_ABORT);
        assertThat(fenced.producerEpoch()).isEqualTo(Short.MAX_VALUE);
        assertThat(fenced.lastProducerEpoch()).isEqualTo((short) -1);
        assertThat(fenced.complete(10).producerEpoch()).isEqualTo(Short.MAX_VALUE);
    }

    @Test
    void bumpEpochFollowsKip360() {
        TransactionMetadata m = at(TransactionState.EMPTY, (short) 4, (short) 3, TransactionVersion.TV_0);
        assertThat(m.bumpEpoch(1, Optional.empty(), 2).producerEpoch()).isEqualTo((short) 5);
        assertThat(m.bumpEpoch(1, Optional.empty(), 2).lastProducerEpoch()).isEqualTo((short) -1);
        assertThat(m.bumpEpoch(1, Optional.of((short) 4), 2).lastProducerEpoch()).isEqualTo((short) 4);
        assertThat(m.bumpEpoch(1, Optional.of((short) 3), 2).producerEpoch()).isEqualTo((short) 4);
        assertThatThrownBy(() -> m.bumpEpoch(1, Optional.of((short) 1), 2))
                .isInstanceOf(ProducerFencedException.class);
    }

    @Test
    void transitionsOutsideTheLifecycleAreRefused() {
        TransactionMetadata empty = at(TransactionState.EMPTY, (short) 0, (short) -1, TransactionVersion.TV_0);
        assertThatThrownBy(() -> empty.prepare(TransactionState.PREPARE_COMMIT, TransactionVersion.TV_0, -1, 1,
                false)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> empty.fenceAndAbort(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> empty.complete(1)).isInstanceOf(IllegalStateException.class);
        TransactionMetadata ongoing = at(TransactionState.ONGOING, (short) 0, (short) -1, TransactionVersion.TV_0);
        assertThatThrownBy(ongoing::checkCanExpire).isInstanceOf(IllegalStateException.class);
    }
}
