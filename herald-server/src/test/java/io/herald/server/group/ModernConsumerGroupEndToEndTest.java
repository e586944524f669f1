package io.herald.server.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.InconsistentGroupProtocolException;
import org.junit.jupiter.api.Test;

/**
 * Stock kafka-clients 4.3.1 consumers with {@code group.protocol=consumer} (KIP-848) against one in-process
 * broker: assignment without double ownership, rebalances on join and leave, commits and restarts, the range
 * server assignor, the admin client, regex subscriptions, and classic groups beside consumer groups.
 */
class ModernConsumerGroupEndToEndTest extends GroupEndToEndFixture {

    @Override
    KafkaConsumer<String, String> newConsumer(String group, Map<String, Object> overrides) {
        return broker.modernConsumer(group, overrides);
    }

    @Test
    void membersSplitPartitionsWithoutDoubleOwnershipAndRebalanceOnJoinAndLeave() throws Exception {
        PollingConsumer a = member("a", "split", Map.of());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(a.owned).hasSize(PARTITIONS));
        broker.produce(TOPIC, 0, 120);
        await().atMost(Duration.ofSeconds(60)).until(() -> consumedByAll().containsAll(values(0, 120)));

        PollingConsumer b = member("b", "split", Map.of());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(a.owned).hasSize(3);
            assertThat(b.owned).hasSize(3);
        });
        PollingConsumer c = member("c", "split", Map.of());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(a.owned).hasSize(2);
            assertThat(b.owned).hasSize(2);
            assertThat(c.owned).hasSize(2);
        });
        broker.produce(TOPIC, 120, 300);
        await().atMost(Duration.ofSeconds(60)).until(() -> consumedByAll().containsAll(values(120, 300)));

        c.close(); // leaves the group (heartbeat with epoch -1): its partitions move to a and b
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(a.owned.size() + b.owned.size()).isEqualTo(PARTITIONS);
            assertThat(a.owned).hasSize(3);
        });
        broker.produce(TOPIC, 420, 300);
        await().atMost(Duration.ofSeconds(60)).until(() -> consumedByAll().containsAll(values(420, 300)));
        assertThat(violations).isEmpty();
    }

    @Test
    void consumersResumeAtCommittedOffsetsAfterConsumerAndBrokerRestarts() throws Exception {
        broker.produce(TOPIC, 0, 60);
        Set<String> first = new HashSet<>();
        try (KafkaConsumer<String, String> c = broker.modernConsumer("resume", Map.of(
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5))) {
            c.subscribe(List.of(TOPIC));
            while (first.size() < 20) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    first.add(r.value());
                }
            }
            c.commitSync();
        }
        Map<TopicPartition, OffsetAndMetadata> committed = committed("resume");
        long total = committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
        assertThat(total).isGreaterThanOrEqualTo(20).isLessThan(60);

        // A restarted consumer resumes at the committed offsets.
        Set<String> second = new HashSet<>();
        try (KafkaConsumer<String, String> c = broker.modernConsumer("resume", Map.of(
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5))) {
            c.subscribe(List.of(TOPIC));
            while (second.size() < 10) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    OffsetAndMetadata start = committed.get(new TopicPartition(r.topic(), r.partition()));
                    assertThat(r.offset()).isGreaterThanOrEqualTo(start == null ? 0 : start.offset());
                    second.add(r.value());
                }
            }
            c.commitSync();
        }
        committed = committed("resume");
        total = committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();

        // A member stays in the group across the broker restart: group state and offsets are in the log.
        KafkaConsumer<String, String> live = broker.modernConsumer("resume", Map.of());
        live.subscribe(List.of(TOPIC));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            live.poll(Duration.ofMillis(100));
            return live.assignment().size() == PARTITIONS;
        });
        live.close(Duration.ofSeconds(5)); // leaves: the group is empty but stays (with its offsets)
        broker.restart();
        assertThat(committed("resume")).isEqualTo(committed);
        ConsumerGroupDescription described = broker.admin().describeConsumerGroups(List.of("resume"))
                .describedGroups().get("resume").get();
        assertThat(described.type()).isEqualTo(GroupType.CONSUMER);
        assertThat(described.groupState()).isEqualTo(GroupState.EMPTY);

        assertResumesAtCommitted("resume", committed, 60 - total);
    }

    @Test
    void deleteConsumerGroupOffsetsRefusesSubscribedTopicsOfALiveGroup() throws Exception {
        broker.createTopic("other", 1);
        broker.produce(TOPIC, 0, 12);
        try (KafkaConsumer<String, String> c = broker.modernConsumer("offsets-del", Map.of())) {
            c.subscribe(List.of(TOPIC));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                c.poll(Duration.ofMillis(100));
                return c.assignment().size() == PARTITIONS;
            });
            TopicPartition subscribed = new TopicPartition(TOPIC, 0);
            TopicPartition unsubscribed = new TopicPartition("other", 0);
            c.commitSync(Map.of(subscribed, new OffsetAndMetadata(1), unsubscribed, new OffsetAndMetadata(3)));

            // The live member subscribes to TOPIC: its offsets stay. "other" is nobody's: its offset may go.
            assertThatThrownBy(() -> broker.admin().deleteConsumerGroupOffsets("offsets-del", Set.of(subscribed))
                    .all().get())
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.GroupSubscribedToTopicException.class);
            broker.admin().deleteConsumerGroupOffsets("offsets-del", Set.of(unsubscribed)).all().get();
            assertThat(committed("offsets-del")).containsOnlyKeys(subscribed);
        }
        // Once the group is empty, nothing is subscribed any more.
        broker.admin().deleteConsumerGroupOffsets("offsets-del", Set.of(new TopicPartition(TOPIC, 0))).all().get();
        assertThat(committed("offsets-del")).isEmpty();
    }

    @Test
    void membersKeepConsumingAcrossABrokerRestart() throws Exception {
        PollingConsumer a = member("a", "survivor", Map.of()).commitAfterEachPoll();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(a.owned).hasSize(PARTITIONS));
        broker.produce(TOPIC, 0, 60);
        await().atMost(Duration.ofSeconds(60)).until(() -> a.consumed.containsAll(values(0, 60)));
        Map<TopicPartition, OffsetAndMetadata> offsetsBefore = committed("survivor");
        assertThat(offsetsBefore.values().stream().mapToLong(OffsetAndMetadata::offset).sum()).isEqualTo(60);

        ConsumerGroupDescription before = describe("survivor");

        broker.restartKeepingClients();
        // The member's epoch and assignment were replayed: it keeps heartbeating and consuming without rejoining.
        broker.produce(TOPIC, 60, 60);
        await().atMost(Duration.ofSeconds(60)).until(() -> a.consumed.containsAll(values(60, 60)));
        ConsumerGroupDescription after = describe("survivor");
        assertThat(after.groupEpoch()).isEqualTo(before.groupEpoch());
        assertThat(after.members()).extracting(MemberDescription::consumerId)
                .containsExactlyElementsOf(before.members().stream().map(MemberDescription::consumerId).toList());
        assertThat(after.members().iterator().next().assignment().topicPartitions()).hasSize(PARTITIONS);
        assertThat(committed("survivor").values().stream().mapToLong(OffsetAndMetadata::offset).sum())
                .isGreaterThanOrEqualTo(60);
        assertThat(violations).isEmpty();
    }

    @Test
    void remoteRangeAssignorGivesContiguousRanges() throws Exception {
        Map<String, Object> range = Map.of(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, "range");
        PollingConsumer a = member("a", "ranged", range);
        PollingConsumer b = member("b", "ranged", range);
        Set<TopicPartition> low = partitions(0, 1, 2);
        Set<TopicPartition> high = partitions(3, 4, 5);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(List.of(Set.copyOf(a.owned), Set.copyOf(b.owned))).containsExactlyInAnyOrder(low, high);
        });
        ConsumerGroupDescription described = broker.admin().describeConsumerGroups(List.of("ranged"))
                .describedGroups().get("ranged").get();
        assertThat(described.partitionAssignor()).isEqualTo("range");
        // Kafka's range layout: members sorted by member id take the ranges in order.
        List<MemberDescription> byId = described.members().stream()
                .sorted(java.util.Comparator.comparing(MemberDescription::consumerId)).toList();
        assertThat(byId.get(0).assignment().topicPartitions()).isEqualTo(low);
        assertThat(byId.get(1).assignment().topicPartitions()).isEqualTo(high);
        assertThat(violations).isEmpty();
    }

    @Test
    void adminDescribesListsAndDeletesConsumerGroups() throws Exception {
        PollingConsumer a = member("a", "admin", Map.of()).commitAfterEachPoll();
        PollingConsumer b = member("b", "admin", Map.of());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(a.owned).hasSize(3);
            assertThat(b.owned).hasSize(3);
        });
        broker.produce(TOPIC, 0, 30);
        Admin admin = broker.admin();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of("admin")).describedGroups()
                    .get("admin").get();
            assertThat(d.type()).isEqualTo(GroupType.CONSUMER);
            assertThat(d.groupState()).isEqualTo(GroupState.STABLE);
            assertThat(d.partitionAssignor()).isEqualTo("uniform");
            assertThat(d.members()).hasSize(2);
            assertThat(d.members().stream().flatMap(m -> m.assignment().topicPartitions().stream())
                    .collect(Collectors.toSet())).isEqualTo(partitions(0, 1, 2, 3, 4, 5));
        });
        List<GroupListing> listed = List.copyOf(admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get());
        assertThat(listed).anySatisfy(g -> {
            assertThat(g.groupId()).isEqualTo("admin");
            assertThat(g.type()).contains(GroupType.CONSUMER);
            assertThat(g.groupState()).contains(GroupState.STABLE);
        });
        assertThatThrownBy(() -> admin.deleteConsumerGroups(List.of("admin")).all().get())
                .hasCauseInstanceOf(GroupNotEmptyException.class);
        await().atMost(Duration.ofSeconds(30)).until(() -> !committed("admin").isEmpty());

        a.close();
        b.close();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(admin.describeConsumerGroups(
                List.of("admin")).describedGroups().get("admin").get().groupState()).isEqualTo(GroupState.EMPTY));
        admin.deleteConsumerGroups(List.of("admin")).all().get();
        assertThat(admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get())
                .noneMatch(g -> g.groupId().equals("admin"));
        assertThat(committed("admin")).isEmpty();
        assertThat(violations).isEmpty();
    }

    @Test
    void classicAndConsumerGroupsLiveSideBySide() throws Exception {
        PollingConsumer modern = member("modern", "modern-group", Map.of());
        PollingConsumer classic = new PollingConsumer("classic", () -> broker.consumer("classic-group", Map.of()),
                TOPIC, new ConcurrentHashMap<>(), violations);
        consumers.add(classic);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(modern.owned).hasSize(PARTITIONS);
            assertThat(classic.owned).hasSize(PARTITIONS);
        });
        broker.produce(TOPIC, 0, 60);
        await().atMost(Duration.ofSeconds(60)).until(() -> modern.consumed.containsAll(values(0, 60))
                && classic.consumed.containsAll(values(0, 60)));

        Admin admin = broker.admin();
        Map<String, GroupListing> listed = admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get()
                .stream().collect(Collectors.toMap(GroupListing::groupId, g -> g));
        assertThat(listed.get("modern-group").type()).contains(GroupType.CONSUMER);
        assertThat(listed.get("classic-group").type()).contains(GroupType.CLASSIC);
        Map<String, ConsumerGroupDescription> described = admin.describeConsumerGroups(
                List.of("modern-group", "classic-group")).all().get();
        assertThat(described.get("modern-group").type()).isEqualTo(GroupType.CONSUMER);
        assertThat(described.get("classic-group").type()).isEqualTo(GroupType.CLASSIC);
        assertThat(described.get("classic-group").members()).hasSize(1);

        // A group id is one type: a classic member cannot join the live consumer group.
        try (KafkaConsumer<String, String> intruder = broker.consumer("modern-group", Map.of())) {
            intruder.subscribe(List.of(TOPIC));
            assertThatThrownBy(() -> {
                long deadline = System.currentTimeMillis() + 30_000;
                while (System.currentTimeMillis() < deadline) {
                    intruder.poll(Duration.ofMillis(100));
                }
            }).isInstanceOf(InconsistentGroupProtocolException.class);
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void regexSubscriptionPicksUpTopicsCreatedLater() throws Exception {
        broker.createTopic("re-one", 2);
        broker.createTopic("other", 2);
        broker.produce("re-one", 0, 10);
        broker.produce("other", 100, 10);
        try (KafkaConsumer<String, String> c = broker.modernConsumer("regex", Map.of())) {
            c.subscribe(Pattern.compile("re-.*"));
            Set<String> seen = new HashSet<>();
            pollUntil(c, seen, () -> seen.containsAll(values(0, 10)));
            assertThat(c.assignment()).containsExactlyInAnyOrderElementsOf(Set.of(
                    new TopicPartition("re-one", 0), new TopicPartition("re-one", 1)));

            broker.createTopic("re-two", 3);
            broker.produce("re-two", 20, 9);
            pollUntil(c, seen, () -> seen.containsAll(values(20, 9)));
            assertThat(c.assignment()).hasSize(5).noneMatch(tp -> tp.topic().equals("other"));
            assertThat(seen).doesNotContainAnyElementsOf(values(100, 10));
        }
    }

    private static void pollUntil(KafkaConsumer<String, String> c, Set<String> seen,
                                  java.util.function.BooleanSupplier done) {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!done.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as("time out waiting for records").isLessThan(deadline);
            for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) {
                seen.add(r.value());
            }
        }
    }

    private ConsumerGroupDescription describe(String group) throws ExecutionException, InterruptedException {
        return broker.admin().describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
    }

    private static Set<TopicPartition> partitions(int... indexes) {
        return IntStream.of(indexes).mapToObj(i -> new TopicPartition(TOPIC, i)).collect(Collectors.toSet());
    }

    private Map<TopicPartition, OffsetAndMetadata> committed(String group)
            throws ExecutionException, InterruptedException {
        return broker.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    }
}
