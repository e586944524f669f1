package io.herald.server.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Stock kafka-clients consumers with the classic group protocol against one in-process broker. */
class ConsumerGroupEndToEndTest extends GroupEndToEndFixture {

    @Override
    KafkaConsumer<String, String> newConsumer(String group, Map<String, Object> overrides) {
        return broker.consumer(group, overrides);
    }

    @Test
    void membersSplitPartitionsAndTakeOverFromClosedAndAbandonedMembers() throws Exception {
        Map<String, Object> cfg = Map.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000,
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 6000);
        PollingConsumer a = member("a", "split", cfg);
        PollingConsumer b = member("b", "split", cfg);
        PollingConsumer c = member("c", "split", cfg);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(a.owned.size() + b.owned.size() + c.owned.size()).isEqualTo(PARTITIONS);
            assertThat(a.owned).hasSize(2);
            assertThat(b.owned).hasSize(2);
            assertThat(c.owned).hasSize(2);
        });
        broker.produce(TOPIC, 0, 300);
        await().atMost(Duration.ofSeconds(60)).until(() -> consumedByAll().containsAll(values(0, 300)));

        c.close(); // leaves the group
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(a.owned.size() + b.owned.size()).isEqualTo(PARTITIONS);
            assertThat(a.owned).hasSize(3);
        });
        broker.produce(TOPIC, 300, 300);
        await().atMost(Duration.ofSeconds(60)).until(() -> consumedByAll().containsAll(values(300, 300)));

        b.abandon(); // stops polling: max.poll.interval.ms runs out and its partitions move to a
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(a.owned).hasSize(PARTITIONS));
        broker.produce(TOPIC, 600, 60);
        await().atMost(Duration.ofSeconds(60)).until(() -> a.consumed.containsAll(values(600, 60)));
        assertThat(violations).isEmpty();
    }

    @Test
    void cooperativeStickyNeverRevokesPartitionsThatStay() throws Exception {
        Map<String, Object> cfg = Map.of(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                CooperativeStickyAssignor.class.getName());
        PollingConsumer a = member("a", "coop", cfg);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(a.owned).hasSize(PARTITIONS));
        PollingConsumer b = member("b", "coop", cfg);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(a.owned).hasSize(3);
            assertThat(b.owned).hasSize(3);
        });
        PollingConsumer c = member("c", "coop", cfg);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(a.owned).hasSize(2);
            assertThat(b.owned).hasSize(2);
            assertThat(c.owned).hasSize(2);
        });
        Set<TopicPartition> aKeeps = Set.copyOf(a.owned);
        Set<TopicPartition> bKeeps = Set.copyOf(b.owned);
        // a revoked only what moved: none of the partitions it still owns was ever revoked from it
        assertThat(a.revocations.stream().flatMap(java.util.Collection::stream).toList()).doesNotContainAnyElementsOf(aKeeps);
        assertThat(b.revocations.stream().flatMap(java.util.Collection::stream).toList()).doesNotContainAnyElementsOf(bKeeps);
        broker.produce(TOPIC, 0, 120);
        await().atMost(Duration.ofSeconds(60)).until(() -> consumedByAll().containsAll(values(0, 120)));
        assertThat(violations).isEmpty();
    }

    @Test
    void staticMemberRestartGetsItsPartitionsBackWithoutARebalance() throws Exception {
        PollingConsumer a = member("a", "static", Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "instance-a"));
        PollingConsumer b = member("b", "static", Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "instance-b"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(a.owned).hasSize(3);
            assertThat(b.owned).hasSize(3);
        });
        Set<TopicPartition> bPartitions = Set.copyOf(b.owned);
        int aAssignments = a.assignments.size();
        int aRevocations = a.revocations.size();
        b.close(); // a static member does not leave on close
        PollingConsumer b2 = member("b2", "static", Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "instance-b"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(b2.owned).isEqualTo(bPartitions));
        // No waiting needed: had b2's join started a rebalance, b2 could own partitions only after a had rejoined,
        // and a (eager protocol) revokes and is reassigned in its callbacks before it rejoins.
        assertThat(a.assignments).hasSize(aAssignments);
        assertThat(a.revocations).hasSize(aRevocations);
        assertThat(a.owned).hasSize(3);
    }

    @Test
    void consumersResumeAtCommittedOffsetsAfterConsumerAndBrokerRestarts() throws Exception {
        broker.produce(TOPIC, 0, 60);
        try (KafkaConsumer<String, String> c = broker.consumer("resume", Map.of(
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5))) {
            c.subscribe(List.of(TOPIC));
            Set<String> seen = new HashSet<>();
            while (seen.size() < 20) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    seen.add(r.value());
                }
            }
            c.commitSync();
        }
        Map<TopicPartition, OffsetAndMetadata> committed = committed("resume");
        long total = committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
        assertThat(total).isGreaterThanOrEqualTo(20).isLessThan(60);

        broker.restart();
        assertThat(committed("resume")).isEqualTo(committed);
        assertResumesAtCommitted("resume", committed, 60 - total);
    }

    @Test
    void autoCommitCommitsWhatWasPolled() throws Exception {
        broker.produce(TOPIC, 0, 30);
        try (KafkaConsumer<String, String> c = broker.consumer("auto", Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true, ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG, 200))) {
            c.subscribe(List.of(TOPIC));
            int received = 0;
            while (received < 30) {
                received += c.poll(Duration.ofMillis(200)).count();
            }
            long end = System.currentTimeMillis() + 1000;
            while (System.currentTimeMillis() < end) {
                c.poll(Duration.ofMillis(100));
            }
        }
        assertThat(committed("auto").values().stream().mapToLong(OffsetAndMetadata::offset).sum()).isEqualTo(30);
    }

    @Test
    void autoOffsetResetLatestAndNone() throws Exception {
        broker.produce(TOPIC, 0, 12);
        try (KafkaConsumer<String, String> latest = broker.consumer("latest", Map.of(
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"))) {
            latest.subscribe(List.of(TOPIC));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                latest.poll(Duration.ofMillis(100));
                return latest.assignment().size() == PARTITIONS;
            });
            for (TopicPartition tp : latest.assignment()) {
                assertThat(latest.position(tp)).isEqualTo(2);
            }
        }
        try (KafkaConsumer<String, String> none = broker.consumer("none", Map.of(
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"))) {
            none.subscribe(List.of(TOPIC));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                try {
                    none.poll(Duration.ofMillis(100));
                    return false;
                } catch (NoOffsetForPartitionException expected) {
                    return true;
                }
            });
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> committed(String group) throws Exception {
        return broker.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    }
}
