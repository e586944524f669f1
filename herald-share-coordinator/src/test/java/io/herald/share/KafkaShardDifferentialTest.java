package io.herald.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.time.ManualTime;
import io.herald.coordinator.runtime.CoordinatorResult;
import io.herald.coordinator.share.PersistedBatch;
import io.herald.coordinator.share.SharePartitionKey;
import io.herald.coordinator.share.ShareStateWrite;
import io.herald.share.record.ShareRecord;
import io.herald.share.state.SharePartitionState;
import io.herald.share.state.ShareStateUpdate;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.message.DeleteShareGroupStateRequestData;
import org.apache.kafka.common.message.InitializeShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryRequestData;
import org.apache.kafka.common.message.WriteShareGroupStateRequestData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.utils.LogContext;
import org.apache.kafka.coordinator.common.runtime.CoordinatorMetadataDelta;
import org.apache.kafka.coordinator.common.runtime.CoordinatorMetadataImage;
import org.apache.kafka.coordinator.common.runtime.CoordinatorRecord;
import org.apache.kafka.coordinator.share.ShareCoordinatorShard.Builder;
import org.apache.kafka.coordinator.share.ShareGroupOffset;
import org.apache.kafka.coordinator.share.generated.ShareSnapshotKey;
import org.apache.kafka.coordinator.share.generated.ShareSnapshotValue;
import org.apache.kafka.coordinator.share.generated.ShareUpdateKey;
import org.apache.kafka.coordinator.share.generated.ShareUpdateValue;
import org.apache.kafka.coordinator.share.metrics.ShareCoordinatorMetrics;
import org.apache.kafka.timeline.SnapshotRegistry;

/**
 * Herald's share coordinator shard against Kafka 4.3.1's own ({@code org.apache.kafka.coordinator.share
 * .ShareCoordinatorShard}, test scope): both get the same seeded sequence of Initialize, Read, Write, Delete and
 * ReadSummary operations on a few share-partitions (some of a partition the cluster lacks, some of a deleted topic),
 * with the clock moving, and each shard replays the records it produced. After every operation:
 * <ul>
 *   <li><b>SameAnswers</b>: the partition results are equal message for message (codes, messages, offsets, epochs,
 *       batches);</li>
 *   <li><b>SameRecords</b>: the records written are the same, field for field (snapshot or update, epochs,
 *       timestamps, batches);</li>
 *   <li><b>SameState</b>: every share-partition's held state, fencing leader epoch and fencing state epoch are
 *       Kafka's.</li>
 * </ul>
 * Batches are random over a small range of offsets, states and counts, so overlaps, splits, coalescing and pruning
 * all happen often. The null-topic and negative-partition checks, which Herald makes before routing, are covered by
 * {@link ShareCoordinatorTest}.
 */
class KafkaShardDifferentialTest {
    private static final int STEPS = 150;

    @Property(tries = 150)
    void heraldsShardAnswersWritesAndHoldsWhatKafkasDoes(@ForAll long seed,
                                                         @ForAll @IntRange(min = 0, max = 4) int updatesPerSnapshot) {
        new Run(seed, updatesPerSnapshot).run();
    }

    private static final class Run {
        private final Random random;
        private final ManualTime time = new ManualTime();
        private final Uuid topicA = new Uuid(1, 1);
        private final Uuid topicB = new Uuid(2, 2);
        private final Map<Uuid, Integer> partitionCounts = new java.util.HashMap<>(Map.of(topicA, 2, topicB, 1));
        private final List<SharePartitionKey> keys = new ArrayList<>();
        private final ShareCoordinatorShard herald;
        private final org.apache.kafka.coordinator.share.ShareCoordinatorShard kafka;
        private long kafkaOffset;

        Run(long seed, int updatesPerSnapshot) {
            this.random = new Random(seed);
            for (String group : List.of("g1", "g2")) {
                keys.add(new SharePartitionKey(group, topicA, 0));
                keys.add(new SharePartitionKey(group, topicA, 1));
                keys.add(new SharePartitionKey(group, topicA, 2)); // beyond the topic's partitions
                keys.add(new SharePartitionKey(group, topicB, 0));
            }
            herald = new ShareCoordinatorShard(ShareCoordinatorConfig.defaults()
                    .withSnapshotUpdateRecordsPerSnapshot(updatesPerSnapshot), 0, time, this::partitionCount);
            var config = new org.apache.kafka.coordinator.share.ShareCoordinatorConfig(new AbstractConfig(
                    org.apache.kafka.coordinator.share.ShareCoordinatorConfig.CONFIG_DEF,
                    Map.of(org.apache.kafka.coordinator.share.ShareCoordinatorConfig
                            .SNAPSHOT_UPDATE_RECORDS_PER_SNAPSHOT_CONFIG, String.valueOf(updatesPerSnapshot))));
            kafka = (org.apache.kafka.coordinator.share.ShareCoordinatorShard) new Builder(config)
                    .withSnapshotRegistry(new SnapshotRegistry(new LogContext())).withLogContext(new LogContext())
                    .withTime(new KafkaTime(time)).withCoordinatorMetrics(new ShareCoordinatorMetrics())
                    .withTopicPartition(new TopicPartition("__share_group_state", 0)).build();
            kafka.onLoaded(new Image());
        }

        private OptionalInt partitionCount(Uuid topicId) {
            Integer count = partitionCounts.get(topicId);
            return count == null ? OptionalInt.empty() : OptionalInt.of(count);
        }

        void run() {
            for (int step = 0; step < STEPS; step++) {
                String when = "step " + step;
                step(keys.get(random.nextInt(keys.size())), when);
                for (SharePartitionKey key : keys) {
                    sameState(key, when);
                }
            }
        }

        private void step(SharePartitionKey key, String when) {
            int dice = random.nextInt(100);
            if (dice < 15) {
                int stateEpoch = epoch();
                long startOffset = random.nextInt(5) == 0 ? -1 : random.nextInt(20);
                compare("initialize " + key + " " + when,
                        herald.initialize(key, stateEpoch, startOffset),
                        kafka.initializeState(new InitializeShareGroupStateRequestData().setGroupId(key.groupId())
                                .setTopics(List.of(new InitializeShareGroupStateRequestData.InitializeStateData()
                                        .setTopicId(key.topicId()).setPartitions(List.of(
                                                new InitializeShareGroupStateRequestData.PartitionData()
                                                        .setPartition(key.partition()).setStateEpoch(stateEpoch)
                                                        .setStartOffset(startOffset)))))),
                        r -> r.results().get(0).partitions().get(0));
            } else if (dice < 35) {
                int leaderEpoch = epoch();
                compare("read " + key + " " + when, herald.read(key, leaderEpoch),
                        kafka.readStateAndMaybeUpdateLeaderEpoch(new ReadShareGroupStateRequestData()
                                .setGroupId(key.groupId()).setTopics(List.of(
                                        new ReadShareGroupStateRequestData.ReadStateData().setTopicId(key.topicId())
                                                .setPartitions(List.of(new ReadShareGroupStateRequestData
                                                        .PartitionData().setPartition(key.partition())
                                                        .setLeaderEpoch(leaderEpoch)))))),
                        r -> r.results().get(0).partitions().get(0));
            } else if (dice < 80) {
                write(key, when);
            } else if (dice < 86) {
                compare("delete " + key + " " + when, herald.delete(key),
                        kafka.deleteState(new DeleteShareGroupStateRequestData().setGroupId(key.groupId())
                                .setTopics(List.of(new DeleteShareGroupStateRequestData.DeleteStateData()
                                        .setTopicId(key.topicId()).setPartitions(List.of(
                                                new DeleteShareGroupStateRequestData.PartitionData()
                                                        .setPartition(key.partition())))))),
                        r -> r.results().get(0).partitions().get(0));
            } else if (dice < 94) {
                var ours = herald.summary(key);
                var theirs = kafka.readStateSummary(new ReadShareGroupStateSummaryRequestData()
                        .setGroupId(key.groupId()).setTopics(List.of(
                                new ReadShareGroupStateSummaryRequestData.ReadStateSummaryData()
                                        .setTopicId(key.topicId()).setPartitions(List.of(
                                                new ReadShareGroupStateSummaryRequestData.PartitionData()
                                                        .setPartition(key.partition()).setLeaderEpoch(epoch()))))));
                assertThat(theirs.records()).isEmpty();
                assertThat(ours).as("SameAnswers: summary %s %s", key, when)
                        .isEqualTo(theirs.response().results().get(0).partitions().get(0));
            } else if (dice < 96) {
                Set<Uuid> deleted = Set.of(random.nextBoolean() ? topicA : topicB);
                var ours = herald.deleteTopics(deleted);
                var theirs = kafka.maybeCleanupShareState(deleted);
                // Both walk a hash map: the same tombstones, in an order that means nothing.
                assertThat(ours.records()).as("SameRecords: topics deleted %s", when)
                        .containsExactlyInAnyOrderElementsOf(theirs.records().stream().map(Run::asHerald).toList());
                ours.records().forEach(herald::replay);
                theirs.records().forEach(this::replayKafka);
            } else {
                time.advance(random.nextInt(10_000));
            }
        }

        private void write(SharePartitionKey key, String when) {
            int stateEpoch = epoch();
            int leaderEpoch = epoch();
            long startOffset = random.nextInt(4) == 0 ? -1 : random.nextInt(30);
            int deliveryCompleteCount = random.nextInt(8) - 1;
            List<PersistedBatch> batches = new ArrayList<>();
            for (int i = random.nextInt(5); i > 0; i--) {
                long first = random.nextInt(40);
                batches.add(new PersistedBatch(first, first + random.nextInt(8), (byte) (2 * random.nextInt(3)),
                        (short) random.nextInt(4)));
            }
            var request = new WriteShareGroupStateRequestData().setGroupId(key.groupId()).setTopics(List.of(
                    new WriteShareGroupStateRequestData.WriteStateData().setTopicId(key.topicId()).setPartitions(
                            List.of(new WriteShareGroupStateRequestData.PartitionData().setPartition(key.partition())
                                    .setStateEpoch(stateEpoch).setLeaderEpoch(leaderEpoch)
                                    .setStartOffset(startOffset).setDeliveryCompleteCount(deliveryCompleteCount)
                                    .setStateBatches(ShareHarness.stateBatches(
                                            batches.toArray(PersistedBatch[]::new)))))));
            compare("write " + key + " " + batches + " " + when,
                    herald.write(key, new ShareStateWrite(stateEpoch, leaderEpoch, startOffset,
                            deliveryCompleteCount, batches)),
                    kafka.writeState(request), r -> r.results().get(0).partitions().get(0));
        }

        /** Epochs in a small range with -1 (never fenced), so that fencing and equal epochs are both common. */
        private int epoch() {
            return random.nextInt(6) - 1;
        }

        private <P, K> void compare(String what, CoordinatorResult<P, ShareRecord> ours,
                                    org.apache.kafka.coordinator.common.runtime.CoordinatorResult<K,
                                            CoordinatorRecord> theirs,
                                    java.util.function.Function<K, Object> partitionResult) {
            assertThat((Object) ours.response()).as("SameAnswers: %s", what)
                    .isEqualTo(partitionResult.apply(theirs.response()));
            sameRecords(what, ours.records(), theirs.records());
            ours.records().forEach(herald::replay);
            theirs.records().forEach(this::replayKafka);
        }

        private void replayKafka(CoordinatorRecord record) {
            kafka.replay(kafkaOffset++, -1, (short) -1, record);
        }

        private static void sameRecords(String what, List<ShareRecord> ours, List<CoordinatorRecord> theirs) {
            assertThat(ours).as("SameRecords: %s", what).isEqualTo(theirs.stream().map(Run::asHerald).toList());
        }

        private void sameState(SharePartitionKey key, String when) {
            var kafkaKey = org.apache.kafka.server.share.SharePartitionKey.getInstance(key.groupId(), key.topicId(),
                    key.partition());
            ShareGroupOffset theirs = (ShareGroupOffset) call("getShareStateMapValue", kafkaKey);
            Optional<SharePartitionState> ours = herald.state(key);
            assertThat(ours.map(Run::fields)).as("SameState: %s %s", key, when)
                    .isEqualTo(Optional.ofNullable(theirs).map(Run::fields));
            Integer leaderFence = (Integer) call("getLeaderMapValue", kafkaKey);
            Integer stateFence = (Integer) call("getStateEpochMapValue", kafkaKey);
            assertThat(herald.store().leaderEpochFence(key)).as("SameState: leader epoch fence %s %s", key, when)
                    .isEqualTo(leaderFence == null ? OptionalInt.empty() : OptionalInt.of(leaderFence));
            assertThat(herald.store().stateEpochFence(key)).as("SameState: state epoch fence %s %s", key, when)
                    .isEqualTo(stateFence == null ? OptionalInt.empty() : OptionalInt.of(stateFence));
        }

        /** Kafka's getters of its maps are package-private ("visible for testing"). */
        private Object call(String getter, Object key) {
            try {
                Method m = kafka.getClass().getDeclaredMethod(getter, key.getClass());
                m.setAccessible(true);
                return m.invoke(kafka, key);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError("Kafka's shard has no " + getter, e);
            }
        }

        private static List<Object> fields(SharePartitionState s) {
            return List.of(s.snapshotEpoch(), s.stateEpoch(), s.leaderEpoch(), s.startOffset(),
                    s.deliveryCompleteCount(), s.createTimestamp(), s.writeTimestamp(), s.batches());
        }

        private static List<Object> fields(ShareGroupOffset s) {
            return List.of(s.snapshotEpoch(), s.stateEpoch(), s.leaderEpoch(), s.startOffset(),
                    s.deliveryCompleteCount(), s.createTimestamp(), s.writeTimestamp(), s.stateBatches().stream()
                            .map(b -> new PersistedBatch(b.firstOffset(), b.lastOffset(), b.deliveryState(),
                                    b.deliveryCount())).toList());
        }

        /** A record of Kafka's shard in Herald's terms. */
        private static ShareRecord asHerald(CoordinatorRecord record) {
            ApiMessage key = record.key();
            ApiMessage value = record.value() == null ? null : record.value().message();
            if (key instanceof ShareSnapshotKey k) {
                SharePartitionKey spk = new SharePartitionKey(k.groupId(), k.topicId(), k.partition());
                if (value == null) {
                    return new ShareRecord.Tombstone(spk);
                }
                ShareSnapshotValue v = (ShareSnapshotValue) value;
                return new ShareRecord.Snapshot(spk, new SharePartitionState(v.snapshotEpoch(), v.stateEpoch(),
                        v.leaderEpoch(), v.startOffset(), v.deliveryCompleteCount(), v.createTimestamp(),
                        v.writeTimestamp(), v.stateBatches().stream().map(b -> new PersistedBatch(b.firstOffset(),
                        b.lastOffset(), b.deliveryState(), b.deliveryCount())).toList()));
            }
            ShareUpdateKey k = (ShareUpdateKey) key;
            ShareUpdateValue v = (ShareUpdateValue) value;
            return new ShareRecord.Update(new SharePartitionKey(k.groupId(), k.topicId(), k.partition()),
                    new ShareStateUpdate(v.snapshotEpoch(), v.leaderEpoch(), v.startOffset(),
                            v.deliveryCompleteCount(), v.stateBatches().stream().map(b -> new PersistedBatch(
                            b.firstOffset(), b.lastOffset(), b.deliveryState(), b.deliveryCount())).toList()));
        }

        /** The cluster's topics, as Kafka's shard sees them. */
        private final class Image implements CoordinatorMetadataImage {
            @Override
            public Set<Uuid> topicIds() {
                return partitionCounts.keySet();
            }

            @Override
            public Set<String> topicNames() {
                return Set.of();
            }

            @Override
            public Optional<TopicMetadata> topicMetadata(String topicName) {
                return Optional.empty();
            }

            @Override
            public Optional<TopicMetadata> topicMetadata(Uuid topicId) {
                Integer count = partitionCounts.get(topicId);
                return count == null ? Optional.empty() : Optional.of(new TopicMetadata() {
                    @Override
                    public String name() {
                        return topicId.toString();
                    }

                    @Override
                    public Uuid id() {
                        return topicId;
                    }

                    @Override
                    public int partitionCount() {
                        return count;
                    }

                    @Override
                    public List<String> partitionRacks(int partition) {
                        return List.of();
                    }
                });
            }

            @Override
            public CoordinatorMetadataDelta emptyDelta() {
                throw new UnsupportedOperationException();
            }

            @Override
            public long version() {
                return 0;
            }

            @Override
            public boolean isEmpty() {
                return partitionCounts.isEmpty();
            }
        }
    }

    /** Kafka's clock on the test's manual one. */
    private record KafkaTime(ManualTime time) implements org.apache.kafka.common.utils.Time {
        @Override
        public long milliseconds() {
            return time.milliseconds();
        }

        @Override
        public long nanoseconds() {
            return time.nanoseconds();
        }

        @Override
        public void sleep(long ms) {
            throw new UnsupportedOperationException("nothing sleeps");
        }

        @Override
        public void waitObject(Object obj, Supplier<Boolean> condition, long deadlineMs) {
            throw new UnsupportedOperationException("nothing waits");
        }
    }
}
