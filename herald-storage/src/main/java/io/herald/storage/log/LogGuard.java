package io.herald.storage.log;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.apache.kafka.common.errors.KafkaStorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partition lock of one {@link PartitionLog} and the log's availability. Mutations run under the lock and
 * only while the log is online and open; an I/O failure in one takes the log offline for good, because its files
 * may now disagree with its offsets. The first failure is logged once and handed to the failure handler, through
 * which the {@link LogManager} takes the whole log dir offline (as Kafka does) and later recovers it into a new
 * log object; later failures of the same log are not logged again (a full disk fails every append).
 *
 * <p>Thread-safety: thread-safe; the flags are volatile so that readers check them without the lock.
 */
final class LogGuard {
    private static final Logger LOG = LoggerFactory.getLogger(LogGuard.class);

    /** A mutation of an online log, under the lock; an I/O failure takes the log offline. */
    @FunctionalInterface
    interface LockedIo<T> {
        T run() throws IOException;
    }

    /** A {@link LockedIo} without a result. */
    @FunctionalInterface
    interface LockedIoAction {
        void run() throws IOException;
    }

    private final Object owner;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean offline;
    private volatile boolean closed;
    private volatile Consumer<String> failureHandler = reason -> { };

    /** @param owner names the log in messages */
    LogGuard(Object owner) {
        this.owner = owner;
    }

    ReentrantLock lock() {
        return lock;
    }

    boolean isHeldByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }

    boolean isOffline() {
        return offline;
    }

    boolean isClosed() {
        return closed;
    }

    /** Under the lock: no mutation may follow. */
    void markClosed() {
        assert lock.isHeldByCurrentThread();
        closed = true;
    }

    /** @throws KafkaStorageException the log is offline or closed */
    void ensureOnline() {
        if (offline) {
            throw new KafkaStorageException(owner + " is offline after an earlier disk error");
        }
        if (closed) {
            throw new KafkaStorageException(owner + " is closed");
        }
    }

    /** Told once, on the failing thread (possibly under the lock), when a failure takes the log offline. */
    void onFailure(Consumer<String> handler) {
        this.failureHandler = handler;
    }

    /** Takes the log offline without a failure of its own (its log dir failed); nothing is logged. */
    void markOffline() {
        offline = true;
    }

    /** Takes the log offline after {@code e}; the exception to throw. Only the first failure is logged. */
    KafkaStorageException fail(String operation, IOException e) {
        boolean first;
        synchronized (this) {
            first = !offline;
            offline = true;
        }
        if (first) {
            LOG.error("{}: {} failed; the log is offline: {}", owner, operation, e.toString());
            try {
                failureHandler.accept(owner + ": " + operation + " failed: " + e);
            } catch (RuntimeException handlerFailure) {
                LOG.error("{}: the storage-failure handler failed", owner, handlerFailure);
            }
        } else {
            LOG.debug("{}: {} failed again: {}", owner, operation, e.toString());
        }
        return new KafkaStorageException(owner + ": " + operation + " failed", e);
    }

    /** Runs {@code body} under the lock, whatever the log's state. */
    <T> T withLock(Supplier<T> body) {
        lock.lock();
        try {
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    /** Runs a mutation under the lock if the log is online; an I/O failure takes it offline. */
    <T> T underLock(String operation, LockedIo<T> body) {
        lock.lock();
        try {
            ensureOnline();
            return body.run();
        } catch (IOException e) {
            throw fail(operation, e);
        } finally {
            lock.unlock();
        }
    }

    void underLock(String operation, LockedIoAction body) {
        underLock(operation, () -> {
            body.run();
            return null;
        });
    }
}
