package io.herald.server.e2e;

import static io.herald.server.e2e.ShareClients.awaitStartOffset;
import static io.herald.server.e2e.ShareClients.configure;
import static io.herald.server.e2e.ShareClients.headers;
import static io.herald.server.e2e.ShareClients.pollUntil;
import static io.herald.server.e2e.ShareClients.shareConsumer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dead-letter topics for share groups (KIP-1191) with the stock clients: a {@link KafkaShareConsumer} rejects one
 * record and releases another past {@code share.delivery.count.limit}; a plain consumer of the dead-letter topic
 * reads exactly those two, with the context headers (and the original key, value and headers when the group copies
 * records). Misconfigured groups archive without a copy, and settings that break the rules are refused.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DeadLetterTopicsEndToEndTest {
    private static final long T = 30;

    @TempDir
    Path dir;

    private TestBroker broker;
    private final List<KafkaShareConsumer<String, String>> consumers = new ArrayList<>();

    @AfterEach
    void stop() {
        consumers.forEach(c -> c.close(Duration.ofSeconds(5)));
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aRejectedAndAnUndeliverableRecordAreCopiedOnceWithTheirHeaders() throws Exception {
        broker = TestBroker.start(dir);
        broker.createTopic("orders", 1, Map.of());
        broker.createTopic("dlq.orders", 1, Map.of("errors.deadletterqueue.group.enable", "true"));
        configure(broker, "billing", Map.of("errors.deadletterqueue.topic.name", "dlq.orders",
                "errors.deadletterqueue.copy.record.enable", "true", "share.delivery.count.limit", "2"));
        var producer = broker.producer();
        producer.send(new ProducerRecord<>("orders", 0, "k0", "v0"));
        producer.send(new ProducerRecord<>("orders", 0, "k1", "v1",
                List.<Header>of(new RecordHeader("trace", "t-1".getBytes(StandardCharsets.UTF_8)))));
        producer.send(new ProducerRecord<>("orders", 0, "k2", "v2"));
        producer.flush();
        KafkaShareConsumer<String, String> c = shareConsumer(broker, "billing", "explicit", consumers);
        c.subscribe(List.of("orders"));

        List<ConsumerRecord<String, String>> first = pollUntil(c, 3);
        c.acknowledge(first.get(0), AcknowledgeType.ACCEPT);
        c.acknowledge(first.get(1), AcknowledgeType.REJECT);
        c.acknowledge(first.get(2), AcknowledgeType.RELEASE);
        c.commitSync(Duration.ofSeconds(T));
        List<ConsumerRecord<String, String>> again = pollUntil(c, 1);
        assertThat(again.get(0).offset()).isEqualTo(2);
        c.acknowledge(again.get(0), AcknowledgeType.RELEASE); // its second delivery: the limit
        c.commitSync(Duration.ofSeconds(T));

        awaitStartOffset(broker, "billing", new TopicPartition("orders", 0), 3);
        TopicPartition dlq = new TopicPartition("dlq.orders", 0);
        assertThat(broker.offset(dlq, OffsetSpec.latest())).as("exactly two copies").isEqualTo(2);
        List<ConsumerRecord<String, String>> copies = TestBroker.readAll(broker.consumer(), Set.of(dlq), 2,
                Duration.ofSeconds(T));
        assertThat(copies).hasSize(2);
        ConsumerRecord<String, String> rejected = copies.get(0);
        assertThat(rejected.key()).isEqualTo("k1");
        assertThat(rejected.value()).isEqualTo("v1");
        assertThat(headers(rejected)).containsEntry("__dlq.errors.topic", "orders")
                .containsEntry("__dlq.errors.partition", "0").containsEntry("__dlq.errors.offset", "1")
                .containsEntry("__dlq.errors.group", "billing").containsEntry("__dlq.errors.delivery.count", "1")
                .containsEntry("trace", "t-1");
        assertThat(headers(rejected).get("__dlq.errors.message")).contains("rejected");
        ConsumerRecord<String, String> exhausted = copies.get(1);
        assertThat(exhausted.key()).isEqualTo("k2");
        assertThat(headers(exhausted)).containsEntry("__dlq.errors.offset", "2")
                .containsEntry("__dlq.errors.delivery.count", "2");
        assertThat(headers(exhausted).get("__dlq.errors.message")).contains("delivery count limit");
    }

    @Test
    void withoutCopyRecordTheCopyCarriesOnlyTheContextHeaders() throws Exception {
        broker = TestBroker.start(dir);
        broker.createTopic("orders", 1, Map.of());
        broker.createTopic("dlq.orders", 1, Map.of("errors.deadletterqueue.group.enable", "true"));
        configure(broker, "billing", Map.of("errors.deadletterqueue.topic.name", "dlq.orders"));
        rejectOne("billing");

        TopicPartition dlq = new TopicPartition("dlq.orders", 0);
        List<ConsumerRecord<String, String>> copies = TestBroker.readAll(broker.consumer(), Set.of(dlq), 1,
                Duration.ofSeconds(T));
        assertThat(copies).hasSize(1);
        assertThat(copies.get(0).key()).isNull();
        assertThat(copies.get(0).value()).isNull();
        assertThat(headers(copies.get(0))).containsOnlyKeys("__dlq.errors.topic", "__dlq.errors.partition",
                "__dlq.errors.offset", "__dlq.errors.group", "__dlq.errors.delivery.count", "__dlq.errors.message");
    }

    @Test
    void aTopicOutsideThePrefixIsRefusedAndTheSettingsAreDescribed() throws Exception {
        broker = TestBroker.start(dir);
        ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, "billing");
        try (Admin admin = broker.admin()) {
            assertThatThrownBy(() -> alter(admin, group, "errors.deadletterqueue.topic.name", "orders-dead"))
                    .hasCauseInstanceOf(InvalidConfigurationException.class);
            alter(admin, group, "errors.deadletterqueue.topic.name", "dlq.billing");
            Config described = admin.describeConfigs(List.of(group)).all().get(T, TimeUnit.SECONDS).get(group);
            assertThat(described.get("errors.deadletterqueue.topic.name").value()).isEqualTo("dlq.billing");
            assertThat(described.get("errors.deadletterqueue.copy.record.enable").value()).isEqualTo("false");
        }
    }

    @Test
    void aTopicNotEnabledForDeadLettersGetsNothingAndTheRecordIsArchived() throws Exception {
        broker = TestBroker.start(dir);
        broker.createTopic("orders", 1, Map.of());
        broker.createTopic("dlq.orders", 1, Map.of());
        configure(broker, "billing", Map.of("errors.deadletterqueue.topic.name", "dlq.orders"));

        rejectOne("billing");

        assertThat(broker.offset(new TopicPartition("dlq.orders", 0), OffsetSpec.latest())).isZero();
    }

    @Test
    void aMissingTopicIsNotCreatedUnlessTheClusterAllowsIt() throws Exception {
        broker = TestBroker.start(dir);
        broker.createTopic("orders", 1, Map.of());
        configure(broker, "billing", Map.of("errors.deadletterqueue.topic.name", "dlq.missing"));

        rejectOne("billing");

        try (Admin admin = broker.admin()) {
            assertThat(admin.listTopics().names().get(T, TimeUnit.SECONDS)).doesNotContain("dlq.missing");
        }
    }

    @Test
    void withAutoCreateAMissingTopicIsCreatedEnabledAndGetsTheCopy() throws Exception {
        broker = TestBroker.start(dir, Map.of("errors.deadletterqueue.auto.create.topics.enable", "true"));
        broker.createTopic("orders", 1, Map.of());
        configure(broker, "billing", Map.of("errors.deadletterqueue.topic.name", "dlq.created"));

        rejectOne("billing");

        TopicPartition dlq = new TopicPartition("dlq.created", 0);
        assertThat(broker.offset(dlq, OffsetSpec.latest())).isEqualTo(1);
        try (Admin admin = broker.admin()) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "dlq.created");
            Config config = admin.describeConfigs(List.of(topic)).all().get(T, TimeUnit.SECONDS).get(topic);
            assertThat(config.get("errors.deadletterqueue.group.enable").value()).isEqualTo("true");
        }
    }

    /** Produces one record to orders, rejects it, and waits until the group's start offset passed it. */
    private void rejectOne(String group) throws Exception {
        var producer = broker.producer();
        producer.send(new ProducerRecord<>("orders", 0, "k0", "v0"));
        producer.flush();
        KafkaShareConsumer<String, String> c = shareConsumer(broker, group, "explicit", consumers);
        c.subscribe(List.of("orders"));
        List<ConsumerRecord<String, String>> polled = pollUntil(c, 1);
        c.acknowledge(polled.get(0), AcknowledgeType.REJECT);
        c.commitSync(Duration.ofSeconds(T));
        awaitStartOffset(broker, group, new TopicPartition("orders", 0), 1);
    }

    private static void alter(Admin admin, ConfigResource resource, String name, String value) throws Exception {
        admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry(name, value),
                AlterConfigOp.OpType.SET)))).all().get(T, TimeUnit.SECONDS);
    }

}
