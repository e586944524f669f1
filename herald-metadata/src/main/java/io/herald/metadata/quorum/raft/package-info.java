/**
 * The metadata quorum on Apache Ratis: {@link io.herald.metadata.quorum.raft.RaftMetadataQuorum} is one
 * member (a controller listed in {@code controller.quorum.voters}), {@link
 * io.herald.metadata.quorum.raft.RaftQuorumSettings} its tuning. Everything else here is package-private glue
 * between Ratis and {@link io.herald.metadata.quorum.QuorumStateMachine}.
 */
package io.herald.metadata.quorum.raft;
