package io.herald.metadata.quorum.raft;

import io.herald.metadata.quorum.QuorumStateMachine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A deterministic test state machine: its state is the list of applied strings. Records every callback so tests
 * can check what the quorum did: which indexes were applied, which snapshot was restored, which leader requests
 * and leadership changes arrived. Replies name the member that produced them (fine for a test: replies are not
 * state) so a test can tell whose reply an appender got.
 *
 * <p>Thread-safety: state mutated on the quorum's apply thread only; readers see it through synchronized access.
 */
final class ToyMachine implements QuorumStateMachine {
    private final int nodeId;
    private final List<String> state = new ArrayList<>();       // guarded by this
    private long lastIndex = -1;                                 // guarded by this
    final List<Long> appliedIndexes = new CopyOnWriteArrayList<>();
    final List<Long> restoredAt = new CopyOnWriteArrayList<>();
    final List<String> leaderRequests = new CopyOnWriteArrayList<>();
    final List<Boolean> leaderChanges = new CopyOnWriteArrayList<>();
    final List<String> violations = new CopyOnWriteArrayList<>();

    ToyMachine(int nodeId) {
        this.nodeId = nodeId;
    }

    @Override
    public synchronized void restore(byte[] snapshot, long index) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
            int count = in.readInt();
            List<String> restored = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                restored.add(in.readUTF());
            }
            state.clear();
            state.addAll(restored);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        lastIndex = index;
        restoredAt.add(index);
    }

    @Override
    public synchronized byte[] apply(long index, long term, byte[] entry) {
        if (index <= lastIndex) {
            violations.add("apply(" + index + ") after index " + lastIndex);
        }
        lastIndex = index;
        appliedIndexes.add(index);
        String value = new String(entry, StandardCharsets.UTF_8);
        state.add(value);
        return (value + "@" + index + " by " + nodeId).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public synchronized Snapshot snapshot() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(state.size());
            for (String value : state) {
                out.writeUTF(value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Snapshot(bytes.toByteArray(), lastIndex);
    }

    @Override
    public CompletableFuture<byte[]> onLeaderRequest(byte[] request) {
        String text = new String(request, StandardCharsets.UTF_8);
        leaderRequests.add(text);
        return CompletableFuture.completedFuture(("node " + nodeId + " answers " + text)
                .getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void onLeaderChange(boolean isLeader, long term) {
        boolean previous = !leaderChanges.isEmpty() && leaderChanges.getLast();
        if (previous == isLeader) {
            violations.add("onLeaderChange(" + isLeader + ") while leader was " + previous);
        }
        leaderChanges.add(isLeader);
    }

    synchronized List<String> state() {
        return List.copyOf(state);
    }

    int nodeId() {
        return nodeId;
    }
}
