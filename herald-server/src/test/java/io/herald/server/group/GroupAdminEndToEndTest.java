package io.herald.server.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.GroupSubscribedToTopicException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The consumer-group Admin APIs of kafka-clients against Herald. */
@Timeout(120)
class GroupAdminEndToEndTest {
    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("deprecation")
    void adminListsDescribesAltersAndDeletesConsumerGroups() throws Exception {
        try (GroupTestBroker broker = new GroupTestBroker(dir)) {
            broker.createTopic("t", 6);
            broker.produce("t", 0, 60);
            Admin admin = broker.admin();
            KafkaConsumer<String, String> consumer = broker.consumer("live", Map.of());
            consumer.subscribe(List.of("t"));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100));
                return consumer.assignment().size() == 6;
            });
            consumer.commitSync(Map.of(new TopicPartition("t", 0), new OffsetAndMetadata(4, "note")));

            // a simple group, offsets set by the admin client
            TopicPartition t1 = new TopicPartition("t", 1);
            TopicPartition t2 = new TopicPartition("t", 2);
            admin.alterConsumerGroupOffsets("offline", Map.of(t1, new OffsetAndMetadata(7), t2,
                    new OffsetAndMetadata(9))).all().get();
            assertThat(admin.listConsumerGroupOffsets("offline").partitionsToOffsetAndMetadata().get())
                    .containsEntry(t1, new OffsetAndMetadata(7)).containsEntry(t2, new OffsetAndMetadata(9));

            Collection<ConsumerGroupListing> listed = admin.listConsumerGroups().all().get();
            assertThat(listed).extracting(ConsumerGroupListing::groupId).contains("live", "offline");
            assertThat(listed).filteredOn(l -> l.groupId().equals("live")).singleElement()
                    .satisfies(l -> assertThat(l.groupState()).contains(GroupState.STABLE));
            assertThat(admin.listConsumerGroups(new org.apache.kafka.clients.admin.ListConsumerGroupsOptions()
                    .inGroupStates(Set.of(GroupState.EMPTY))).all().get())
                    .extracting(ConsumerGroupListing::groupId).contains("offline").doesNotContain("live");

            ConsumerGroupDescription live = admin.describeConsumerGroups(List.of("live")).describedGroups()
                    .get("live").get();
            assertThat(live.groupState()).isEqualTo(GroupState.STABLE);
            assertThat(live.partitionAssignor()).isNotEmpty();
            assertThat(live.members()).singleElement().satisfies(m -> {
                MemberDescription md = m;
                assertThat(md.assignment().topicPartitions()).hasSize(6);
                assertThat(md.host()).isEqualTo("/127.0.0.1");
            });
            assertThat(admin.listConsumerGroupOffsets("live").partitionsToOffsetAndMetadata().get())
                    .containsEntry(new TopicPartition("t", 0), new OffsetAndMetadata(4, "note"));

            // offsets of a subscribed topic cannot be deleted while members consume it
            assertThatThrownBy(() -> admin.deleteConsumerGroupOffsets("live", Set.of(new TopicPartition("t", 0)))
                    .all().get()).hasCauseInstanceOf(GroupSubscribedToTopicException.class);
            admin.deleteConsumerGroupOffsets("offline", Set.of(t1)).all().get();
            assertThat(admin.listConsumerGroupOffsets("offline").partitionsToOffsetAndMetadata().get())
                    .containsOnlyKeys(t2);

            assertThatThrownBy(() -> admin.deleteConsumerGroups(List.of("live")).all().get())
                    .hasCauseInstanceOf(GroupNotEmptyException.class);
            consumer.close(Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(20)).until(() -> admin.describeConsumerGroups(List.of("live"))
                    .describedGroups().get("live").get().groupState() == GroupState.EMPTY);
            admin.deleteConsumerGroups(List.of("live", "offline")).all().get();
            assertThat(admin.listConsumerGroups().all().get()).extracting(ConsumerGroupListing::groupId)
                    .doesNotContain("live", "offline");
            assertThatThrownBy(() -> admin.deleteConsumerGroups(List.of("live")).all().get())
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(GroupIdNotFoundException.class);
            assertThat(admin.listConsumerGroupOffsets("live").partitionsToOffsetAndMetadata().get()).isEmpty();

            // Metadata reports the internal topic as internal
            assertThat(admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true))
                    .listings().get()).filteredOn(l -> l.name().equals("__consumer_offsets")).singleElement()
                    .satisfies(l -> assertThat(l.isInternal()).isTrue());
        }
    }
}
