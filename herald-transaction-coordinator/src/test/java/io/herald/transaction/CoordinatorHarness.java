package io.herald.transaction;

import io.herald.common.concurrent.ManualExecutor;
import io.herald.common.time.ManualTime;
import io.herald.common.timer.ManualTimer;
import io.herald.coordinator.runtime.MemoryLog;
import io.herald.transaction.record.TransactionRecord;
import io.herald.transaction.state.TransactionMetadata;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;

/**
 * A transaction coordinator driven by hand: a manual loop, clock and timer, an in-memory
 * {@code __transaction_state} whose high watermark the test moves ({@link #settle} commits everything), producer
 * ids from a counter, and markers that stay pending until the test completes them. Nothing sleeps.
 */
final class CoordinatorHarness {
    static final int PARTITIONS = 3;
    static final TransactionConfig CONFIG = TransactionConfig.defaults().withStateLogPartitions(PARTITIONS)
            .withOffsetsTopicPartitions(5).withCommitTimeoutMs(5_000);

    final ManualTime time = new ManualTime();
    final ManualTimer timer = new ManualTimer(time);
    final ManualExecutor loop = new ManualExecutor();
    final MemoryLog<TransactionRecord> log = new MemoryLog<>(timer);
    final AtomicLong nextProducerId = new AtomicLong(1000);
    final FakeMarkerChannel markers = new FakeMarkerChannel();
    final TransactionConfig config;
    TransactionCoordinator coordinator;
    int leaderEpoch;

    CoordinatorHarness() {
        this(CONFIG);
    }

    CoordinatorHarness(TransactionConfig config) {
        this.config = config;
        this.coordinator = newCoordinator();
    }

    TransactionCoordinator newCoordinator() {
        return TransactionCoordinator.onLoop(config, log, nextProducerId::getAndIncrement, markers, time, timer,
                loop);
    }

    /** This coordinator leads every partition at the next leader epoch, and has loaded them. */
    CoordinatorHarness leadAll() {
        leaderEpoch++;
        for (int p = 0; p < PARTITIONS; p++) {
            coordinator.onBecomeLeader(p, leaderEpoch);
        }
        settle();
        return this;
    }

    /**
     * Failover to a new coordinator on another broker: the old one resigns, the uncommitted suffix is gone, a new
     * coordinator leads at a higher epoch and loads the log.
     */
    void failover() {
        for (int p = 0; p < PARTITIONS; p++) {
            coordinator.onResign(p, leaderEpoch);
            log.failover(p);
        }
        loop.runAll();
        coordinator = newCoordinator();
        leadAll();
    }

    /** Runs the loop and lets the ISR catch up, until nothing is left to do. */
    void settle() {
        for (int i = 0; i < 100; i++) {
            loop.runAll();
            for (int p = 0; p < PARTITIONS; p++) {
                log.commit(p);
            }
            if (loop.queued() == 0) {
                return;
            }
        }
        throw new AssertionError("the coordinator does not settle");
    }

    <T> T await(CompletableFuture<T> future) {
        settle();
        if (!future.isDone()) {
            throw new AssertionError("not answered after the loop settled");
        }
        return future.join();
    }

    /** Completes every pending marker write and lets the Complete records commit. */
    void writeAllMarkers() {
        markers.pending().forEach(w -> w.future().complete(null));
        settle();
    }

    Optional<TransactionMetadata> metadata(String transactionalId) {
        return await(coordinator.metadata(transactionalId));
    }

    // ---- requests ----

    static InitProducerIdRequestData init(String id, int timeoutMs) {
        return new InitProducerIdRequestData().setTransactionalId(id).setTransactionTimeoutMs(timeoutMs);
    }

    static InitProducerIdRequestData init(String id, long producerId, short epoch) {
        return init(id, 60_000).setProducerId(producerId).setProducerEpoch(epoch);
    }

    static AddPartitionsToTxnRequestData addV3(String id, long producerId, short epoch, TopicPartition... partitions) {
        var topics = new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection();
        for (TopicPartition tp : partitions) {
            var topic = topics.find(tp.topic());
            if (topic == null) {
                topic = new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic().setName(tp.topic());
                topics.add(topic);
            }
            topic.partitions().add(tp.partition());
        }
        return new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId(id).setV3AndBelowProducerId(producerId)
                .setV3AndBelowProducerEpoch(epoch).setV3AndBelowTopics(topics);
    }

    /** A partition leader's request (v4+) for one transaction. */
    static AddPartitionsToTxnRequestData addByLeader(String id, long producerId, short epoch, boolean verifyOnly,
                                                     TopicPartition... partitions) {
        var v3 = addV3(id, producerId, epoch, partitions);
        var txn = new AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction().setTransactionalId(id)
                .setProducerId(producerId).setProducerEpoch(epoch).setVerifyOnly(verifyOnly);
        v3.v3AndBelowTopics().forEach(t -> txn.topics().add(t.duplicate()));
        var txns = new AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection();
        txns.add(txn);
        return new AddPartitionsToTxnRequestData().setTransactions(txns);
    }

    static EndTxnRequestData end(String id, long producerId, short epoch, boolean commit) {
        return new EndTxnRequestData().setTransactionalId(id).setProducerId(producerId).setProducerEpoch(epoch)
                .setCommitted(commit);
    }

    static List<TopicPartition> tps(TopicPartition... partitions) {
        return List.of(partitions);
    }
}
