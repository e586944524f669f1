package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The Admin client's topic, config, cluster and offset operations against one broker. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AdminTest {
    private static final long T = 20;
    @TempDir
    Path dir;
    TestBroker broker;
    Admin admin;

    @BeforeEach
    void start() throws Exception {
        broker = TestBroker.start(dir);
        admin = broker.admin();
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void createTopicsValidateOnlyDuplicateAndInvalidName() throws Exception {
        admin.createTopics(List.of(new NewTopic("dry", 3, (short) 1)),
                new CreateTopicsOptions().validateOnly(true)).all().get(T, TimeUnit.SECONDS);
        assertThat(admin.listTopics().names().get(T, TimeUnit.SECONDS)).doesNotContain("dry");

        admin.createTopics(List.of(new NewTopic("orders", 3, (short) 1))).all().get(T, TimeUnit.SECONDS);
        assertThat(admin.listTopics().names().get(T, TimeUnit.SECONDS)).contains("orders");

        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("orders", 3, (short) 1)))
                .all().get(T, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicExistsException.class);
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("bad name!", 1, (short) 1)))
                .all().get(T, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidTopicException.class);
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("x".repeat(250), 1, (short) 1)))
                .all().get(T, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidTopicException.class);
    }

    @Test
    void describeTopicsShowsPartitionsLeaderAndIsr() throws Exception {
        admin.createTopics(List.of(new NewTopic("described", 3, (short) 1))).all().get(T, TimeUnit.SECONDS);
        int nodeId = broker.broker().config().node().nodeId();
        TopicDescription d = admin.describeTopics(List.of("described")).allTopicNames().get(T, TimeUnit.SECONDS)
                .get("described");
        assertThat(d.name()).isEqualTo("described");
        assertThat(d.isInternal()).isFalse();
        assertThat(d.topicId()).isNotNull();
        assertThat(d.partitions()).extracting(TopicPartitionInfo::partition).containsExactly(0, 1, 2);
        for (TopicPartitionInfo p : d.partitions()) {
            assertThat(p.leader()).isNotNull();
            assertThat(p.leader().id()).isEqualTo(nodeId);
            assertThat(p.replicas()).extracting(Node::id).containsExactly(nodeId);
            assertThat(p.isr()).extracting(Node::id).containsExactly(nodeId);
        }
    }

    @Test
    void deleteTopicsRemovesTheTopic() throws Exception {
        admin.createTopics(List.of(new NewTopic("doomed", 2, (short) 1))).all().get(T, TimeUnit.SECONDS);
        admin.deleteTopics(List.of("doomed")).all().get(T, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(admin.listTopics().names().get(T, TimeUnit.SECONDS)).doesNotContain("doomed"));
        assertThatThrownBy(() -> admin.describeTopics(List.of("doomed")).allTopicNames().get(T, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
        assertThatThrownBy(() -> admin.deleteTopics(List.of("doomed")).all().get(T, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
        // The name can be reused.
        admin.createTopics(List.of(new NewTopic("doomed", 1, (short) 1))).all().get(T, TimeUnit.SECONDS);
    }

    @Test
    void createPartitionsGrowsAndRefusesToShrink() throws Exception {
        admin.createTopics(List.of(new NewTopic("growing", 2, (short) 1))).all().get(T, TimeUnit.SECONDS);
        admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(4))).all().get(T, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(admin.describeTopics(List.of("growing")).allTopicNames().get(T, TimeUnit.SECONDS)
                        .get("growing").partitions()).hasSize(4));
        assertThatThrownBy(() -> admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(2)))
                .all().get(T, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidPartitionsException.class);
        // A new partition takes writes.
        KafkaProducer<String, String> p = broker.producer();
        assertThat(p.send(new ProducerRecord<>("growing", 3, "k", "v")).get(T, TimeUnit.SECONDS).partition())
                .isEqualTo(3);
    }

    @Test
    void incrementalAlterConfigsRoundTripsOnATopic() throws Exception {
        admin.createTopics(List.of(new NewTopic("configured", 1, (short) 1))).all().get(T, TimeUnit.SECONDS);
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "configured");

        alter(topic, op("retention.ms", "123456", AlterConfigOp.OpType.SET),
                op("cleanup.policy", "delete", AlterConfigOp.OpType.SET));
        ConfigEntry retention = describe(topic).get("retention.ms");
        assertThat(retention.value()).isEqualTo("123456");
        assertThat(retention.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);

        alter(topic, op("cleanup.policy", "compact", AlterConfigOp.OpType.APPEND));
        assertThat(List.of(describe(topic).get("cleanup.policy").value().split(",")))
                .containsExactlyInAnyOrder("delete", "compact");

        alter(topic, op("cleanup.policy", "delete", AlterConfigOp.OpType.SUBTRACT));
        assertThat(describe(topic).get("cleanup.policy").value()).isEqualTo("compact");

        alter(topic, op("retention.ms", null, AlterConfigOp.OpType.DELETE));
        ConfigEntry reverted = describe(topic).get("retention.ms");
        assertThat(reverted.value()).isEqualTo("604800000");
        assertThat(reverted.source()).isNotEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(reverted.isDefault()).isTrue();
    }

    @Test
    void invalidConfigValueIsRejected() throws Exception {
        admin.createTopics(List.of(new NewTopic("strict", 1, (short) 1))).all().get(T, TimeUnit.SECONDS);
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "strict");
        assertThatThrownBy(() -> alter(topic, op("retention.ms", "not-a-number", AlterConfigOp.OpType.SET)))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidConfigurationException.class);
        assertThatThrownBy(() -> alter(topic, op("cleanup.policy", "shred", AlterConfigOp.OpType.SET)))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidConfigurationException.class);
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("strict2", 1, (short) 1)
                        .configs(Map.of("segment.bytes", "-5")))).all().get(T, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidConfigurationException.class);
        // Nothing changed.
        assertThat(describe(topic).get("retention.ms").value()).isEqualTo("604800000");
    }

    @Test
    void brokerConfigsDescribeAndDynamicDefault() throws Exception {
        String nodeId = String.valueOf(broker.broker().config().node().nodeId());
        ConfigResource thisBroker = new ConfigResource(ConfigResource.Type.BROKER, nodeId);
        Config before = describeConfig(thisBroker);
        assertThat(before.get("log.segment.bytes")).isNotNull();
        assertThat(before.get("log.segment.bytes").value()).isEqualTo("1073741824");

        ConfigResource clusterDefault = new ConfigResource(ConfigResource.Type.BROKER, "");
        alter(clusterDefault, op("log.retention.ms", "3600000", AlterConfigOp.OpType.SET));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            ConfigEntry e = describeConfig(thisBroker).get("log.retention.ms");
            assertThat(e).isNotNull();
            assertThat(e.value()).isEqualTo("3600000");
            assertThat(e.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
        });
        // Topics without an override inherit the new cluster default.
        admin.createTopics(List.of(new NewTopic("inherits", 1, (short) 1))).all().get(T, TimeUnit.SECONDS);
        assertThat(describe(new ConfigResource(ConfigResource.Type.TOPIC, "inherits")).get("retention.ms").value())
                .isEqualTo("3600000");

        assertThatThrownBy(() -> alter(clusterDefault, op("log.retention.ms", "soon", AlterConfigOp.OpType.SET)))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidConfigurationException.class);
    }

    @Test
    void describeClusterHasOneNodeAClusterIdAndAController() throws Exception {
        DescribeClusterResult c = admin.describeCluster();
        Collection<Node> nodes = c.nodes().get(T, TimeUnit.SECONDS);
        assertThat(nodes).hasSize(1);
        Node node = nodes.iterator().next();
        assertThat(node.id()).isEqualTo(broker.broker().config().node().nodeId());
        assertThat(node.port()).isEqualTo(broker.port());
        assertThat(c.clusterId().get(T, TimeUnit.SECONDS)).isNotBlank().isEqualTo(broker.broker().clusterId());
        assertThat(c.controller().get(T, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void describeClusterLeavesFencedBrokersOutUnlessAskedForThem() throws Exception {
        int self = broker.broker().config().node().nodeId();
        int fenced = self + 1;
        broker.broker().controller().registerBroker(fenced, "127.0.0.1", 1, Optional.empty());
        broker.broker().controller().controlledShutdown(fenced);

        Collection<Node> live = admin.describeCluster().nodes().get(T, TimeUnit.SECONDS);
        Collection<Node> all = admin.describeCluster(new DescribeClusterOptions().includeFencedBrokers(true))
                .nodes().get(T, TimeUnit.SECONDS);

        assertThat(live).extracting(Node::id).containsExactly(self);
        assertThat(all).extracting(Node::id).containsExactlyInAnyOrder(self, fenced);
        assertThat(all).filteredOn(Node::isFenced).extracting(Node::id).containsExactly(fenced);
    }

    @Test
    void describeMetadataQuorumShowsTheSingleNodeAsLeaderAndOnlyVoter() throws Exception {
        int id = broker.broker().config().node().nodeId();
        admin.createTopics(List.of(new NewTopic("q", 1, (short) 1))).all().get(T, TimeUnit.SECONDS);

        QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get(T, TimeUnit.SECONDS);

        assertThat(quorum.leaderId()).isEqualTo(id);
        assertThat(quorum.leaderEpoch()).isEqualTo(1);
        assertThat(quorum.highWatermark()).as("the topic's creation is in the log").isPositive();
        assertThat(quorum.voters()).singleElement().satisfies(v -> {
            assertThat(v.replicaId()).isEqualTo(id);
            assertThat(v.logEndOffset()).isEqualTo(quorum.highWatermark());
        });
        assertThat(quorum.observers()).isEmpty();
    }

    @Test
    void describeLogDirsShowsProducedPartitions() throws Exception {
        admin.createTopics(List.of(new NewTopic("sized", 2, (short) 1))).all().get(T, TimeUnit.SECONDS);
        KafkaProducer<String, String> p = broker.producer();
        for (int i = 0; i < 50; i++) {
            p.send(new ProducerRecord<>("sized", i % 2, "k" + i, "v".repeat(100)));
        }
        p.flush();
        int nodeId = broker.broker().config().node().nodeId();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            Map<String, LogDirDescription> dirs = admin.describeLogDirs(List.of(nodeId)).allDescriptions()
                    .get(T, TimeUnit.SECONDS).get(nodeId);
            assertThat(dirs).hasSize(1);
            LogDirDescription d = dirs.values().iterator().next();
            assertThat(d.error()).isNull();
            ReplicaInfo p0 = d.replicaInfos().get(new TopicPartition("sized", 0));
            ReplicaInfo p1 = d.replicaInfos().get(new TopicPartition("sized", 1));
            assertThat(p0).isNotNull();
            assertThat(p1).isNotNull();
            assertThat(p0.size()).isGreaterThan(0);
            assertThat(p1.size()).isGreaterThan(0);
        });
    }

    @Test
    void deleteRecordsMovesTheLowWatermark() throws Exception {
        admin.createTopics(List.of(new NewTopic("trimmed", 1, (short) 1))).all().get(T, TimeUnit.SECONDS);
        TopicPartition tp = new TopicPartition("trimmed", 0);
        KafkaProducer<String, String> p = broker.producer();
        for (int i = 0; i < 10; i++) {
            p.send(new ProducerRecord<>("trimmed", 0, "k" + i, "v" + i)).get(T, TimeUnit.SECONDS);
        }
        long low = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(6))).lowWatermarks().get(tp)
                .get(T, TimeUnit.SECONDS).lowWatermark();
        assertThat(low).isEqualTo(6);
        assertThat(listOffset(tp, OffsetSpec.earliest()).offset()).isEqualTo(6);
        assertThat(listOffset(tp, OffsetSpec.latest()).offset()).isEqualTo(10);

        KafkaConsumer<String, String> c = broker.consumer();
        List<ConsumerRecord<String, String>> got = TestBroker.readAll(c, Set.of(tp), 4, Duration.ofSeconds(20));
        assertThat(got).extracting(ConsumerRecord::offset).containsExactly(6L, 7L, 8L, 9L);
        assertThat(got).extracting(ConsumerRecord::value).containsExactly("v6", "v7", "v8", "v9");
        // Deleting below the current low watermark is a no-op, beyond the high watermark an error.
        assertThat(admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(3))).lowWatermarks().get(tp)
                .get(T, TimeUnit.SECONDS).lowWatermark()).isEqualTo(6);
        assertThatThrownBy(() -> admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(100)))
                .lowWatermarks().get(tp).get(T, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(org.apache.kafka.common.errors.OffsetOutOfRangeException.class);
    }

    @Test
    void listOffsetsEarliestLatestForTimestampAndMaxTimestamp() throws Exception {
        admin.createTopics(List.of(new NewTopic("timed", 1, (short) 1))).all().get(T, TimeUnit.SECONDS);
        TopicPartition tp = new TopicPartition("timed", 0);
        assertThat(listOffset(tp, OffsetSpec.earliest()).offset()).isZero();
        assertThat(listOffset(tp, OffsetSpec.latest()).offset()).isZero();

        KafkaProducer<String, String> p = broker.producer();
        // Separate sends so each lands in its own batch; then the max timestamp is not the last batch's.
        p.send(new ProducerRecord<>("timed", 0, 1000L, "a", "a")).get(T, TimeUnit.SECONDS);
        p.send(new ProducerRecord<>("timed", 0, 3000L, "c", "c")).get(T, TimeUnit.SECONDS);
        p.send(new ProducerRecord<>("timed", 0, 2000L, "b", "b")).get(T, TimeUnit.SECONDS);

        assertThat(listOffset(tp, OffsetSpec.earliest()).offset()).isZero();
        assertThat(listOffset(tp, OffsetSpec.latest()).offset()).isEqualTo(3);
        ListOffsetsResultInfo at1000 = listOffset(tp, OffsetSpec.forTimestamp(1000));
        assertThat(at1000.offset()).isZero();
        assertThat(at1000.timestamp()).isEqualTo(1000);
        // First offset whose timestamp >= 2000 is offset 1 (ts 3000).
        ListOffsetsResultInfo at2000 = listOffset(tp, OffsetSpec.forTimestamp(2000));
        assertThat(at2000.offset()).isEqualTo(1);
        assertThat(at2000.timestamp()).isEqualTo(3000);
        assertThat(listOffset(tp, OffsetSpec.forTimestamp(2500)).offset()).isEqualTo(1);
        assertThat(listOffset(tp, OffsetSpec.forTimestamp(500)).offset()).isZero();
        assertThat(listOffset(tp, OffsetSpec.forTimestamp(4000)).offset()).isEqualTo(-1);
        ListOffsetsResultInfo max = listOffset(tp, OffsetSpec.maxTimestamp());
        assertThat(max.offset()).isEqualTo(1);
        assertThat(max.timestamp()).isEqualTo(3000);
    }

    @Test
    void listOffsetsForTimestampInOrderedLog() throws Exception {
        admin.createTopics(List.of(new NewTopic("ordered", 1, (short) 1))).all().get(T, TimeUnit.SECONDS);
        TopicPartition tp = new TopicPartition("ordered", 0);
        KafkaProducer<String, String> p = broker.producer();
        for (long ts : new long[] {1000, 2000, 3000}) {
            p.send(new ProducerRecord<>("ordered", 0, ts, "k", "v" + ts)).get(T, TimeUnit.SECONDS);
        }
        assertThat(listOffset(tp, OffsetSpec.forTimestamp(2000)).offset()).isEqualTo(1);
        assertThat(listOffset(tp, OffsetSpec.forTimestamp(2500)).offset()).isEqualTo(2);
        ListOffsetsResultInfo max = listOffset(tp, OffsetSpec.maxTimestamp());
        assertThat(max.offset()).isEqualTo(2);
        assertThat(max.timestamp()).isEqualTo(3000);
    }

    @Test
    void listOffsetsForTieredStorageSpecsIsMinusOneWithoutTieredStorage() throws Exception {
        admin.createTopics(List.of(new NewTopic("local", 1, (short) 1))).all().get(T, TimeUnit.SECONDS);
        TopicPartition tp = new TopicPartition("local", 0);
        broker.producer().send(new ProducerRecord<>("local", 0, "k", "v")).get(T, TimeUnit.SECONDS);

        // Kafka's answer when remote storage is off: nothing is tiered, nothing waits for upload.
        assertThat(listOffset(tp, OffsetSpec.latestTiered()).offset()).isEqualTo(-1);
        assertThat(listOffset(tp, OffsetSpec.earliestPendingUpload()).offset()).isEqualTo(-1);
        assertThat(listOffset(tp, OffsetSpec.earliestLocal()).offset()).isZero();
    }

    private ListOffsetsResultInfo listOffset(TopicPartition tp, OffsetSpec spec) throws Exception {
        return admin.listOffsets(Map.of(tp, spec)).partitionResult(tp).get(T, TimeUnit.SECONDS);
    }

    private static AlterConfigOp op(String name, String value, AlterConfigOp.OpType type) {
        return new AlterConfigOp(new ConfigEntry(name, value), type);
    }

    private void alter(ConfigResource resource, AlterConfigOp... ops) throws Exception {
        admin.incrementalAlterConfigs(Map.of(resource, List.of(ops))).all().get(T, TimeUnit.SECONDS);
    }

    private Config describeConfig(ConfigResource resource) throws Exception {
        return admin.describeConfigs(List.of(resource)).all().get(T, TimeUnit.SECONDS).get(resource);
    }

    private Config describe(ConfigResource resource) throws Exception {
        return describeConfig(resource);
    }
    @Test
    void deleteRecordsToTheHighWatermarkEmptiesThePartition() throws Exception {
        admin.createTopics(List.of(new NewTopic("emptied", 1, (short) 1))).all().get(T, TimeUnit.SECONDS);
        TopicPartition tp = new TopicPartition("emptied", 0);
        KafkaProducer<String, String> p = broker.producer();
        for (int i = 0; i < 5; i++) {
            p.send(new ProducerRecord<>("emptied", 0, "k", "v" + i));
        }
        p.flush();
        assertThat(admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(-1L))).lowWatermarks().get(tp)
                .get(T, TimeUnit.SECONDS).lowWatermark()).isEqualTo(5);
        assertThat(listOffset(tp, OffsetSpec.earliest()).offset()).isEqualTo(5);
        assertThat(listOffset(tp, OffsetSpec.latest()).offset()).isEqualTo(5);
        // (maxTimestamp is not checked: Kafka itself may answer an offset below the log start here.)
    }
}
