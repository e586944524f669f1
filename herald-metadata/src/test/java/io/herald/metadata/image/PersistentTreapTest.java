package io.herald.metadata.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** {@link PersistentTreap} against a reference model, a {@link TreeMap}, over seeded random operations. */
class PersistentTreapTest {

    private static Map<Integer, String> entries(PersistentTreap<Integer, String> treap) {
        Map<Integer, String> entries = new LinkedHashMap<>();
        treap.forEach(entries::put);
        return entries;
    }

    @Test
    void putsAndRemovesAgreeWithATreeMapAndLeaveEarlierVersionsUnchanged() {
        for (long seed = 0; seed < 20; seed++) {
            Random random = new Random(seed);
            TreeMap<Integer, String> model = new TreeMap<>();
            PersistentTreap<Integer, String> treap = PersistentTreap.empty(Comparator.naturalOrder());
            List<PersistentTreap<Integer, String>> versions = new ArrayList<>();
            List<Map<Integer, String>> expected = new ArrayList<>();
            for (int step = 0; step < 2000; step++) {
                int key = random.nextInt(300);
                if (random.nextInt(3) == 0) {
                    model.remove(key);
                    treap = treap.remove(key);
                } else {
                    String value = "v" + step;
                    model.put(key, value);
                    treap = treap.put(key, value);
                }
                assertThat(treap.size()).as("seed %s step %s", seed, step).isEqualTo(model.size());
                assertThat(treap.get(key)).isEqualTo(model.get(key));
                if (step % 100 == 0) {
                    versions.add(treap);
                    expected.add(new LinkedHashMap<>(model));
                }
            }
            // In-order traversal is the model's ascending order, and every earlier version still holds its entries.
            assertThat(entries(treap)).containsExactlyEntriesOf(model);
            for (int i = 0; i < versions.size(); i++) {
                assertThat(entries(versions.get(i))).as("seed %s version %s", seed, i)
                        .containsExactlyEntriesOf(expected.get(i));
            }
        }
    }

    @Test
    void removingAnAbsentKeyReturnsTheSameMap() {
        PersistentTreap<Integer, String> treap = PersistentTreap.<Integer, String>empty(Comparator.naturalOrder())
                .put(1, "a").put(2, "b");

        assertThat(treap.remove(3)).isSameAs(treap);
        assertThat(treap.isEmpty()).isFalse();
        assertThat(treap.remove(1).remove(2).isEmpty()).isTrue();
    }

    @Test
    void ascendingInsertionsStayShallowEnoughToFoldManyBindings() {
        PersistentTreap<Integer, Integer> treap = PersistentTreap.empty(Comparator.naturalOrder());
        for (int i = 0; i < 200_000; i++) {
            treap = treap.put(i, i);
        }
        // A degenerate (list-shaped) tree would overflow the stack in the recursive insert long before this.
        assertThat(treap.size()).isEqualTo(200_000);
        assertThat(treap.get(123_456)).isEqualTo(123_456);
    }
}
