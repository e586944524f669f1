package io.herald.metadata.quorum.local;

import io.herald.metadata.quorum.MetadataQuorum;
import io.herald.metadata.quorum.QuorumDescription;
import io.herald.metadata.quorum.QuorumStateMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The quorum of one: a single node without {@code controller.quorum.voters}, and tests. Always the leader.
 * Entries get indexes 1, 2, 3, …; each is written (durable variant: appended to an {@link EntryFile} and
 * fsynced) and then applied, in append order, on one apply thread; {@link #append} completes with the
 * apply's reply. {@link #start} replays the file. {@link #askLeader} calls the machine directly.
 *
 * <p>No snapshots: the whole log is replayed at start (metadata logs of one node stay small).
 *
 * <p>Thread-safety: all methods from any thread; writes and applies are confined to the apply thread.
 */
public final class LocalMetadataQuorum implements MetadataQuorum {
    private static final Logger log = LoggerFactory.getLogger(LocalMetadataQuorum.class);
    /** The file under the metadata directory that holds the entries of the durable variant. */
    public static final String FILE_NAME = "quorum.log";
    /** The one leadership a quorum of one ever has: every entry is of this term. */
    private static final long TERM = 1;

    private final int nodeId;
    private final Optional<EntryFile> file;
    private final ExecutorService applyThread;
    private volatile QuorumStateMachine machine;
    private long lastIndex;
    private volatile IOException failure;

    private LocalMetadataQuorum(int nodeId, Optional<EntryFile> file) {
        this.nodeId = nodeId;
        this.file = file;
        this.applyThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "herald-metadata-apply");
            t.setDaemon(true);
            return t;
        });
    }

    /** Entries kept in memory only (tests). */
    public static LocalMetadataQuorum inMemory(int nodeId) {
        return new LocalMetadataQuorum(nodeId, Optional.empty());
    }

    /** Entries in {@code dir}/{@value #FILE_NAME}, fsynced per append. */
    public static LocalMetadataQuorum durable(int nodeId, Path dir) throws IOException {
        return new LocalMetadataQuorum(nodeId, Optional.of(new EntryFile(dir.resolve(FILE_NAME))));
    }

    @Override
    public void start(QuorumStateMachine machine) throws IOException {
        if (this.machine != null) {
            throw new IllegalStateException("already started");
        }
        this.machine = machine;
        try {
            applyThread.submit(() -> {
                List<byte[]> entries = file.isPresent() ? file.get().readAll() : List.of();
                for (byte[] entry : entries) {
                    machine.apply(++lastIndex, TERM, entry);
                }
                if (!entries.isEmpty()) {
                    log.info("Replayed {} metadata log entries", entries.size());
                }
                machine.onLeaderChange(true, TERM);
                return null;
            }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while replaying the metadata log", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("replaying the metadata log failed", e.getCause());
        }
    }

    @Override
    public CompletableFuture<byte[]> append(byte[] entry) {
        QuorumStateMachine m = machine;
        if (m == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("quorum not started"));
        }
        CompletableFuture<byte[]> reply = new CompletableFuture<>();
        try {
            applyThread.execute(() -> {
                try {
                    if (failure != null) {
                        throw new UncheckedIOException("the metadata log failed earlier", failure);
                    }
                    if (file.isPresent()) {
                        try {
                            file.get().append(entry);
                        } catch (IOException e) {
                            // The file may now end with a torn entry; appending after it would bury later entries.
                            failure = e;
                            log.error("Metadata log append failed; refusing further changes", e);
                            throw new UncheckedIOException(e);
                        }
                    }
                    reply.complete(m.apply(++lastIndex, TERM, entry));
                } catch (RuntimeException e) {
                    reply.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            reply.completeExceptionally(new IllegalStateException("quorum closed", e));
        }
        return reply;
    }

    @Override
    public CompletableFuture<byte[]> askLeader(byte[] request) {
        QuorumStateMachine m = machine;
        if (m == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("quorum not started"));
        }
        return m.onLeaderRequest(request);
    }

    /** Itself, the only voter, with everything it wrote committed (read on the apply thread). */
    @Override
    public CompletableFuture<QuorumDescription> describe() {
        if (machine == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("quorum not started"));
        }
        try {
            return CompletableFuture.supplyAsync(() -> {
                long now = System.currentTimeMillis();
                return new QuorumDescription(nodeId, TERM, lastIndex,
                        List.of(new QuorumDescription.Replica(nodeId, lastIndex, now, now)), List.of());
            }, applyThread);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("quorum closed", e));
        }
    }

    @Override
    public OptionalInt leaderId() {
        return machine == null ? OptionalInt.empty() : OptionalInt.of(nodeId);
    }

    @Override
    public int nodeId() {
        return nodeId;
    }

    @Override
    public void close() throws IOException {
        applyThread.shutdown();
        try {
            if (!applyThread.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("Metadata apply thread did not finish within 10 s");
                applyThread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (file.isPresent()) {
            file.get().close();
        }
    }
}
