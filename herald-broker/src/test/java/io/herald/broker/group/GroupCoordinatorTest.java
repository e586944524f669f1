package io.herald.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.herald.broker.group.modern.ConsumerGroupRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The facade: loading gates (COORDINATOR_LOAD_IN_PROGRESS), replay at startup, appends to the right partition. */
@Timeout(30)
class GroupCoordinatorTest {
    /** An in-memory __consumer_offsets whose partitions become available when the test says so. */
    private static final class MemoryLog implements GroupLog {
        final Map<Integer, List<GroupRecord>> partitions = new HashMap<>();
        volatile boolean available;

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

        @Override
        public synchronized long replay(int partition, Consumer<GroupRecord> replay,
                                        Consumer<ConsumerGroupRecord> replayConsumerGroup) {
            List<GroupRecord> records = partitions.getOrDefault(partition, List.of());
            records.forEach(replay);
            return records.size();
        }
    }

    private static final GroupConfig CONFIG = ShardFixture.config(0, Integer.MAX_VALUE);

    @Test
    void groupsAnswerLoadInProgressUntilTheirPartitionIsReplayed() throws Exception {
        MemoryLog log = new MemoryLog();
        int partition = OffsetsTopic.partitionFor("g", CONFIG.offsetsTopicPartitions());
        log.append(partition, List.of(new GroupRecord.OffsetCommit("g", "t", 0, Optional.of(
                new OffsetAndMetadata(17, -1, "", 1, OptionalLong.empty())))));
        try (GroupCoordinator coordinator = new GroupCoordinator(CONFIG, log, Time.SYSTEM)) {
            coordinator.startup();
            assertThat(coordinator.availability("g")).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);
            assertThatThrownBy(() -> coordinator.committedOffsets("g").get())
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(CoordinatorLoadInProgressException.class);
            assertThat(coordinator.listGroups(List.of(), List.of()).get().errorCode())
                    .isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS.code());

            log.available = true;
            await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.availability("g") == Errors.NONE);
            assertThat(coordinator.committedOffsets("g").get().get(new TopicPartition("t", 0)).offset()).isEqualTo(17);
            assertThat(coordinator.listGroups(List.of(), List.of()).get().groups())
                    .extracting(g -> g.groupId()).containsExactly("g");

            var topic = new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("t");
            topic.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(1)
                    .setCommittedOffset(5));
            var response = coordinator.commitOffsets(new RequestContext("c", "h", (short) 9),
                    new OffsetCommitRequestData().setGroupId("other").setTopics(List.of(topic)), tp -> true).get();
            assertThat(response.topics().get(0).partitions().get(0).errorCode()).isZero();
            assertThat(log.partitions.get(coordinator.partitionFor("other")))
                    .contains(new GroupRecord.OffsetCommit("other", "t", 1, log.partitions.get(
                            coordinator.partitionFor("other")).stream()
                            .filter(r -> r instanceof GroupRecord.OffsetCommit oc && oc.groupId().equals("other"))
                            .map(r -> ((GroupRecord.OffsetCommit) r).value()).findFirst().orElseThrow()));
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
