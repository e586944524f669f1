package io.herald.coordinator.share;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Errors;

/**
 * A {@link ShareStatePersister} in memory, for tests of the layers that use one, with the share coordinator's
 * answers: a read of a key never initialized is INVALID_REQUEST (Kafka 4.3's "read on uninitialized share
 * partition"), writes of an older state or leader epoch are fenced, a write merges its batches over what is held
 * and drops those below the new start offset. Thread-safe (synchronized).
 */
public final class InMemoryShareStatePersister implements ShareStatePersister {
    private static final class State {
        int stateEpoch;
        int leaderEpoch = -1;
        long startOffset;
        int deliveryCompleteCount = -1;
        final TreeMap<Long, PersistedBatch> batches = new TreeMap<>();
    }

    private final Map<SharePartitionKey, State> states = new HashMap<>();
    private int writes;

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
                new ArrayList<>(s.batches.values())));
    }

    @Override
    public synchronized CompletableFuture<Errors> write(SharePartitionKey key, ShareStateWrite write) {
        State s = states.computeIfAbsent(key, k -> new State());
        if (write.stateEpoch() < s.stateEpoch) {
            return CompletableFuture.completedFuture(Errors.FENCED_STATE_EPOCH);
        }
        if (write.leaderEpoch() < s.leaderEpoch) {
            return CompletableFuture.completedFuture(Errors.FENCED_LEADER_EPOCH);
        }
        writes++;
        s.leaderEpoch = write.leaderEpoch();
        if (write.startOffset() >= 0) {
            s.startOffset = write.startOffset();
        }
        s.deliveryCompleteCount = write.deliveryCompleteCount();
        for (PersistedBatch b : write.batches()) {
            // the new batch replaces whatever overlapped it
            s.batches.entrySet().removeIf(e -> e.getValue().lastOffset() >= b.firstOffset()
                    && e.getValue().firstOffset() <= b.lastOffset());
            s.batches.put(b.firstOffset(), b);
        }
        s.batches.entrySet().removeIf(e -> e.getValue().lastOffset() < s.startOffset);
        return CompletableFuture.completedFuture(Errors.NONE);
    }

    @Override
    public synchronized CompletableFuture<ShareStateSummary> readSummary(SharePartitionKey key, int leaderEpoch) {
        State s = states.get(key);
        if (s == null) {
            return CompletableFuture.completedFuture(new ShareStateSummary(Errors.INVALID_REQUEST, 0, -1, -1, -1));
        }
        return CompletableFuture.completedFuture(new ShareStateSummary(Errors.NONE, s.stateEpoch, s.leaderEpoch,
                s.startOffset, s.deliveryCompleteCount));
    }

    @Override
    public synchronized CompletableFuture<Errors> delete(SharePartitionKey key) {
        states.remove(key);
        return CompletableFuture.completedFuture(Errors.NONE);
    }

    /** What is held for the key, if anything (tests). */
    public synchronized boolean contains(SharePartitionKey key) {
        return states.containsKey(key);
    }

    /** How many writes were accepted (tests). */
    public synchronized int writes() {
        return writes;
    }
}
