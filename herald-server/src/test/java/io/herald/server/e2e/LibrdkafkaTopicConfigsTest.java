package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topic configs librdkafka's 0077_compaction and 0081_admin set are accepted, as on Kafka 4.3.1, which
 * answered (observed): CreateTopics with 0077's {@code cleanup.policy=compact, segment.ms=500,
 * segment.bytes=1048576, min.cleanable.dirty.ratio=0.01, delete.retention.ms=86400, file.delete.delay.ms=10000,
 * max.compaction.lag.ms=100} ok, every value described back as DYNAMIC_TOPIC_CONFIG; 0081's
 * {@code compression.type=lz4, delete.retention.ms=900} ok, with {@code dummy.doesntexist} added INVALID_CONFIG
 * "Unknown topic config name: dummy.doesntexist"; IncrementalAlterConfigs and AlterConfigs v2 of
 * {@code compression.type=lz4, max.compaction.lag.ms=3600000} ok on an existing topic and
 * UNKNOWN_TOPIC_OR_PARTITION on a missing one.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LibrdkafkaTopicConfigsTest {
    @TempDir
    Path dir;
    TestBroker broker;
    Admin admin;

    @BeforeEach
    void start() throws Exception {
        broker = TestBroker.start(dir, Map.of("auto.create.topics.enable", "false"));
        admin = broker.admin();
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private Config describe(String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(r)).all().get(20, TimeUnit.SECONDS).get(r);
    }

    @Test
    void compactionTestConfigsAreAcceptedAndDescribedBack() throws Exception {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("cleanup.policy", "compact");
        configs.put("segment.ms", "500");
        configs.put("segment.bytes", "1048576");
        configs.put("min.cleanable.dirty.ratio", "0.01");
        configs.put("delete.retention.ms", "86400");
        configs.put("file.delete.delay.ms", "10000");
        configs.put("max.compaction.lag.ms", "100");
        admin.createTopics(List.of(new NewTopic("c77", 1, (short) 1).configs(configs))).all().get(20, TimeUnit.SECONDS);

        Config described = describe("c77");
        configs.forEach((name, value) -> {
            ConfigEntry e = described.get(name);
            assertThat(e.value()).as(name).isEqualTo(value);
            assertThat(e.source()).as(name).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        });
    }

    @Test
    void adminTestConfigsAreAcceptedOnExistingTopicsAndMissingTopicsAreUnknown() throws Exception {
        admin.createTopics(List.of(new NewTopic("c81", 1, (short) 1).configs(Map.of("compression.type", "lz4",
                "delete.retention.ms", "900")))).all().get(20, TimeUnit.SECONDS);
        Throwable invalid = catchThrowable(() -> admin.createTopics(List.of(new NewTopic("c81bad", 1, (short) 1)
                .configs(Map.of("compression.type", "lz4", "dummy.doesntexist", "1")))).all().get(20, TimeUnit.SECONDS));
        assertThat(invalid).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("Unknown topic config name: dummy.doesntexist");

        List<AlterConfigOp> ops = List.of(
                new AlterConfigOp(new ConfigEntry("compression.type", "lz4"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("max.compaction.lag.ms", "3600000"), AlterConfigOp.OpType.SET));
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, "c81"), ops)).all()
                .get(20, TimeUnit.SECONDS);
        assertThat(describe("c81").get("max.compaction.lag.ms").value()).isEqualTo("3600000");
        assertThat(describe("c81").get("compression.type").value()).isEqualTo("lz4");

        Throwable missing = catchThrowable(() -> admin.incrementalAlterConfigs(Map.of(
                new ConfigResource(ConfigResource.Type.TOPIC, "missing"), ops)).all().get(20, TimeUnit.SECONDS));
        assertThat(missing).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(UnknownTopicOrPartitionException.class);
    }
}
