package io.herald.share.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.coordinator.share.PersistedBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link StateBatches} against a reference model: an offset-by-offset map in which every offset at or above the start
 * offset holds the highest (delivery count, delivery state) of the batches covering it. The merged batches must
 * cover exactly the model's offsets, each with the model's value, ascending and without overlap. The exact shape
 * of the batches (Kafka's) is checked by {@code KafkaShardDifferentialTest}.
 */
class StateBatchesTest {

    private static PersistedBatch b(long first, long last, int state, int count) {
        return new PersistedBatch(first, last, (byte) state, (short) count);
    }

    @Test
    void aHigherPriorityBatchInsideAnotherSplitsItInThree() {
        assertThat(StateBatches.combine(List.of(b(0, 9, 0, 1)), List.of(b(3, 4, 2, 1)), -1))
                .containsExactly(b(0, 2, 0, 1), b(3, 4, 2, 1), b(5, 9, 0, 1));
    }

    @Test
    void aLowerPriorityBatchDoesNotOverwriteAndOnlyFillsWhatIsLeft() {
        assertThat(StateBatches.combine(List.of(b(0, 4, 2, 2)), List.of(b(2, 8, 0, 1)), -1))
                .containsExactly(b(0, 4, 2, 2), b(5, 8, 0, 1));
    }

    @Test
    void overlappingOrAdjacentBatchesOfOneStateCoalesce() {
        assertThat(StateBatches.combine(List.of(b(0, 4, 4, 1)), List.of(b(5, 7, 4, 1), b(2, 9, 4, 1)), -1))
                .containsExactly(b(0, 9, 4, 1));
    }

    @Test
    void batchesBelowTheStartOffsetArePrunedAndAStraddlingOneIsCut() {
        assertThat(StateBatches.combine(List.of(b(0, 4, 0, 1), b(5, 9, 2, 1)), List.of(b(12, 12, 0, 2)), 7))
                .containsExactly(b(7, 9, 2, 1), b(12, 12, 0, 2));
        assertThat(StateBatches.combine(List.of(b(0, 4, 0, 1)), List.of(), 5)).isEmpty();
    }

    @Property(tries = 500)
    void mergedBatchesHoldTheHighestPriorityOfEveryOffset(@ForAll("batches") List<PersistedBatch> held,
                                                          @ForAll("batches") List<PersistedBatch> incoming,
                                                          @ForAll("startOffsets") long startOffset) {
        List<PersistedBatch> merged = StateBatches.combine(held, incoming, startOffset);

        Map<Long, Integer> model = new TreeMap<>();
        List<PersistedBatch> all = new ArrayList<>(held);
        all.addAll(incoming);
        for (PersistedBatch batch : all) {
            for (long o = Math.max(batch.firstOffset(), startOffset); o <= batch.lastOffset(); o++) {
                model.merge(o, priority(batch), Math::max);
            }
        }
        Map<Long, Integer> actual = new TreeMap<>();
        long previousLast = Long.MIN_VALUE;
        for (PersistedBatch batch : merged) {
            assertThat(batch.firstOffset()).as("ascending, no overlap: %s", merged).isGreaterThan(previousLast);
            previousLast = batch.lastOffset();
            for (long o = batch.firstOffset(); o <= batch.lastOffset(); o++) {
                actual.put(o, priority(batch));
            }
        }
        assertThat(actual).isEqualTo(model);
    }

    private static int priority(PersistedBatch b) {
        return (b.deliveryCount() << 8) | b.deliveryState();
    }

    @Provide
    Arbitrary<List<PersistedBatch>> batches() {
        Arbitrary<PersistedBatch> batch = Combinators.combine(Arbitraries.longs().between(0, 30),
                        Arbitraries.longs().between(0, 6), Arbitraries.of(0, 2, 4), Arbitraries.integers().between(0, 3))
                .as((first, length, state, count) -> b(first, first + length, state, count));
        return batch.list().ofMaxSize(6);
    }

    @Provide
    Arbitrary<Long> startOffsets() {
        return Arbitraries.oneOf(Arbitraries.just(-1L), Arbitraries.longs().between(0, 30));
    }
}
