package io.herald.metadata.quorum.raft;

import io.herald.metadata.quorum.MetadataQuorum;
import io.herald.metadata.quorum.QuorumDescription;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * What a voter ({@link RaftMetadataQuorum}) and an observer ({@link ObserverMetadataQuorum}) do alike: appends,
 * leader requests and describe go to the leader through the member's {@link LeaderChannel}.
 *
 * <p>Thread-safety: as the subclasses ({@link #channel} is read once per call).
 */
abstract sealed class LeaderChannelQuorum implements MetadataQuorum
        permits RaftMetadataQuorum, ObserverMetadataQuorum {

    /** The member's channel to the leader; null before start and after close. */
    abstract LeaderChannel channel();

    @Override
    public final CompletableFuture<byte[]> append(byte[] entry) {
        Objects.requireNonNull(entry, "entry");
        return viaLeader(c -> c.appendEntry(entry));
    }

    @Override
    public final CompletableFuture<byte[]> askLeader(byte[] request) {
        Objects.requireNonNull(request, "request");
        return viaLeader(c -> c.askLeader(request));
    }

    @Override
    public final CompletableFuture<QuorumDescription> describe() {
        return viaLeader(LeaderChannel::describe);
    }

    private <T> CompletableFuture<T> viaLeader(Function<LeaderChannel, CompletableFuture<T>> call) {
        LeaderChannel c = channel();
        return c == null ? notRunning() : call.apply(c);
    }

    <T> CompletableFuture<T> notRunning() {
        return CompletableFuture.failedFuture(new IllegalStateException("metadata quorum node " + nodeId()
                + " is not running (start it first; it may be closed)"));
    }
}
