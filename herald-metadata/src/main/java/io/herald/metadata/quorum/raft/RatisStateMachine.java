package io.herald.metadata.quorum.raft;

import io.herald.metadata.quorum.QuorumStateMachine;
import java.io.File;
import java.io.IOException;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adapts a {@link QuorumStateMachine} to Ratis.
 *
 * <p>Index bookkeeping (what makes a restart replay only the entries after the snapshot): Ratis starts a member's
 * applied index at the index of {@link #getLatestSnapshot()}, so {@link #initialize} must have restored exactly
 * that snapshot; every applied entry, ours or Raft's own, moves {@link #getLastAppliedTermIndex()} forward, and a
 * snapshot is filed under that term-index. When a leader installs a snapshot on a lagging member, Ratis replaces
 * the snapshot directory, {@link #pause}s this machine and calls {@link #reinitialize} on the apply thread, which
 * restores the new snapshot; Ratis then applies the entries after it.
 *
 * <p>Leadership: {@code onLeaderChange(true)} is sent by {@link #notifyLeaderReady} (the new leader has applied
 * every entry of earlier terms, so the state it answers from is complete) and {@code onLeaderChange(false)} by
 * {@link #notifyNotLeader}; {@link LeadershipEvents} pairs them.
 *
 * <p>Observers: queries of kind {@link QueryCodec#LOG_FETCH} are answered by a {@link LogFetchServer} from
 * the Raft log and the snapshots; every other query goes to the machine's {@code onLeaderRequest}.
 *
 * <p>Threading: {@code initialize} runs on the thread starting the server, before the apply thread exists;
 * {@code applyTransaction}, {@code takeSnapshot} and {@code reinitialize} on Ratis' single apply thread; queries
 * and leadership events on Ratis RPC threads.
 */
final class RatisStateMachine extends BaseStateMachine {
    private static final Logger log = LoggerFactory.getLogger(RatisStateMachine.class);

    private final int nodeId;
    private final QuorumStateMachine machine;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final LeadershipEvents leadership;
    private final long logFetchWaitCapMs;
    /** Told the node id of every new leader this member learns of (points its own requests there). */
    private final IntConsumer onLeaderChanged;
    private volatile LogFetchServer logFetchServer;
    private volatile RaftServer server;
    private volatile RaftGroupId groupId;

    /**
     * @param logFetchWaitCapMs the longest an observer's {@link LogFetch.Request} may be held waiting for a new
     *                          entry (below the observers' request timeout)
     * @param onLeaderChanged   told the node id of each new leader this member learns of
     */
    RatisStateMachine(int nodeId, QuorumStateMachine machine, long logFetchWaitCapMs, IntConsumer onLeaderChanged) {
        this.nodeId = nodeId;
        this.onLeaderChanged = onLeaderChanged;
        this.machine = machine;
        this.leadership = new LeadershipEvents(nodeId, machine);
        this.logFetchWaitCapMs = logFetchWaitCapMs;
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        this.server = server;
        this.groupId = groupId;
        storage.init(raftStorage);
        leadership.attach(() -> {
            try {
                return server.getDivision(groupId).getInfo().isLeader();
            } catch (IOException e) {
                return false; // the division is gone: the server is closing
            }
        }, () -> {
            try {
                return server.getDivision(groupId).getInfo().getCurrentTerm();
            } catch (IOException e) {
                return -1; // closing: no decision of this term reaches the log
            }
        });
        logFetchServer = new LogFetchServer(nodeId, () -> {
            try {
                return server.getDivision(groupId).getRaftLog();
            } catch (IOException e) {
                throw new IllegalStateException("Node " + nodeId + ": the metadata quorum is closing", e);
            }
        }, storage, () -> {
            TermIndex applied = getLastAppliedTermIndex();
            return applied == null ? -1 : applied.getIndex();
        }, logFetchWaitCapMs);
        getLifeCycle().startAndTransition(() -> restoreLatestSnapshot(false));
    }

    @Override
    public void pause() {
        // Ratis pauses the machine before it swaps in a snapshot installed by the leader.
        if (getLifeCycle().getCurrentState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    @Override
    public void reinitialize() throws IOException {
        restoreLatestSnapshot(true);
        if (getLifeCycle().getCurrentState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    private void restoreLatestSnapshot(boolean required) throws IOException {
        SingleFileSnapshotInfo latest = storage.loadLatestSnapshot();
        if (latest == null) {
            if (required) {
                throw new IOException("Node " + nodeId + ": no snapshot to reload in " + storage);
            }
            log.info("Metadata quorum node {}: no snapshot, the state machine starts empty", nodeId);
            return;
        }
        File file = latest.getFile().getPath().toFile();
        MD5Hash md5 = latest.getFile().getFileDigest();
        if (md5 != null) {
            MD5FileUtil.verifySavedMD5(file, md5);
        }
        QuorumStateMachine.Snapshot snapshot = SnapshotFile.read(file.toPath());
        machine.restore(snapshot.bytes(), snapshot.lastIndex());
        setLastAppliedTermIndex(latest.getTermIndex());
        log.info("Metadata quorum node {}: restored snapshot {} (state machine index {}, {} bytes)", nodeId,
                latest.getTermIndex(), snapshot.lastIndex(), snapshot.bytes().length);
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        ByteString logData = entry.getStateMachineLogEntry().getLogData();
        try {
            if (LogEntryCodec.kind(logData) == LogEntryCodec.NUDGE) {
                return CompletableFuture.completedFuture(Message.EMPTY);
            }
            byte[] reply = machine.apply(entry.getIndex(), entry.getTerm(), LogEntryCodec.payload(logData));
            return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(
                    reply == null ? new byte[0] : reply)));
        } catch (RuntimeException e) {
            // Every member applies the same entry: a deterministic failure happens everywhere alike; the appender
            // gets it as a StateMachineException.
            log.error("Metadata quorum node {}: state machine failed to apply entry {}", nodeId,
                    TermIndex.valueOf(entry), e);
            return CompletableFuture.failedFuture(e);
        } finally {
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
            LogFetchServer fetchServer = logFetchServer;
            if (fetchServer != null) {
                fetchServer.onApplied();
            }
        }
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        // Ratis only calls this on the leader, once it is ready (read option DEFAULT).
        try {
            ByteString query = request.getContent();
            CompletableFuture<byte[]> reply = switch (QueryCodec.kind(query)) {
                case QueryCodec.LOG_FETCH -> logFetchServer.fetch(QueryCodec.logFetchPayload(query));
                case QueryCodec.DESCRIBE -> CompletableFuture.completedFuture(
                        QuorumDescriber.describe(division(), logFetchServer).encode());
                default -> machine.onLeaderRequest(QueryCodec.machinePayload(query));
            };
            return reply.thenApply(bytes -> Message.valueOf(ByteString.copyFrom(bytes == null ? new byte[0] : bytes)));
        } catch (RuntimeException | IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private RaftServer.Division division() throws IOException {
        return server.getDivision(groupId);
    }

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex applied = getLastAppliedTermIndex();
        if (applied == null || applied.getIndex() < 0) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        SingleFileSnapshotInfo latest = storage.getLatestSnapshot();
        if (latest != null && latest.getIndex() >= applied.getIndex()) {
            return latest.getIndex();
        }
        // On the apply thread: no entry is being applied, so the machine's state is exactly "after applied".
        // Failures are IOExceptions: Ratis logs those and carries on, but closes the server on anything else.
        QuorumStateMachine.Snapshot snapshot;
        try {
            snapshot = machine.snapshot();
        } catch (RuntimeException e) {
            throw new IOException("Node " + nodeId + ": state machine failed to take a snapshot", e);
        }
        if (snapshot.lastIndex() > applied.getIndex()) {
            throw new IOException("Node " + nodeId + ": state machine snapshot claims index "
                    + snapshot.lastIndex() + " but only " + applied + " was applied");
        }
        File file = storage.getSnapshotFile(applied.getTerm(), applied.getIndex());
        SnapshotFile.write(file.toPath(), snapshot);
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), applied));
        log.info("Metadata quorum node {}: took snapshot {} (state machine index {}, {} bytes)", nodeId, applied,
                snapshot.lastIndex(), snapshot.bytes().length);
        return applied.getIndex();
    }

    @Override
    public void notifyLeaderReady() {
        leadership.leaderReady();
    }

    @Override
    public void notifyNotLeader(Collection<TransactionContext> pendingEntries) {
        leadership.notLeader();
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId newLeaderId) {
        log.info("Metadata quorum node {}: leader is now node {}", nodeId, newLeaderId);
        QuorumGroup.nodeId(newLeaderId).ifPresent(onLeaderChanged);
    }

    /** This member is shutting down: it is no longer the leader, whatever Ratis says last. */
    void closing() {
        leadership.notLeader();
        LogFetchServer fetchServer = logFetchServer;
        if (fetchServer != null) {
            fetchServer.close();
        }
    }
}
