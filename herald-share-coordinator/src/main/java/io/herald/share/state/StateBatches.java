package io.herald.share.state;

import io.herald.coordinator.share.PersistedBatch;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/**
 * Merges state batches the way Kafka 4.3's share coordinator does ({@code PersisterStateBatchCombiner}), so that a
 * share-partition's batches here are batch for batch what Kafka would hold after the same writes.
 *
 * <p>The rules:
 * <ol>
 *   <li><b>Prune.</b> With a start offset (not -1), a batch ending below it is dropped and one straddling it keeps
 *       only {@code [startOffset, lastOffset]}: records below the start offset are done and need no state.</li>
 *   <li><b>Priority, not recency.</b> Where two batches overlap, the one with the higher delivery count wins, then
 *       the higher delivery state (Available 0 &lt; Acknowledged 2 &lt; Archiving 3 &lt; Archived 4): a record's
 *       state only moves forward, so a late or replayed write cannot take back a delivery. Archiving is Herald's
 *       extension (a record whose dead-letter copy is not yet confirmed); stored like any other id, it loses to the
 *       Archived that finishes it and wins over the Available it came from. The winner keeps its whole range, the
 *       loser what lies outside it (split in two when the winner sits inside it).</li>
 *   <li><b>Coalesce.</b> Overlapping or adjacent batches with the same count and state become one.</li>
 * </ol>
 *
 * <p>The result is ascending and without overlap. As in Kafka, the pairs are resolved one at a time from the left
 * of the sorted batches, and the batches left of the first mergeable pair are final; so two adjacent batches of the
 * same state can stay apart when the second only gained that state by winning an overlap. That quirk is kept: the
 * differential test compares batch lists with Kafka's exactly.
 *
 * <p>Stateless and thread-safe.
 */
public final class StateBatches {

    /** Kafka's sort order of batches: first offset, last offset, delivery count, delivery state. */
    static final Comparator<PersistedBatch> ORDER = Comparator.comparingLong(PersistedBatch::firstOffset)
            .thenComparingLong(PersistedBatch::lastOffset)
            .thenComparingInt(PersistedBatch::deliveryCount)
            .thenComparingInt(PersistedBatch::deliveryState);

    /** Which of two batches wins an overlap: the higher delivery count, then the higher delivery state. */
    static final Comparator<PersistedBatch> PRIORITY = Comparator.comparingInt(PersistedBatch::deliveryCount)
            .thenComparingInt(PersistedBatch::deliveryState);

    private StateBatches() {
    }

    /**
     * {@code held} and {@code incoming} as one list of batches by the class rules.
     *
     * @param startOffset the start offset to prune below, or -1 for none
     */
    public static List<PersistedBatch> combine(List<PersistedBatch> held, List<PersistedBatch> incoming,
                                               long startOffset) {
        List<PersistedBatch> all = new ArrayList<>(held.size() + incoming.size());
        all.addAll(held);
        all.addAll(incoming);
        List<PersistedBatch> pruned = startOffset == -1 ? all : prune(all, startOffset);
        if (pruned.size() < 2) {
            return List.copyOf(pruned);
        }
        TreeSet<PersistedBatch> sorted = new TreeSet<>(ORDER);
        sorted.addAll(pruned);
        return merge(sorted);
    }

    private static List<PersistedBatch> prune(List<PersistedBatch> batches, long startOffset) {
        List<PersistedBatch> kept = new ArrayList<>(batches.size());
        for (PersistedBatch b : batches) {
            if (b.lastOffset() < startOffset) {
                continue;
            }
            kept.add(b.firstOffset() >= startOffset ? b
                    : new PersistedBatch(startOffset, b.lastOffset(), b.deliveryState(), b.deliveryCount()));
        }
        return kept;
    }

    /** Resolves the leftmost mergeable pair until none is left; what lies left of a pair is final. */
    private static List<PersistedBatch> merge(TreeSet<PersistedBatch> pending) {
        List<PersistedBatch> done = new ArrayList<>(pending.size());
        while (!pending.isEmpty()) {
            Iterator<PersistedBatch> it = pending.iterator();
            PersistedBatch prev = it.next();
            PersistedBatch candidate = null;
            while (it.hasNext()) {
                PersistedBatch next = it.next();
                if (mergeable(prev, next)) {
                    candidate = next;
                    break;
                }
                prev = next;
            }
            // Everything before prev is final: nothing later can reach back to it (see the class comment).
            while (ORDER.compare(pending.first(), prev) < 0) {
                done.add(pending.pollFirst());
            }
            if (candidate == null) {
                done.addAll(pending);
                return done;
            }
            pending.remove(prev);
            pending.remove(candidate);
            pending.addAll(resolve(prev, candidate));
        }
        return done;
    }

    /** Overlapping, or adjacent with the same count and state; {@code prev} sorts before {@code next}. */
    private static boolean mergeable(PersistedBatch prev, PersistedBatch next) {
        return next.firstOffset() <= prev.lastOffset()
                || (prev.lastOffset() + 1 == next.firstOffset() && PRIORITY.compare(prev, next) == 0);
    }

    private static List<PersistedBatch> resolve(PersistedBatch prev, PersistedBatch candidate) {
        if (PRIORITY.compare(prev, candidate) == 0) {
            return List.of(new PersistedBatch(prev.firstOffset(), Math.max(prev.lastOffset(), candidate.lastOffset()),
                    prev.deliveryState(), prev.deliveryCount()));
        }
        boolean candidateWins = PRIORITY.compare(candidate, prev) > 0;
        PersistedBatch winner = candidateWins ? candidate : prev;
        PersistedBatch loser = candidateWins ? prev : candidate;
        List<PersistedBatch> out = new ArrayList<>(3);
        out.add(winner);
        if (loser.firstOffset() < winner.firstOffset()) {
            out.add(new PersistedBatch(loser.firstOffset(), winner.firstOffset() - 1, loser.deliveryState(),
                    loser.deliveryCount()));
        }
        if (loser.lastOffset() > winner.lastOffset()) {
            out.add(new PersistedBatch(winner.lastOffset() + 1, loser.lastOffset(), loser.deliveryState(),
                    loser.deliveryCount()));
        }
        return out;
    }
}
