package io.herald.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.time.ManualTime;
import io.herald.storage.config.LogConfig;
import io.herald.storage.testutil.TestRecords;
import io.herald.storage.testutil.TestRecords.KV;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code flush.messages} promises: the append that reaches it returns only after the fsync. */
class FlushPolicyTest {
    private static final TopicPartition TP = new TopicPartition("flush", 0);

    @TempDir
    Path root;
    private final ManualTime time = new ManualTime();
    private PartitionLog log;

    @AfterEach
    void close() {
        log.close();
    }

    @Test
    void theAppendThatReachesFlushMessagesIsDurableWhenItReturns() throws Exception {
        log = PartitionLog.open(root.resolve("flush-0"), TP, LogConfig.from(Map.of("flush.messages", 3)), time,
            false, PartitionCheckpoint.NONE);
        log.appendAsLeader(TestRecords.batch(List.of(KV.of("a", "1"))), 0);
        log.appendAsLeader(TestRecords.batch(List.of(KV.of("b", "1"))), 0);
        assertThat(log.recoveryPoint()).as("two unflushed messages: below flush.messages").isZero();
        log.appendAsLeader(TestRecords.batch(List.of(KV.of("c", "1"), KV.of("d", "1"))), 0);
        assertThat(log.recoveryPoint()).isEqualTo(4).isEqualTo(log.logEndOffset());
    }

    @Test
    void followerAppendsHonourFlushMessagesToo() throws Exception {
        log = PartitionLog.open(root.resolve("flush-0"), TP, LogConfig.from(Map.of("flush.messages", 1)), time,
            false, PartitionCheckpoint.NONE);
        var batch = TestRecords.batch(List.of(KV.of("a", "1"), KV.of("b", "2")));
        batch.batches().iterator().next().setLastOffset(1);
        log.appendAsFollower(batch);
        assertThat(log.recoveryPoint()).isEqualTo(2);
    }

    @Test
    void truncationMovesTheRecoveryPointBackAndAFlushForwardAgain() throws Exception {
        log = PartitionLog.open(root.resolve("flush-0"), TP, LogConfig.defaults(), time, false, PartitionCheckpoint.NONE);
        for (int i = 0; i < 5; i++) {
            log.appendAsLeader(TestRecords.batch(List.of(KV.of("k", "v" + i))), 0);
        }
        log.flush();
        assertThat(log.recoveryPoint()).isEqualTo(5);
        log.truncateTo(3);
        assertThat(log.recoveryPoint()).isEqualTo(3);
        log.appendAsLeader(TestRecords.batch(List.of(KV.of("k", "again"))), 0);
        assertThat(log.recoveryPoint()).isEqualTo(3);
        log.flush();
        assertThat(log.recoveryPoint()).isEqualTo(4);
    }
}
