package io.herald.metadata.api;

import io.herald.metadata.quorum.QuorumDescription;
import java.util.concurrent.CompletableFuture;

/** The metadata quorum as its leader sees it (DescribeQuorum). */
@FunctionalInterface
public interface QuorumView {
    /** Fails with NOT_LEADER_OR_FOLLOWER when no leader is reachable. */
    CompletableFuture<QuorumDescription> describeQuorum();
}
