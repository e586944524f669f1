package io.herald.metadata.quorum.raft;

import io.herald.metadata.quorum.MetadataQuorum.NoLeaderException;
import io.herald.metadata.quorum.QuorumDescription;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * How one node (voter or observer) reaches the quorum's leader: appends and read-only queries through a
 * {@link QuorumClient}, which finds the leader (a follower answers "not leader, try N") and retries until
 * {@link RaftQuorumSettings#noLeaderTimeout()}.
 *
 * <p>Failures as {@link io.herald.metadata.quorum.MetadataQuorum} names them: retries exhausted is
 * {@link NoLeaderException}; a failure of the state machine on the leader is passed on as Ratis reports it
 * ({@link StateMachineException}, carrying the original exception's class and message).
 *
 * <p>Thread-safety: thread-safe.
 */
final class LeaderChannel implements AutoCloseable {
    private final int nodeId;
    private final RaftQuorumSettings settings;
    private final QuorumClient client;

    /**
     * @param firstTry the voter asked first (a voter asks itself: its own server knows the leader at once)
     */
    LeaderChannel(int nodeId, QuorumGroup group, int firstTry, RaftQuorumSettings settings) {
        this.nodeId = nodeId;
        this.settings = Objects.requireNonNull(settings, "settings");
        this.client = new QuorumClient(nodeId, leader -> RaftClient.newBuilder()
                .setClientId(ClientId.randomId())
                .setRaftGroup(group.raftGroup())
                .setLeaderId(leader)
                .setProperties(RatisProperties.client(settings))
                .setParameters(RatisProperties.parameters(settings, false))
                .setRetryPolicy(RatisProperties.clientRetryPolicy(settings))
                .build(),
                QuorumGroup.peerId(firstTry), settings.noLeaderTimeout().plus(settings.requestTimeout()).multipliedBy(2));
    }

    /** Appends a log entry (already framed by {@link LogEntryCodec}); completes with the leader's reply. */
    CompletableFuture<byte[]> append(ByteString logEntry, String what) {
        Message message = Message.valueOf(logEntry);
        return reply(client.send(raft -> raft.async().send(message)), what);
    }

    /** Sends a query (framed by {@link QueryCodec}) that only the ready leader answers. */
    CompletableFuture<byte[]> query(ByteString query, String what) {
        // Read option DEFAULT: only the leader (once ready) answers; a follower replies NotLeader and the client
        // retries at the leader it names.
        Message message = Message.valueOf(query);
        return reply(client.send(raft -> raft.async().sendReadOnly(message)), what);
    }

    /** The local member learned that node {@code leaderId} leads: new requests go there first. */
    void leaderChanged(int leaderId) {
        client.leaderChanged(QuorumGroup.peerId(leaderId));
    }

    /** {@code MetadataQuorum.append}: a state-machine entry. */
    CompletableFuture<byte[]> appendEntry(byte[] entry) {
        return append(LogEntryCodec.machineEntry(entry), "append");
    }

    /** {@code MetadataQuorum.askLeader}: a request for the machine's {@code onLeaderRequest}. */
    CompletableFuture<byte[]> askLeader(byte[] request) {
        return query(QueryCodec.machineRequest(request), "askLeader");
    }

    /** {@code MetadataQuorum.describe}: the quorum as the leader sees it. */
    CompletableFuture<QuorumDescription> describe() {
        return query(QueryCodec.describe(), "describe").thenApply(QuorumDescription::decode);
    }

    @Override
    public void close() {
        client.close();
    }

    private CompletableFuture<byte[]> reply(CompletableFuture<RaftClientReply> future, String what) {
        return future.handle((reply, error) -> {
            if (error != null) {
                throw new CompletionException(translate(error, what));
            }
            return reply.getMessage().getContent().toByteArray();
        });
    }

    private Throwable translate(Throwable error, String what) {
        Throwable cause = QuorumClient.unwrap(error);
        // Requests queued behind one whose retries ran out fail with AlreadyClosedException caused by it.
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof RaftRetryFailureException) {
                return new NoLeaderException("metadata quorum " + what + " from node " + nodeId
                        + ": no leader answered within " + settings.noLeaderTimeout().toMillis() + " ms", cause);
            }
        }
        return cause;
    }
}
