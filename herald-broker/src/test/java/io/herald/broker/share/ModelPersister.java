package io.herald.broker.share;

import io.herald.coordinator.share.PersistedBatch;
import io.herald.coordinator.share.SharePartitionKey;
import io.herald.coordinator.share.ShareStatePersister;
import io.herald.coordinator.share.ShareStateRead;
import io.herald.coordinator.share.ShareStateSummary;
import io.herald.coordinator.share.ShareStateWrite;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Errors;

/**
 * A {@link ShareStatePersister} that keeps state per offset, so a write of part of an earlier batch changes exactly
 * those offsets (what Kafka's share coordinator does with its batch combiner), with the share coordinator's fencing;
 * tests can make the next writes fail or hold them until released. Thread-safe (synchronized).
 */
final class ModelPersister implements ShareStatePersister {
    private record Offset(byte state, short count) {}

    private static final class State {
        int stateEpoch;
        int leaderEpoch = -1;
        long startOffset;
        final TreeMap<Long, Offset> offsets = new TreeMap<>();
    }

    private final Map<SharePartitionKey, State> states = new HashMap<>();
    private final Deque<Errors> failures = new ArrayDeque<>();
    private final List<Runnable> held = new ArrayList<>();
    private boolean holding;
    private int writes;

    /** The next writes answer these errors, in order (and change nothing). */
    synchronized void failNextWrites(Errors... errors) {
        failures.addAll(List.of(errors));
    }

    /** Writes wait until {@link #release()}. */
    synchronized void hold() {
        holding = true;
    }

    void release() {
        List<Runnable> go;
        synchronized (this) {
            holding = false;
            go = new ArrayList<>(held);
            held.clear();
        }
        go.forEach(Runnable::run);
    }

    synchronized int writes() {
        return writes;
    }

    @Override
    public synchronized CompletableFuture<Errors> initialize(SharePartitionKey key, int stateEpoch, long startOffset) {
        State s = new State();
        s.stateEpoch = stateEpoch;
        s.startOffset = startOffset;
        states.put(key, s);
        return CompletableFuture.completedFuture(Errors.NONE);
    }

    @Override
    public synchronized CompletableFuture<ShareStateRead> read(SharePartitionKey key, int leaderEpoch) {
        State s = states.get(key);
        if (s == null) {
            return CompletableFuture.completedFuture(new ShareStateRead(Errors.INVALID_REQUEST, 0, -1, List.of()));
        }
        if (leaderEpoch < s.leaderEpoch) {
            return CompletableFuture.completedFuture(new ShareStateRead(Errors.FENCED_LEADER_EPOCH, 0, -1, List.of()));
        }
        s.leaderEpoch = leaderEpoch;
        return CompletableFuture.completedFuture(new ShareStateRead(Errors.NONE, s.stateEpoch, s.startOffset,
                batches(s)));
    }

    private static List<PersistedBatch> batches(State s) {
        List<PersistedBatch> out = new ArrayList<>();
        long first = -1;
        long last = -1;
        Offset current = null;
        for (Map.Entry<Long, Offset> e : s.offsets.entrySet()) {
            if (current != null && e.getKey() == last + 1 && e.getValue().equals(current)) {
                last = e.getKey();
                continue;
            }
            if (current != null) {
                out.add(new PersistedBatch(first, last, current.state(), current.count()));
            }
            first = e.getKey();
            last = e.getKey();
            current = e.getValue();
        }
        if (current != null) {
            out.add(new PersistedBatch(first, last, current.state(), current.count()));
        }
        return out;
    }

    @Override
    public CompletableFuture<Errors> write(SharePartitionKey key, ShareStateWrite write) {
        CompletableFuture<Errors> answer = new CompletableFuture<>();
        Runnable apply = () -> answer.complete(applyWrite(key, write));
        synchronized (this) {
            if (holding) {
                held.add(apply);
                return answer;
            }
        }
        apply.run();
        return answer;
    }

    private synchronized Errors applyWrite(SharePartitionKey key, ShareStateWrite write) {
        State s = states.computeIfAbsent(key, k -> new State());
        if (!failures.isEmpty()) {
            return failures.poll();
        }
        if (write.stateEpoch() < s.stateEpoch) {
            return Errors.FENCED_STATE_EPOCH;
        }
        if (write.leaderEpoch() < s.leaderEpoch) {
            return Errors.FENCED_LEADER_EPOCH;
        }
        writes++;
        s.leaderEpoch = write.leaderEpoch();
        for (PersistedBatch b : write.batches()) {
            for (long o = b.firstOffset(); o <= b.lastOffset(); o++) {
                s.offsets.put(o, new Offset(b.deliveryState(), b.deliveryCount()));
            }
        }
        if (write.startOffset() >= 0) {
            s.startOffset = Math.max(s.startOffset, write.startOffset());
        }
        s.offsets.headMap(s.startOffset).clear();
        return Errors.NONE;
    }

    @Override
    public synchronized CompletableFuture<ShareStateSummary> readSummary(SharePartitionKey key, int leaderEpoch) {
        State s = states.get(key);
        return CompletableFuture.completedFuture(s == null
                ? new ShareStateSummary(Errors.INVALID_REQUEST, 0, -1, -1, -1)
                : new ShareStateSummary(Errors.NONE, s.stateEpoch, s.leaderEpoch, s.startOffset, -1));
    }

    @Override
    public synchronized CompletableFuture<Errors> delete(SharePartitionKey key) {
        states.remove(key);
        return CompletableFuture.completedFuture(Errors.NONE);
    }

    /** The persisted delivery state id of {@code offset}, -1 when none is held (below the start offset, or never). */
    synchronized int stateOf(SharePartitionKey key, long offset) {
        Offset o = states.get(key).offsets.get(offset);
        return o == null ? -1 : o.state();
    }

    synchronized long startOffset(SharePartitionKey key) {
        return states.get(key).startOffset;
    }

    /** A new state epoch, as AlterShareGroupOffsets would set (fences the current leader's writes). */
    synchronized void bumpStateEpoch(SharePartitionKey key) {
        states.get(key).stateEpoch++;
    }
}
