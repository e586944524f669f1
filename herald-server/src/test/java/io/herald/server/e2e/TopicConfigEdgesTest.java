package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Topic configs at their validators' edges, end to end with real clients: each value is either refused at the
 * edge with INVALID_CONFIG naming the config, or the topic is served (by Kafka's rules for that value, which
 * may mean refusing a record), and the broker restarts and serves it again. The bug this guards against:
 * {@code segment.index.bytes=8} was accepted by CreateTopics, then failed in the storage layer while metadata
 * was applied, which stopped every partition and kept the broker from starting.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TopicConfigEdgesTest {
    private static final long T = 20;
    /** Records are a minute ahead of the broker clock: fine by default, refused by message.timestamp.after.max.ms=0. */
    private static final long AHEAD_MS = 60_000;
    @TempDir
    Path dir;
    TestBroker broker;

    /** What a value is expected to do. */
    private record Edge(Map<String, String> configs, Optional<Class<? extends Exception>> produceError,
                        boolean refused) {
        static Edge served(String... kv) {
            return new Edge(map(kv), Optional.empty(), false);
        }

        static Edge servedRefusing(Class<? extends Exception> error, String... kv) {
            return new Edge(map(kv), Optional.of(error), false);
        }

        static Edge refused(String... kv) {
            return new Edge(map(kv), Optional.empty(), true);
        }

        private static Map<String, String> map(String... kv) {
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < kv.length; i += 2) {
                m.put(kv[i], kv[i + 1]);
            }
            return m;
        }
    }

    private static final List<Edge> EDGES = List.of(
            Edge.refused("segment.index.bytes", "3"),
            Edge.served("segment.index.bytes", "4"),
            Edge.served("segment.index.bytes", "8"),
            Edge.served("segment.index.bytes", "12"),
            Edge.refused("segment.bytes", "1048575"),
            Edge.served("segment.bytes", "1048576"),
            Edge.servedRefusing(RecordBatchTooLargeException.class, "internal.segment.bytes", "14"),
            Edge.served("internal.segment.bytes", "1000"),
            Edge.refused("max.message.bytes", "-1"),
            Edge.servedRefusing(RecordTooLargeException.class, "max.message.bytes", "0"),
            Edge.refused("message.timestamp.after.max.ms", "-1"),
            Edge.servedRefusing(InvalidTimestampException.class, "message.timestamp.after.max.ms", "0"),
            Edge.served("message.timestamp.before.max.ms", "0"),
            Edge.served("message.timestamp.type", "LogAppendTime"),
            Edge.refused("message.timestamp.type", "logappendtime"),
            Edge.served("compression.type", "uncompressed"),
            Edge.served("compression.type", "gzip", "compression.gzip.level", "9"),
            Edge.served("compression.type", "snappy"),
            Edge.served("compression.type", "lz4", "compression.lz4.level", "17"),
            Edge.served("compression.type", "zstd", "compression.zstd.level", "-131072"),
            Edge.refused("compression.type", "GZIP"),
            Edge.refused("compression.gzip.level", "0"),
            Edge.refused("compression.lz4.level", "18"),
            Edge.refused("compression.zstd.level", "23"),
            Edge.served("cleanup.policy", ""),
            Edge.served("cleanup.policy", "compact", "max.compaction.lag.ms", "1", "min.cleanable.dirty.ratio", "0"),
            Edge.refused("cleanup.policy", "shred"),
            Edge.refused("min.compaction.lag.ms", "10", "max.compaction.lag.ms", "5"),
            Edge.refused("max.compaction.lag.ms", "0"),
            Edge.refused("min.cleanable.dirty.ratio", "1.01"),
            Edge.served("preallocate", "true"),
            Edge.refused("remote.storage.enable", "true"),
            Edge.served("remote.storage.enable", "false", "remote.log.copy.disable", "true",
                    "remote.log.delete.on.disable", "true", "local.retention.ms", "-2", "local.retention.bytes", "0"),
            Edge.refused("local.retention.ms", "-3"),
            Edge.served("leader.replication.throttled.replicas", "*",
                    "follower.replication.throttled.replicas", "0:1"),
            Edge.refused("leader.replication.throttled.replicas", "x"),
            Edge.served("segment.ms", "1", "segment.jitter.ms", String.valueOf(Long.MAX_VALUE)),
            Edge.refused("segment.ms", "0"),
            Edge.refused("flush.messages", "0"),
            Edge.served("flush.messages", "1", "flush.ms", "0"),
            Edge.refused("retention.ms", "-2"),
            Edge.served("retention.ms", "0", "retention.bytes", String.valueOf(Long.MIN_VALUE)),
            Edge.refused("min.insync.replicas", "0"),
            Edge.served("min.insync.replicas", "2", "unclean.leader.election.enable", "true"),
            Edge.served("index.interval.bytes", "0", "file.delete.delay.ms", "0", "delete.retention.ms", "0"),
            Edge.refused("delete.retention.ms", "-1"),
            Edge.refused("retention.hours", "1"));

    @BeforeEach
    void start() throws Exception {
        broker = TestBroker.start(dir);
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private static String topicOf(int i) {
        return "edge-" + i;
    }

    @Test
    void everyEdgeValueIsRefusedWithInvalidConfigOrServedAndSurvivesARestart() throws Exception {
        Admin admin = broker.admin();
        List<NewTopic> topics = new ArrayList<>();
        for (int i = 0; i < EDGES.size(); i++) {
            topics.add(new NewTopic(topicOf(i), 1, (short) 1).configs(EDGES.get(i).configs()));
        }
        CreateTopicsResult created = admin.createTopics(topics);
        List<Integer> served = new ArrayList<>();
        for (int i = 0; i < EDGES.size(); i++) {
            Edge edge = EDGES.get(i);
            if (edge.refused()) {
                int index = i;
                assertThatThrownBy(() -> created.values().get(topicOf(index)).get(T, TimeUnit.SECONDS))
                        .as("%s", edge.configs()).isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(InvalidConfigurationException.class)
                        .cause().message().containsAnyOf(edge.configs().keySet().toArray(String[]::new));
            } else {
                created.values().get(topicOf(i)).get(T, TimeUnit.SECONDS);
                served.add(i);
            }
        }
        assertThat(admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topicOf(2))))
                .all().get(T, TimeUnit.SECONDS).values().iterator().next().get("segment.index.bytes").value())
                .isEqualTo("8");

        Map<Integer, Integer> expected = produceToEach(served);
        assertReadable(expected);

        broker.restart();
        for (Map.Entry<Integer, Integer> e : produceToEach(served).entrySet()) {
            expected.merge(e.getKey(), e.getValue(), Integer::sum);
        }
        assertReadable(expected);
        broker.assertHealthy();
    }

    /** One record to each topic; a topic whose config refuses it must refuse it with the expected error. */
    private Map<Integer, Integer> produceToEach(List<Integer> topics) throws Exception {
        KafkaProducer<String, String> producer = broker.producer(Map.of(ProducerConfig.ACKS_CONFIG, "1",
                ProducerConfig.RETRIES_CONFIG, 0, ProducerConfig.LINGER_MS_CONFIG, 0));
        Map<Integer, Future<?>> sends = new HashMap<>();
        for (int i : topics) {
            sends.put(i, producer.send(new ProducerRecord<>(topicOf(i), 0, System.currentTimeMillis() + AHEAD_MS,
                    "k" + System.nanoTime(), "v")));
        }
        producer.flush();
        Map<Integer, Integer> written = new HashMap<>();
        for (int i : topics) {
            Edge edge = EDGES.get(i);
            if (edge.produceError().isPresent()) {
                int index = i;
                assertThatThrownBy(() -> sends.get(index).get(T, TimeUnit.SECONDS)).as("%s", edge.configs())
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(edge.produceError().get());
                written.put(i, 0);
            } else {
                sends.get(i).get(T, TimeUnit.SECONDS);
                written.put(i, 1);
            }
        }
        return written;
    }

    private void assertReadable(Map<Integer, Integer> expected) {
        Set<TopicPartition> tps = expected.keySet().stream().map(i -> new TopicPartition(topicOf(i), 0))
                .collect(Collectors.toSet());
        int total = expected.values().stream().mapToInt(Integer::intValue).sum();
        List<ConsumerRecord<String, String>> got = TestBroker.readAll(broker.consumer(), tps, total,
                Duration.ofSeconds(30));
        Map<String, Long> byTopic = got.stream().collect(Collectors.groupingBy(ConsumerRecord::topic,
                Collectors.counting()));
        for (Map.Entry<Integer, Integer> e : expected.entrySet()) {
            assertThat(byTopic.getOrDefault(topicOf(e.getKey()), 0L)).as("%s", EDGES.get(e.getKey()).configs())
                    .isEqualTo((long) e.getValue());
        }
    }

    @Test
    void alterConfigsRefusesWhatCreateTopicsRefusesAndServesTheRest() throws Exception {
        broker.createTopic("altered", 1, Map.of());
        Admin admin = broker.admin();
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "altered");
        admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(new ConfigEntry("segment.index.bytes",
                "8"), AlterConfigOp.OpType.SET), new AlterConfigOp(new ConfigEntry("max.compaction.lag.ms", "5"),
                AlterConfigOp.OpType.SET)))).all().get(T, TimeUnit.SECONDS);
        // The last one breaks the rule between the two lags, given the max set above.
        for (String[] bad : new String[][] {{"remote.storage.enable", "true"}, {"segment.index.bytes", "3"},
                {"min.compaction.lag.ms", "10"}}) {
            assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(
                    new ConfigEntry(bad[0], bad[1]), AlterConfigOp.OpType.SET)))).all().get(T, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidConfigurationException.class)
                    .cause().message().contains(bad[0]);
        }
        KafkaProducer<String, String> producer = broker.producer();
        for (int i = 0; i < 5; i++) {
            producer.send(new ProducerRecord<>("altered", "k" + i, "v" + i)).get(T, TimeUnit.SECONDS);
        }

        // The older AlterConfigs replaces the whole set and answers INVALID_CONFIG in the same way.
        try (TestBroker.RawConnection c = broker.raw()) {
            AlterConfigsResponse refused = c.roundTrip(alterConfigs("altered", Map.of("segment.index.bytes", "3")));
            assertThat(refused.data().responses().get(0).errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
            assertThat(refused.data().responses().get(0).errorMessage()).contains("segment.index.bytes");
            AlterConfigsResponse ok = c.roundTrip(alterConfigs("altered", Map.of("retention.ms", "3600000")));
            assertThat(ok.data().responses().get(0).errorCode()).isEqualTo(Errors.NONE.code());
        }
        var described = admin.describeConfigs(List.of(topic)).all().get(T, TimeUnit.SECONDS).get(topic);
        assertThat(described.get("retention.ms").value()).isEqualTo("3600000");
        assertThat(described.get("segment.index.bytes").value()).as("replaced: back to the default")
                .isEqualTo("10485760");

        broker.restart();
        List<ConsumerRecord<String, String>> got = TestBroker.readAll(broker.consumer(),
                Set.of(new TopicPartition("altered", 0)), 5, Duration.ofSeconds(30));
        assertThat(got).hasSize(5);
    }

    private static AlterConfigsRequest alterConfigs(String topic, Map<String, String> configs) {
        List<AlterConfigsRequest.ConfigEntry> entries = new ArrayList<>();
        configs.forEach((k, v) -> entries.add(new AlterConfigsRequest.ConfigEntry(k, v)));
        return new AlterConfigsRequest.Builder(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic),
                new AlterConfigsRequest.Config(entries)), false).build((short) 2);
    }

    @Test
    void aTopicWhoseStoredConfigCannotBeServedIsServedWithDefaultsAndTheBrokerRestarts() throws Exception {
        // Written as an older Herald could have, bypassing CreateTopics' validation.
        broker.broker().controller().createTopic("legacy", 1, 1, Map.of("segment.bytes", "4096",
                "segment.index.bytes", "2", "retention.ms", "3600000"), false);
        broker.createTopic("neighbour", 1, Map.of());
        KafkaProducer<String, String> producer = broker.producer();
        producer.send(new ProducerRecord<>("legacy", "k", "before")).get(T, TimeUnit.SECONDS);
        producer.send(new ProducerRecord<>("neighbour", "k", "before")).get(T, TimeUnit.SECONDS);

        broker.restart();

        producer = broker.producer();
        producer.send(new ProducerRecord<>("legacy", "k", "after")).get(T, TimeUnit.SECONDS);
        producer.send(new ProducerRecord<>("neighbour", "k", "after")).get(T, TimeUnit.SECONDS);
        List<ConsumerRecord<String, String>> got = TestBroker.readAll(broker.consumer(),
                Set.of(new TopicPartition("legacy", 0), new TopicPartition("neighbour", 0)), 4,
                Duration.ofSeconds(30));
        assertThat(got).extracting(ConsumerRecord::value).containsExactlyInAnyOrder("before", "after", "before",
                "after");
        broker.assertHealthy();
    }
}
