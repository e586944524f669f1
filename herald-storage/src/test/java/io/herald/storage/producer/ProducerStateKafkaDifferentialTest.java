package io.herald.storage.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.storage.testutil.TestDirs;
import io.herald.storage.txn.AbortedTxn;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.storage.internals.log.CompletedTxn;
import org.apache.kafka.storage.internals.log.LogOffsetMetadata;
import org.apache.kafka.storage.internals.log.ProducerAppendInfo;
import org.apache.kafka.storage.internals.log.ProducerStateManagerConfig;

/**
 * Herald's producer-state rules against Kafka's own ({@code ProducerAppendInfo} and {@code ProducerStateManager} of
 * kafka-storage 4.3.1, test scope): the same random histories of data batches and end markers, with wrong epochs,
 * wrong sequences, stale coordinator epochs, both transaction versions and every origin, must be accepted or refused
 * with the same exception, leave the same producer entries, ongoing transactions and first unstable offset, and
 * index the same aborted transactions with the same last stable offsets.
 *
 * <p>Kafka's duplicate check lives in {@code UnifiedLog} (a retry of one of the producer's last five batches in its
 * current epoch); the test applies it the same way before asking {@code ProducerAppendInfo}.
 */
class ProducerStateKafkaDifferentialTest {
    private static final TopicPartition TP = new TopicPartition("diff", 0);
    private static final long[] PIDS = {1L, 2L, 3L};

    /** What an append came to. */
    private record Outcome(String kind, Optional<BatchMetadata> duplicate) {
        static Outcome of(Throwable e) {
            return new Outcome(e.getClass().getSimpleName(), Optional.empty());
        }
    }

    /** The comparable part of a producer entry: epoch, coordinator epoch, timestamp, transaction, cached batches. */
    private record Entry(short epoch, int coordinatorEpoch, long lastTimestamp, OptionalLong txnFirstOffset,
                         List<List<Long>> batches) {}

    @Property(tries = 300)
    void acceptsRefusesAndTracksExactlyAsKafka(@ForAll long seed) throws Exception {
        Random random = new Random(seed);
        Path dir = TestDirs.create("diff");
        try {
            ProducerStateManager ours = new ProducerStateManager(dir.resolve("ours"));
            var kafka = new org.apache.kafka.storage.internals.log.ProducerStateManager(TP, dir.toFile(), 60_000,
                new ProducerStateManagerConfig(86_400_000, false), Time.SYSTEM);
            List<AbortedTxn> ourIndex = new ArrayList<>();
            List<AbortedTxn> kafkaIndex = new ArrayList<>();
            short[] epochs = new short[PIDS.length];
            int[] sequences = new int[PIDS.length];
            int[] coordinatorEpochs = new int[PIDS.length];
            long offset = 0;
            long timestamp = 1_000;
            StringBuilder trace = new StringBuilder();
            for (int step = 0; step < 120; step++) {
                int p = random.nextInt(PIDS.length);
                long pid = PIDS[p];
                timestamp += random.nextInt(3);
                ProducerBatch batch;
                AppendOrigin origin;
                if (random.nextInt(3) > 0) {
                    int count = 1 + random.nextInt(3);
                    short epoch = (short) Math.max(0, epochs[p] + pick(random, -1, 0, 0, 0, 0, 1));
                    int seq = Math.max(0, sequences[p] + pick(random, 0, 0, 0, 0, -count, 1, -1));
                    if (epoch != epochs[p] && random.nextBoolean()) {
                        seq = 0;
                    }
                    boolean transactional = random.nextInt(5) > 0;
                    batch = new ProducerBatch.Data(pid, epoch, seq, seq + count - 1, offset, offset + count - 1,
                        timestamp, transactional);
                    origin = pick(random, AppendOrigin.CLIENT, AppendOrigin.CLIENT, AppendOrigin.CLIENT,
                        AppendOrigin.COORDINATOR, AppendOrigin.REPLICATION);
                } else {
                    short tv = (short) (random.nextBoolean() ? 0 : 2);
                    short epoch = (short) Math.max(0, epochs[p] + pick(random, -1, 0, 0, 1, 1));
                    int coordinatorEpoch = Math.max(0, coordinatorEpochs[p] + pick(random, -1, 0, 0, 0, 1));
                    ControlRecordType type = random.nextBoolean() ? ControlRecordType.COMMIT : ControlRecordType.ABORT;
                    origin = random.nextInt(4) == 0 ? AppendOrigin.REPLICATION : AppendOrigin.COORDINATOR;
                    batch = new ProducerBatch.Marker(pid, epoch, offset, coordinatorEpoch, type, timestamp,
                        origin == AppendOrigin.REPLICATION ? 0 : tv);
                }
                trace.append(batch).append(' ').append(origin).append('\n');

                Outcome mine = appendOurs(ours, origin, batch, ourIndex);
                Outcome theirs = appendKafka(kafka, origin, batch, kafkaIndex);
                assertThat(mine).as("outcome of step %d:\n%s", step, trace).isEqualTo(theirs);
                if (mine.kind().equals("appended")) {
                    switch (batch) {
                        case ProducerBatch.Data d -> {
                            offset = d.lastOffset() + 1;
                            epochs[p] = d.producerEpoch();
                            sequences[p] = d.lastSequence() + 1;
                        }
                        case ProducerBatch.Marker m -> {
                            offset = m.offset() + 1;
                            if (m.producerEpoch() > epochs[p]) {
                                epochs[p] = m.producerEpoch();
                                sequences[p] = 0;
                            }
                            coordinatorEpochs[p] = Math.max(coordinatorEpochs[p], m.coordinatorEpoch());
                        }
                    }
                }
                if (random.nextInt(6) == 0) {
                    long hw = random.nextLong(offset + 1);
                    ours.onHighWatermarkUpdated(hw);
                    kafka.onHighWatermarkUpdated(hw);
                }
                for (long id : PIDS) {
                    assertThat(ours.entry(id).map(ProducerStateKafkaDifferentialTest::entry))
                        .as("producer %d after step %d:\n%s", id, step, trace)
                        .isEqualTo(kafka.lastEntry(id).map(ProducerStateKafkaDifferentialTest::entry));
                }
                assertThat(ours.firstUndecidedOffset()).as("first undecided after step %d:\n%s", step, trace)
                    .isEqualTo(kafka.firstUndecidedOffset());
                assertThat(ours.firstUnstableOffset()).as("first unstable after step %d:\n%s", step, trace)
                    .isEqualTo(kafka.firstUnstableOffset().map(m -> OptionalLong.of(m.messageOffset))
                        .orElse(OptionalLong.empty()));
                assertThat(ourIndex).as("aborted after step %d:\n%s", step, trace).isEqualTo(kafkaIndex);
            }
        } finally {
            TestDirs.delete(dir);
        }
    }

    private static Outcome appendOurs(ProducerStateManager ours, AppendOrigin origin, ProducerBatch batch,
                                      List<AbortedTxn> index) throws Exception {
        ProducerAppend append = ours.begin(origin);
        try {
            Optional<BatchMetadata> dup = append.append(batch);
            if (dup.isPresent()) {
                return new Outcome("duplicate", Optional.of(new BatchMetadata(dup.get().firstSeq(), dup.get().lastSeq(),
                    -1, dup.get().lastOffset())));
            }
        } catch (ApiException e) {
            return Outcome.of(e);
        }
        append.commit(index::add);
        return new Outcome("appended", Optional.empty());
    }

    private static Outcome appendKafka(org.apache.kafka.storage.internals.log.ProducerStateManager kafka,
                                       AppendOrigin origin, ProducerBatch batch, List<AbortedTxn> index) {
        var kafkaOrigin = org.apache.kafka.storage.internals.log.AppendOrigin.valueOf(origin.name());
        if (origin == AppendOrigin.CLIENT && batch instanceof ProducerBatch.Data d) {
            // UnifiedLog.analyzeAndValidateProducerState: ProducerStateEntry.findDuplicateBatch on the last entry.
            Optional<org.apache.kafka.storage.internals.log.BatchMetadata> dup = kafka.lastEntry(d.producerId())
                .filter(e -> e.producerEpoch() == d.producerEpoch())
                .flatMap(e -> e.batchMetadata().stream()
                    .filter(b -> b.firstSeq() == d.baseSequence() && b.lastSeq() == d.lastSequence()).findFirst());
            if (dup.isPresent()) {
                return new Outcome("duplicate", Optional.of(new BatchMetadata(dup.get().firstSeq(), dup.get().lastSeq(),
                    -1, dup.get().lastOffset())));
            }
        }
        ProducerAppendInfo info = kafka.prepareUpdate(batch.producerId(), kafkaOrigin);
        Optional<CompletedTxn> completed = Optional.empty();
        try {
            switch (batch) {
                case ProducerBatch.Data d -> info.appendDataBatch(d.producerEpoch(), d.baseSequence(), d.lastSequence(),
                    d.maxTimestamp(), new LogOffsetMetadata(d.baseOffset()), d.lastOffset(), d.transactional());
                case ProducerBatch.Marker m -> completed = info.appendEndTxnMarker(
                    new EndTransactionMarker(m.type(), m.coordinatorEpoch()), m.producerEpoch(), m.offset(), m.timestamp(),
                    origin == AppendOrigin.REPLICATION ? (short) -1 : m.transactionVersion());
            }
        } catch (ApiException e) {
            return Outcome.of(e);
        }
        kafka.update(info);
        completed.ifPresent(c -> {
            long lastStable = kafka.lastStableOffset(c);
            if (c.isAborted()) {
                index.add(new AbortedTxn(c.producerId(), c.firstOffset(), c.lastOffset(), lastStable));
            }
            kafka.completeTxn(c);
        });
        return new Outcome("appended", Optional.empty());
    }

    private static Entry entry(ProducerStateEntry e) {
        return new Entry(e.producerEpoch(), e.coordinatorEpoch(), e.lastTimestamp(), e.currentTxnFirstOffset(),
            e.batches().stream().map(b -> List.of((long) b.firstSeq(), (long) b.lastSeq(), b.lastOffset())).toList());
    }

    private static Entry entry(org.apache.kafka.storage.internals.log.ProducerStateEntry e) {
        return new Entry(e.producerEpoch(), e.coordinatorEpoch(), e.lastTimestamp(), e.currentTxnFirstOffset(),
            e.batchMetadata().stream().map(b -> List.of((long) b.firstSeq(), (long) b.lastSeq(), b.lastOffset())).toList());
    }

    @SafeVarargs
    private static <T> T pick(Random random, T... values) {
        return values[random.nextInt(values.length)];
    }
}
