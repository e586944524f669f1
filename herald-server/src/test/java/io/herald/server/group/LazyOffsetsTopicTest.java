package io.herald.server.group;

import io.herald.group.OffsetsTopic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code __consumer_offsets} is created by the first group that needs it, not at broker startup, and a group
 * works from a fresh broker and across a restart (the coordinator loads the partitions it leads at startup).
 */
@Timeout(120)
class LazyOffsetsTopicTest {
    @TempDir
    Path dir;

    private static boolean offsetsTopicListed(Admin admin) throws Exception {
        return admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get()
                .contains(OffsetsTopic.NAME);
    }

    private static List<String> pollValues(KafkaConsumer<String, String> consumer, int expected) {
        List<String> values = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 30_000;
        while (values.size() < expected && System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                values.add(r.value());
            }
        }
        return values;
    }

    @Test
    void startupDoesNotCreateTheTopicAndTheFirstGroupCreatesItCompacted() throws Exception {
        try (GroupTestBroker broker = new GroupTestBroker(dir)) {
            Admin admin = broker.admin();
            broker.createTopic("t", 3);
            assertThat(offsetsTopicListed(admin)).as("not created at startup").isFalse();

            broker.produce("t", 0, 30);
            KafkaConsumer<String, String> consumer = broker.consumer("fresh", Map.of());
            consumer.subscribe(List.of("t"));
            assertThat(pollValues(consumer, 30)).hasSize(30);
            consumer.commitSync();

            assertThat(offsetsTopicListed(admin)).isTrue();
            TopicDescription offsets = admin.describeTopics(List.of(OffsetsTopic.NAME)).allTopicNames().get()
                    .get(OffsetsTopic.NAME);
            assertThat(offsets.isInternal()).isTrue();
            // offsets.topic.num.partitions=5 in the test broker; replication factor 3 capped at one broker
            assertThat(offsets.partitions()).hasSize(5)
                    .allSatisfy(p -> assertThat(p.replicas()).hasSize(1));
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, OffsetsTopic.NAME);
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(config.get("segment.bytes").value()).isEqualTo("104857600");
            assertThat(admin.listConsumerGroupOffsets("fresh").partitionsToOffsetAndMetadata().get())
                    .hasSize(3).allSatisfy((tp, o) -> assertThat(o.offset()).isEqualTo(10));
        }
    }

    @Test
    void committedOffsetsSurviveARestartOfTheBroker() throws Exception {
        try (GroupTestBroker broker = new GroupTestBroker(dir)) {
            broker.createTopic("t", 2);
            broker.produce("t", 0, 20);
            KafkaConsumer<String, String> first = broker.consumer("resume", Map.of());
            first.subscribe(List.of("t"));
            assertThat(pollValues(first, 20)).hasSize(20);
            first.commitSync(Map.of(new TopicPartition("t", 0), new OffsetAndMetadata(4),
                    new TopicPartition("t", 1), new OffsetAndMetadata(6)));

            broker.restart();
            Admin admin = broker.admin();
            // loaded at startup because this broker leads the partition again
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(admin.listConsumerGroupOffsets("resume").partitionsToOffsetAndMetadata().get())
                            .containsEntry(new TopicPartition("t", 0), new OffsetAndMetadata(4))
                            .containsEntry(new TopicPartition("t", 1), new OffsetAndMetadata(6)));
            KafkaConsumer<String, String> second = broker.consumer("resume", Map.of());
            second.subscribe(List.of("t"));
            assertThat(pollValues(second, 10)).as("resumes after the committed offsets").hasSize(10)
                    .doesNotContain("v-0", "v-2");
        }
    }
}
