package io.herald.bench.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SingleNodeConfigParityTest {

    @TempDir
    Path dataDir;

    private BrokerSettings settings() {
        return new BrokerSettings(Path.of("java"), List.of("-Xmx1g"), 6, dataDir, "kafka.jar", 1000, Map.of(),
                Optional.empty());
    }

    private Map<String, String> heraldOverrides() {
        List<String> cmd = new HeraldProcess(settings(), dataDir).command();
        Map<String, String> overrides = new HashMap<>();
        for (int i = 0; i < cmd.size() - 1; i++) {
            if (cmd.get(i).equals("--override")) {
                String[] kv = cmd.get(i + 1).split("=", 2);
                overrides.put(kv[0], kv[1]);
            }
        }
        return overrides;
    }

    private Properties kafkaProperties() throws Exception {
        Properties props = new Properties();
        props.load(new StringReader(new KafkaProcess(settings(), dataDir).serverProperties()));
        return props;
    }

    @Test
    void bothSingleNodesGetTheSameInternalTopicSettings() throws Exception {
        Map<String, String> herald = heraldOverrides();
        Properties kafka = kafkaProperties();
        assertThat(SingleNodeInternalTopics.CONFIGS).isNotEmpty().allSatisfy((name, value) -> {
            assertThat(herald).containsEntry(name, value);
            assertThat(kafka.getProperty(name)).as(name).isEqualTo(value);
        });
    }

    @Test
    void transactionsNeedOnlyTheOneNode() throws Exception {
        assertThat(heraldOverrides()).containsEntry("transaction.state.log.replication.factor", "1")
                .containsEntry("transaction.state.log.min.isr", "1");
        assertThat(kafkaProperties()).containsEntry("transaction.state.log.replication.factor", "1")
                .containsEntry("transaction.state.log.min.isr", "1");
    }

    @Test
    void neitherSetsTheTransactionTopicsPartitionCount() throws Exception {
        // Like __consumer_offsets, __transaction_state keeps the default 50 partitions on both.
        assertThat(heraldOverrides()).doesNotContainKeys("transaction.state.log.num.partitions",
                "offsets.topic.num.partitions");
        assertThat(kafkaProperties()).doesNotContainKeys("transaction.state.log.num.partitions",
                "offsets.topic.num.partitions");
    }
}
