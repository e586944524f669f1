package io.herald.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.time.ManualTime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The flush protocol of {@link RecoveryPoint}: no partition lock during the fsync, and truncation wins. */
@Timeout(30)
class RecoveryPointTest {
    private final ReentrantLock lock = new ReentrantLock();
    private final ManualTime time = new ManualTime();
    private final AtomicLong logEnd = new AtomicLong(10);
    private final FlushStats stats = new FlushStats();
    private final RecoveryPoint recoveryPoint = new RecoveryPoint(lock, time, 4, stats);

    @Test
    void flushFsyncsFromTheRecoveryPointToTheLogEndAndPublishesIt() throws Exception {
        List<long[]> fsyncs = new ArrayList<>();
        time.advance(5);
        recoveryPoint.flush(logEnd::get, (from, to) -> fsyncs.add(new long[] {from, to}));
        assertThat(fsyncs).containsExactly(new long[] {4, 10});
        assertThat(recoveryPoint.offset()).isEqualTo(10);
        assertThat(recoveryPoint.lastFlushMs()).isEqualTo(time.milliseconds());
        assertThat(stats.count()).isEqualTo(1);
        recoveryPoint.flush(logEnd::get, (from, to) -> fsyncs.add(new long[] {from, to}));
        assertThat(fsyncs).as("nothing new: no fsync").hasSize(1);
        assertThat(stats.count()).as("an empty flush is not counted").isEqualTo(1);
    }

    @Test
    void thePartitionLockIsFreeWhileTheFsyncRuns() throws Exception {
        CountDownLatch inFsync = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> flush = CompletableFuture.runAsync(() -> {
            try {
                recoveryPoint.flush(logEnd::get, (from, to) -> {
                    inFsync.countDown();
                    try {
                        release.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertThat(inFsync.await(20, TimeUnit.SECONDS)).isTrue();
        // An appender takes the lock and moves the log end while the fsync is still running.
        assertThat(lock.tryLock(20, TimeUnit.SECONDS)).as("appends are not blocked by the fsync").isTrue();
        logEnd.set(15);
        lock.unlock();
        release.countDown();
        flush.get(20, TimeUnit.SECONDS);
        assertThat(recoveryPoint.offset()).as("only what was fsynced counts").isEqualTo(10);
    }

    @Test
    void aTruncationDuringTheFsyncKeepsTheRecoveryPoint() throws Exception {
        recoveryPoint.flush(logEnd::get, (from, to) -> {
            lock.lock();
            try {
                // Truncated to 6 and appended again up to 12: offsets 6..9 now hold other bytes than were fsynced.
                recoveryPoint.onTruncation(6);
                logEnd.set(12);
            } finally {
                lock.unlock();
            }
        });
        assertThat(recoveryPoint.offset()).isEqualTo(4);
        recoveryPoint.flush(logEnd::get, (from, to) -> { });
        assertThat(recoveryPoint.offset()).isEqualTo(12);
    }

    @Test
    void truncationBelowTheRecoveryPointLowersIt() {
        recoveryPoint.onTruncation(2);
        assertThat(recoveryPoint.offset()).isEqualTo(2);
        recoveryPoint.onTruncation(7);
        assertThat(recoveryPoint.offset()).isEqualTo(2);
        recoveryPoint.resetTo(100);
        assertThat(recoveryPoint.offset()).isEqualTo(100);
        assertThat(recoveryPoint.flushDue(101, 1)).isTrue();
        assertThat(recoveryPoint.flushDue(101, 2)).isFalse();
    }
}
