package io.herald.metadata.quorum.raft;

import io.herald.metadata.quorum.QuorumDescription;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.raftlog.RaftLog;

/**
 * Builds the leader's {@link QuorumDescription} from what Ratis exposes on a leader: its term, its log's commit
 * index and last entry, and per follower the index it last reported committed and how long ago it last answered.
 * A follower's committed index trails its log end by what is in flight, so the voters' log end offsets here are
 * lower bounds; a voter counts as caught up at its last answer when it had committed everything the leader had.
 * Observers come from the {@link LogFetchServer}, which sees their fetches.
 *
 * <p>Stateless; call on the leader (a Ratis query runs there).
 */
final class QuorumDescriber {
    /** Observers silent longer than this are no longer listed (Kafka forgets idle observers too). */
    static final long OBSERVER_SILENCE_MS = 5 * 60_000;

    private QuorumDescriber() {}

    static QuorumDescription describe(RaftServer.Division division, LogFetchServer observers) throws IOException {
        long now = System.currentTimeMillis();
        long term = division.getInfo().getCurrentTerm();
        RaftLog log = division.getRaftLog();
        long committed = log.getLastCommittedIndex();
        Map<String, Long> lastAnswerMs = new HashMap<>();
        for (ServerRpcProto follower : division.getInfo().getRoleInfoProto().getLeaderInfo().getFollowerInfoList()) {
            lastAnswerMs.put(follower.getId().getId().toStringUtf8(), follower.getLastRpcElapsedTimeMs());
        }
        Map<String, Long> committedBy = new HashMap<>();
        for (CommitInfoProto info : division.getCommitInfos()) {
            committedBy.put(info.getServer().getId().toStringUtf8(), info.getCommitIndex());
        }
        String self = division.getId().toString();
        List<QuorumDescription.Replica> voters = new ArrayList<>();
        for (RaftPeer peer : division.getGroup().getPeers()) {
            String id = peer.getId().toString();
            int nodeId = QuorumGroup.nodeId(peer.getId()).orElseThrow();
            if (id.equals(self)) {
                voters.add(new QuorumDescription.Replica(nodeId, log.getLastEntryTermIndex().getIndex(), now, now));
                continue;
            }
            long end = committedBy.getOrDefault(id, -1L);
            Long elapsed = lastAnswerMs.get(id);
            long lastFetch = elapsed == null ? -1 : now - elapsed;
            voters.add(new QuorumDescription.Replica(nodeId, end, lastFetch, end >= committed ? lastFetch : -1));
        }
        voters.sort(java.util.Comparator.comparingInt(QuorumDescription.Replica::nodeId));
        OptionalInt leader = QuorumGroup.nodeId(division.getId());
        return new QuorumDescription(leader.orElseThrow(), term, committed, voters,
                observers.observers(OBSERVER_SILENCE_MS));
    }
}
