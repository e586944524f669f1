package io.herald.metadata.quorum.raft;

import io.herald.metadata.quorum.QuorumDescription;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * Answers observers' {@link LogFetch.Request}s on a voter (Ratis only routes them to the leader): committed
 * state-machine entries read from the Raft log, or the latest snapshot when the asked index was purged already.
 *
 * <p>Long poll: a request for an index not yet applied here waits until {@link #onApplied} reports a new entry
 * or until its {@code maxWaitMs} (capped at {@code maxWaitCapMs}, below the observer's request timeout) runs
 * out, and is then answered with whatever is there (possibly nothing). A waiting request holds no thread.
 *
 * <p>Only applied entries are served, so an observer never sees an entry that could still be truncated.
 *
 * <p>Threading: {@link #fetch} on Ratis RPC threads, {@link #onApplied} on the apply thread; log and snapshot
 * reads run on this server's own thread so neither of those blocks on disk.
 */
final class LogFetchServer implements AutoCloseable {
    private final int nodeId;
    private final Supplier<RaftLog> raftLog;
    private final SimpleStateMachineStorage storage;
    private final LongSupplier appliedIndex;
    private final long maxWaitCapMs;
    private final Queue<CompletableFuture<Void>> waiting = new ConcurrentLinkedQueue<>();
    private final ExecutorService reader;
    private final Map<Integer, QuorumDescription.Replica> observers = new ConcurrentHashMap<>();

    LogFetchServer(int nodeId, Supplier<RaftLog> raftLog, SimpleStateMachineStorage storage,
                   LongSupplier appliedIndex, long maxWaitCapMs) {
        this.nodeId = nodeId;
        this.raftLog = raftLog;
        this.storage = storage;
        this.appliedIndex = appliedIndex;
        this.maxWaitCapMs = maxWaitCapMs;
        this.reader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "herald-metadata-log-server-" + nodeId);
            t.setDaemon(true);
            return t;
        });
    }

    CompletableFuture<byte[]> fetch(LogFetch.Request request) {
        noteObserver(request);
        CompletableFuture<Void> ready = new CompletableFuture<>();
        if (request.fromIndex() > appliedIndex.getAsLong() && request.maxWaitMs() > 0) {
            // Registered before the second look, so an entry applied in between still wakes it.
            waiting.add(ready);
            if (request.fromIndex() <= appliedIndex.getAsLong()) {
                ready.complete(null);
            }
            ready.completeOnTimeout(null, Math.min(request.maxWaitMs(), maxWaitCapMs), TimeUnit.MILLISECONDS);
            ready.whenComplete((ignored, error) -> waiting.remove(ready)); // a quiet log must not pile them up
        } else {
            ready.complete(null);
        }
        return ready.thenApplyAsync(ignored -> answer(request).encode(), reader);
    }

    /**
     * Remembers where an observer is: it has applied everything before the index it asks for, and it has
     * caught up when that is past what is applied here.
     */
    private void noteObserver(LogFetch.Request request) {
        long now = System.currentTimeMillis();
        boolean caughtUp = request.fromIndex() > appliedIndex.getAsLong();
        observers.compute(request.observerId(), (id, before) -> new QuorumDescription.Replica(id,
                request.fromIndex() - 1, now, caughtUp ? now : before == null ? -1 : before.lastCaughtUpTimestamp()));
    }

    /** The observers heard from within {@code maxSilenceMs}, by node id (forgetting the others). */
    List<QuorumDescription.Replica> observers(long maxSilenceMs) {
        long oldest = System.currentTimeMillis() - maxSilenceMs;
        observers.values().removeIf(o -> o.lastFetchTimestamp() < oldest);
        return observers.values().stream().sorted(Comparator.comparingInt(QuorumDescription.Replica::nodeId))
                .toList();
    }

    /** An entry was applied here: every waiting request is answered (each re-reads from its own index). */
    void onApplied() {
        for (CompletableFuture<Void> next; (next = waiting.poll()) != null; ) {
            next.complete(null);
        }
    }

    private LogFetch.Answer answer(LogFetch.Request request) {
        RaftLog log = raftLog.get();
        long applied = appliedIndex.getAsLong();
        long from = request.fromIndex();
        if (from < log.getStartIndex()) {
            return snapshot();
        }
        List<LogFetch.Entry> entries = new ArrayList<>();
        long bytes = 0;
        long index = from;
        for (; index <= applied && (entries.isEmpty() || bytes < request.maxBytes()); index++) {
            LogEntryProto entry;
            try {
                entry = log.get(index);
            } catch (IOException e) {
                throw new IllegalStateException("Node " + nodeId + ": reading metadata log entry " + index, e);
            }
            if (entry == null) {
                if (index == from) {
                    return snapshot(); // purged since the start index was read
                }
                break;
            }
            if (!entry.hasStateMachineLogEntry()) {
                continue; // Raft's own: configuration, a new leader's first entry
            }
            ByteString data = entry.getStateMachineLogEntry().getLogData();
            if (LogEntryCodec.kind(data) == LogEntryCodec.MACHINE) {
                byte[] payload = LogEntryCodec.payload(data);
                entries.add(new LogFetch.Entry(index, entry.getTerm(), payload));
                bytes += payload.length;
            }
        }
        return new LogFetch.Entries(nodeId, index, applied, entries);
    }

    private LogFetch.Snapshot snapshot() {
        SingleFileSnapshotInfo latest = storage.getLatestSnapshot();
        if (latest == null) {
            throw new IllegalStateException("Node " + nodeId + ": the metadata log was purged but no snapshot is "
                    + "there to send");
        }
        try {
            var snapshot = SnapshotFile.read(latest.getFile().getPath());
            return new LogFetch.Snapshot(nodeId, latest.getIndex() + 1, snapshot.lastIndex(), snapshot.bytes());
        } catch (IOException e) {
            throw new IllegalStateException("Node " + nodeId + ": reading snapshot " + latest.getTermIndex(), e);
        }
    }

    @Override
    public void close() {
        onApplied();
        reader.shutdownNow();
    }
}
