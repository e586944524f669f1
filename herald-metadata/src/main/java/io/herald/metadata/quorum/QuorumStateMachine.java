package io.herald.metadata.quorum;

import java.util.concurrent.CompletableFuture;

/**
 * What a {@link MetadataQuorum} member runs: a deterministic function of the committed entries.
 *
 * <p>Determinism is the contract: given the same snapshot and the same entries, every member must reach the
 * same state and produce the same replies (no clocks, no randomness, no local config inside
 * {@link #apply}; anything like that travels inside the entry).
 *
 * <p>Threading: {@link #restore} and {@link #apply} are called on the quorum's single apply thread, in log
 * order. {@link #snapshot} may be called from another thread and must return a consistent state.
 * {@link #onLeaderRequest} and {@link #onLeaderChange} are called on quorum threads; they must not block.
 */
public interface QuorumStateMachine {

    /** Replaces all state with a snapshot taken by {@link #snapshot} on some member; {@code lastIndex} is the
     * index of the last entry it includes. */
    void restore(byte[] snapshot, long lastIndex);

    /**
     * Applies the committed entry at {@code index} (indexes increase, not necessarily by one); returns the
     * reply for whoever appended it. {@code term} is the leadership term in which the entry was appended (the
     * Raft term of its log entry; always 1 on a quorum of one): what lets a machine refuse decisions that a
     * leader of an older term made but that reached the log only after it was deposed.
     */
    byte[] apply(long index, long term, byte[] entry);

    /** The state after the last applied entry, for {@link #restore}, and that entry's index. */
    Snapshot snapshot();

    /** A request that only the leader answers (see {@link MetadataQuorum#askLeader}). */
    CompletableFuture<byte[]> onLeaderRequest(byte[] request);

    /** This member became the leader of {@code term} ({@code isLeader}) or stopped being the leader. */
    void onLeaderChange(boolean isLeader, long term);

    /** A snapshot's bytes and the index of the last entry it includes. */
    record Snapshot(byte[] bytes, long lastIndex) {}
}
