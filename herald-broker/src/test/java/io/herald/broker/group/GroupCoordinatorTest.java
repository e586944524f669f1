package io.herald.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.herald.broker.group.modern.ConsumerGroupRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The facade following leadership: NOT_COORDINATOR where this broker does not lead, COORDINATOR_LOAD_IN_PROGRESS
 * until the partition is replayed, unload on resign (parked requests answer NOT_COORDINATOR), loads overtaken by
 * a resign or a newer epoch discarded, appends to the right partition.
 */
@Timeout(30)
class GroupCoordinatorTest {
    /** An in-memory __consumer_offsets; the test says when it is hosted and may hold a replay mid-way. */
    private static final class MemoryLog implements GroupLog {
        final Map<Integer, List<GroupRecord>> partitions = new HashMap<>();
        final AtomicInteger replays = new AtomicInteger();
        volatile boolean available = true;
        /** When set, the next replay signals {@code replayStarted} and waits for {@code releaseReplay}. */
        volatile boolean holdNextReplay;
        final CountDownLatch replayStarted = new CountDownLatch(1);
        final CountDownLatch releaseReplay = new CountDownLatch(1);

        @Override
        public boolean isAvailable(int partition) {
            return available;
        }

        @Override
        public synchronized void append(int partition, List<GroupRecord> records) {
            partitions.computeIfAbsent(partition, p -> new ArrayList<>()).addAll(records);
        }

        @Override
        public void appendConsumerGroup(int partition, List<ConsumerGroupRecord> records) {
            throw new UnsupportedOperationException("classic records only in this test");
        }

        /** Set by a test to stand for the replicas: what {@link #awaitCommitted} answers; null = committed. */
        volatile CompletableFuture<Void> commit;

        /** Without {@link #commit}, a memory log has no replicas: an append is committed when it returns. */
        @Override
        public CompletableFuture<Void> awaitCommitted(int partition, long timeoutMs) {
            CompletableFuture<Void> c = commit;
            return c == null ? CompletableFuture.completedFuture(null) : c;
        }

        @Override
        public long replay(int partition, Consumer<GroupRecord> replay,
                           Consumer<ConsumerGroupRecord> replayConsumerGroup) {
            replays.incrementAndGet();
            List<GroupRecord> records;
            synchronized (this) {
                records = List.copyOf(partitions.getOrDefault(partition, List.of()));
            }
            records.forEach(replay); // applied before the hold: a discarded load must undo it
            if (holdNextReplay) {
                holdNextReplay = false;
                replayStarted.countDown();
                try {
                    if (!releaseReplay.await(10, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the test never released the replay");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return records.size();
        }
    }

    private static final GroupConfig CONFIG = ShardFixture.config(0, Integer.MAX_VALUE);
    /** A long initial rebalance delay keeps a first JoinGroup parked. */
    private static final GroupConfig PARKING = ShardFixture.config(60_000, Integer.MAX_VALUE);

    private static TopicPartition offsetsPartition(int partition) {
        return new TopicPartition(OffsetsTopic.NAME, partition);
    }

    private static GroupRecord.OffsetCommit offset(String group, long offset) {
        return new GroupRecord.OffsetCommit(group, "t", 0, Optional.of(
                new OffsetAndMetadata(offset, -1, "", 1, OptionalLong.empty())));
    }

    /** A group id whose partition differs from {@code other}'s. */
    private static String groupOnAnotherPartition(GroupCoordinator c, String other) {
        for (int i = 0; ; i++) {
            if (c.partitionFor("other-" + i) != c.partitionFor(other)) {
                return "other-" + i;
            }
        }
    }

    private static OffsetCommitRequestData commitRequest(String group, long offset) {
        var topic = new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("t");
        topic.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(1)
                .setCommittedOffset(offset));
        return new OffsetCommitRequestData().setGroupId(group).setTopics(List.of(topic));
    }

    private static void awaitServed(GroupCoordinator c, String group) {
        await().atMost(Duration.ofSeconds(10)).until(() -> c.availability(group) == Errors.NONE);
    }

    /** This broker becomes the leader (epoch 1) of the group's partition and has loaded it. */
    private static void leadAndAwaitServed(GroupCoordinator c, String group) {
        c.onBecomeLeader(offsetsPartition(c.partitionFor(group)), 1);
        awaitServed(c, group);
    }

    @Test
    void groupsAnswerNotCoordinatorUntilLedAndLoadInProgressUntilReplayed() throws Exception {
        MemoryLog log = new MemoryLog();
        try (GroupCoordinator coordinator = new GroupCoordinator(CONFIG, log, Time.SYSTEM)) {
            int partition = coordinator.partitionFor("g");
            log.append(partition, List.of(offset("g", 17)));
            coordinator.startup();
            assertThat(coordinator.availability("g")).isEqualTo(Errors.NOT_COORDINATOR);
            assertThatThrownBy(() -> coordinator.committedOffsets("g").get())
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NotCoordinatorException.class);
            assertThat(coordinator.listGroups(List.of(), List.of()).get().groups()).isEmpty();
            assertThat(log.replays).hasValue(0);

            log.available = false; // the partition is not hosted yet: the load waits for it
            coordinator.onBecomeLeader(offsetsPartition(partition), 3);
            assertThat(coordinator.availability("g")).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);
            assertThatThrownBy(() -> coordinator.committedOffsets("g").get())
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(CoordinatorLoadInProgressException.class);
            assertThat(coordinator.listGroups(List.of(), List.of()).get().errorCode())
                    .isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS.code());

            log.available = true;
            awaitServed(coordinator, "g");
            assertThat(coordinator.committedOffsets("g").get().get(new TopicPartition("t", 0)).offset()).isEqualTo(17);
            var listed = coordinator.listGroups(List.of(), List.of()).get();
            assertThat(listed.errorCode()).isZero();
            assertThat(listed.groups()).extracting(g -> g.groupId()).containsExactly("g");

            // a group of a partition led elsewhere
            String other = groupOnAnotherPartition(coordinator, "g");
            var ctx = new RequestContext("c", "h", (short) 9);
            assertThatThrownBy(() -> coordinator.commitOffsets(ctx, commitRequest(other, 5), tp -> true).get())
                    .hasCauseInstanceOf(NotCoordinatorException.class);
            assertThat(log.partitions.get(coordinator.partitionFor(other))).isNull();

            coordinator.onBecomeLeader(offsetsPartition(coordinator.partitionFor(other)), 0);
            awaitServed(coordinator, other);
            var response = coordinator.commitOffsets(ctx, commitRequest(other, 5), tp -> true).get();
            assertThat(response.topics().get(0).partitions().get(0).errorCode()).isZero();
            assertThat(log.partitions.get(coordinator.partitionFor(other))).singleElement()
                    .satisfies(r -> assertThat(((GroupRecord.OffsetCommit) r).groupId()).isEqualTo(other));
        }
    }

    @Test
    void anOffsetCommitIsAnsweredOnlyOnceTheWriteIsCommittedAndAFailedWriteAsksTheClientToRetry() throws Exception {
        MemoryLog log = new MemoryLog();
        try (GroupCoordinator coordinator = new GroupCoordinator(CONFIG, log, Time.SYSTEM)) {
            leadAndAwaitServed(coordinator, "g");
            var ctx = new RequestContext("c", "h", (short) 9);

            log.commit = new CompletableFuture<>(); // the followers have not fetched the record yet
            var pending = coordinator.commitOffsets(ctx, commitRequest("g", 5), tp -> true);
            await().atMost(Duration.ofSeconds(10)).until(() -> log.partitions.containsKey(coordinator.partitionFor("g")));
            Thread.sleep(100);
            assertThat(pending).as("appended on the leader, not yet on the ISR").isNotDone();
            log.commit.complete(null);
            assertThat(pending.get(10, TimeUnit.SECONDS).topics().get(0).partitions().get(0).errorCode()).isZero();

            log.commit = CompletableFuture.failedFuture(new NotLeaderOrFollowerException("deposed"));
            assertThatThrownBy(() -> coordinator.commitOffsets(ctx, commitRequest("g", 6), tp -> true)
                    .get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(NotCoordinatorException.class);
            log.commit = CompletableFuture.failedFuture(new org.apache.kafka.common.errors.TimeoutException("ISR"));
            assertThatThrownBy(() -> coordinator.commitOffsets(ctx, commitRequest("g", 7), tp -> true)
                    .get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(CoordinatorNotAvailableException.class);

        }
    }

    @Test
    void anOffsetFetchShowsACommitOnlyOnceItsWriteIsCommitted() throws Exception {
        MemoryLog log = new MemoryLog();
        try (GroupCoordinator coordinator = new GroupCoordinator(CONFIG, log, Time.SYSTEM)) {
            leadAndAwaitServed(coordinator, "g");
            var ctx = new RequestContext("c", "h", (short) 9);
            TopicPartition tp = new TopicPartition("t", 1);
            coordinator.commitOffsets(ctx, commitRequest("g", 5), p -> true).get(10, TimeUnit.SECONDS);
            assertThat(coordinator.committedOffsets("g").get(10, TimeUnit.SECONDS).get(tp).offset()).isEqualTo(5);

            log.commit = new CompletableFuture<>(); // offset 6 is on the leader only
            var commit = coordinator.commitOffsets(ctx, commitRequest("g", 6), p -> true);
            var fetch = coordinator.committedOffsets("g");
            Thread.sleep(100);
            assertThat(fetch).as("the fetch must not show 6 before the ISR has it").isNotDone();
            log.commit.complete(null);
            assertThat(commit.get(10, TimeUnit.SECONDS).topics().get(0).partitions().get(0).errorCode()).isZero();
            assertThat(fetch.get(10, TimeUnit.SECONDS).get(tp).offset()).isEqualTo(6);

            // A commit that timed out is applied here but may yet be taken back by a failover: reads fail (the
            // client retries) until the write is committed, and then show it.
            log.commit = CompletableFuture.failedFuture(new org.apache.kafka.common.errors.TimeoutException("ISR"));
            assertThatThrownBy(() -> coordinator.commitOffsets(ctx, commitRequest("g", 7), p -> true)
                    .get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(CoordinatorNotAvailableException.class);
            assertThatThrownBy(() -> coordinator.committedOffsets("g").get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(CoordinatorNotAvailableException.class);
            assertThatThrownBy(() -> coordinator.describeGroup("g", (short) 5).get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(CoordinatorNotAvailableException.class);
            log.commit = null; // the ISR caught up
            assertThat(coordinator.committedOffsets("g").get(10, TimeUnit.SECONDS).get(tp).offset()).isEqualTo(7);
        }
    }

    @Test
    void aJoinIsAnsweredOnlyOnceTheGroupsPartitionHasCommittedWhatWasWritten() throws Exception {
        MemoryLog log = new MemoryLog();
        try (GroupCoordinator coordinator = new GroupCoordinator(CONFIG, log, Time.SYSTEM)) {
            leadAndAwaitServed(coordinator, "g");
            var ctx = new RequestContext("c", "/h", (short) 3);

            log.commit = new CompletableFuture<>(); // the followers lag
            var join = coordinator.joinGroup(ctx, ShardFixture.joinRequest("g", "", null, "range", new byte[]{1}));
            await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.onCoordinatorThread(
                    s -> s.groups.group("g").map(g -> g.size()).orElse(0)).get() == 1);
            Thread.sleep(200);
            assertThat(join).as("the rebalance completed on the leader; the ISR has not caught up").isNotDone();
            log.commit.complete(null);
            JoinGroupResponseData answered = join.get(10, TimeUnit.SECONDS);
            assertThat(Errors.forCode(answered.errorCode())).isEqualTo(Errors.NONE);
        }
    }

    @Test
    void resignUnloadsTheGroupsAndParkedJoinsAnswerNotCoordinator() throws Exception {
        MemoryLog log = new MemoryLog();
        try (GroupCoordinator coordinator = new GroupCoordinator(PARKING, log, Time.SYSTEM)) {
            TopicPartition tp = offsetsPartition(coordinator.partitionFor("g"));
            coordinator.onBecomeLeader(tp, 1);
            awaitServed(coordinator, "g");
            var ctx = new RequestContext("c", "/h", (short) 3);
            assertThat(coordinator.commitOffsets(ctx, commitRequest("g", 8), t -> true).get().topics().get(0)
                    .partitions().get(0).errorCode()).isZero();

            // v3: no MEMBER_ID_REQUIRED round trip; the first join waits out the initial rebalance delay
            var join = coordinator.joinGroup(ctx, ShardFixture.joinRequest("g", "", null, "range", new byte[]{1}));
            assertThat(coordinator.onCoordinatorThread(s -> s.groups.group("g").orElseThrow().size()).get())
                    .isEqualTo(1);
            assertThat(join).isNotDone();

            coordinator.onResign(tp, 2);
            JoinGroupResponseData answered = join.get(10, TimeUnit.SECONDS);
            assertThat(Errors.forCode(answered.errorCode())).isEqualTo(Errors.NOT_COORDINATOR);
            assertThat(coordinator.availability("g")).isEqualTo(Errors.NOT_COORDINATOR);
            assertThatThrownBy(() -> coordinator.heartbeat(new HeartbeatRequestData().setGroupId("g")
                    .setMemberId(answered.memberId()).setGenerationId(1)).get())
                    .hasCauseInstanceOf(NotCoordinatorException.class);
            assertThat(coordinator.onCoordinatorThread(s -> s.groups.group("g").isEmpty()
                    && !s.store.hasOffsets("g")).get()).as("the partition's state is dropped").isTrue();

            // leading again: the durable state (the commit) is back, the in-memory membership is not
            coordinator.onBecomeLeader(tp, 3);
            awaitServed(coordinator, "g");
            assertThat(coordinator.committedOffsets("g").get().get(new TopicPartition("t", 1)).offset()).isEqualTo(8);
            assertThat(coordinator.onCoordinatorThread(s -> s.groups.group("g").orElseThrow().size()).get()).isZero();
        }
    }

    @Test
    void aLoadOvertakenByAResignIsDiscarded() throws Exception {
        MemoryLog log = new MemoryLog();
        try (GroupCoordinator coordinator = new GroupCoordinator(CONFIG, log, Time.SYSTEM)) {
            int partition = coordinator.partitionFor("g");
            log.append(partition, List.of(offset("g", 17)));
            log.holdNextReplay = true;
            coordinator.onBecomeLeader(offsetsPartition(partition), 1);
            assertThat(log.replayStarted.await(10, TimeUnit.SECONDS)).isTrue();
            coordinator.onResign(offsetsPartition(partition), 1);
            log.releaseReplay.countDown();

            assertThat(coordinator.onCoordinatorThread(s -> s.store.hasOffsets("g") || s.groups.group("g")
                    .isPresent()).get()).as("the replayed records were dropped").isFalse();
            assertThat(coordinator.availability("g")).isEqualTo(Errors.NOT_COORDINATOR);
            assertThat(coordinator.listGroups(List.of(), List.of()).get().groups()).isEmpty();
        }
    }

    @Test
    void aLoadOvertakenByANewerEpochIsDiscardedAndTheNewerLoadServes() throws Exception {
        MemoryLog log = new MemoryLog();
        try (GroupCoordinator coordinator = new GroupCoordinator(CONFIG, log, Time.SYSTEM)) {
            int partition = coordinator.partitionFor("g");
            log.append(partition, List.of(offset("g", 17)));
            log.holdNextReplay = true;
            coordinator.onBecomeLeader(offsetsPartition(partition), 1);
            assertThat(log.replayStarted.await(10, TimeUnit.SECONDS)).isTrue();
            coordinator.onBecomeLeader(offsetsPartition(partition), 2);
            log.releaseReplay.countDown();

            awaitServed(coordinator, "g");
            assertThat(log.replays).as("the epoch-1 load was discarded and epoch 2 replayed again").hasValue(2);
            assertThat(coordinator.committedOffsets("g").get().get(new TopicPartition("t", 0)).offset()).isEqualTo(17);
        }
    }

    @Test
    void aNewerEpochWhileLoadedKeepsTheStateWithoutReplaying() throws Exception {
        MemoryLog log = new MemoryLog();
        try (GroupCoordinator coordinator = new GroupCoordinator(PARKING, log, Time.SYSTEM)) {
            TopicPartition tp = offsetsPartition(coordinator.partitionFor("g"));
            coordinator.onBecomeLeader(tp, 1);
            awaitServed(coordinator, "g");
            var join = coordinator.joinGroup(new RequestContext("c", "/h", (short) 3),
                    ShardFixture.joinRequest("g", "", null, "range", new byte[]{1}));
            assertThat(coordinator.onCoordinatorThread(s -> s.groups.group("g").orElseThrow().size()).get())
                    .isEqualTo(1);
            coordinator.onBecomeLeader(tp, 2);
            awaitServed(coordinator, "g");
            assertThat(log.replays).hasValue(1);
            assertThat(join).as("the parked join is still parked").isNotDone();
        }
    }

    @Test
    void leadershipOfOtherTopicsIsIgnored() {
        MemoryLog log = new MemoryLog();
        try (GroupCoordinator coordinator = new GroupCoordinator(CONFIG, log, Time.SYSTEM)) {
            coordinator.onBecomeLeader(new TopicPartition("t", coordinator.partitionFor("g")), 1);
            coordinator.onBecomeLeader(offsetsPartition(CONFIG.offsetsTopicPartitions()), 1); // beyond placement
            assertThat(coordinator.availability("g")).isEqualTo(Errors.NOT_COORDINATOR);
        }
    }

    @Test
    void placementMatchesKafka() {
        // Utils.abs("my-group".hashCode()) % 50, as Kafka computes it
        assertThat(OffsetsTopic.partitionFor("my-group", 50))
                .isEqualTo(org.apache.kafka.common.utils.Utils.abs("my-group".hashCode()) % 50);
        assertThat(OffsetsTopic.partitionFor("", 50)).isZero();
    }
}
