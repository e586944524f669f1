package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.broker.BrokerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The config files shipped in config/ load and pass validation, and the cluster files agree with each other. */
class ShippedConfigsTest {

    private static final Path REPO_ROOT = findRepoRoot();

    private static BrokerConfig load(String file) throws Exception {
        ServerArgs args = ServerArgs.parse(List.of("start", "--config", REPO_ROOT.resolve(file).toString()));
        return BrokerConfig.from(ServerConfigLoader.load(args, Optional.empty()).props());
    }

    @Test
    void serverPropertiesIsASingleNode() throws Exception {
        BrokerConfig config = load("config/server.properties");

        assertThat(config.isSingleNode()).isTrue();
        assertThat(config.isBroker()).isTrue();
        assertThat(config.isController()).isTrue();
        assertThat(config.listener()).isEqualTo(new BrokerConfig.Listener("127.0.0.1", 9092));
    }

    @Test
    void clusterNodesFormOneQuorumOnDistinctPortsAndDirs() throws Exception {
        BrokerConfig first = load("config/cluster/node1.properties");
        for (int id = 1; id <= 3; id++) {
            BrokerConfig node = load("config/cluster/node" + id + ".properties");

            assertThat(node.nodeId()).isEqualTo(id);
            assertThat(node.isBroker() && node.isController()).isTrue();
            assertThat(node.quorumVoters()).isEqualTo(first.quorumVoters());
            assertThat(node.clusterId()).isPresent().isEqualTo(first.clusterId());
            assertThat(node.quorumVoters().keySet()).containsExactly(1, 2, 3);
            assertThat(node.listener()).isEqualTo(new BrokerConfig.Listener("127.0.0.1", id * 10000 + 9092));
            assertThat(node.controllerListener()).map(BrokerConfig.Listener::port)
                    .contains(node.quorumVoters().get(id).getPort());
            assertThat(node.logDirs()).containsExactly(Path.of("./data/node" + id));
            assertThat(node.defaultReplicationFactor()).isEqualTo((short) 3);
            assertThat(node.minInsyncReplicas()).isEqualTo(2);
            assertThat(node.offsetsTopicReplicationFactor()).isEqualTo((short) 3);
        }
    }

    @Test
    void broker4JoinsTheClusterAsABrokerOnlyNode() throws Exception {
        BrokerConfig first = load("config/cluster/node1.properties");
        BrokerConfig node = load("config/cluster/broker4.properties");

        assertThat(node.nodeId()).isEqualTo(4);
        assertThat(node.isBroker()).isTrue();
        assertThat(node.isController()).isFalse();
        assertThat(node.quorumVoters()).isEqualTo(first.quorumVoters()).doesNotContainKey(4);
        assertThat(node.clusterId()).isPresent().isEqualTo(first.clusterId());
        assertThat(node.listener()).isEqualTo(new BrokerConfig.Listener("127.0.0.1", 49092));
        assertThat(node.controllerListener()).isEmpty();
        assertThat(node.logDirs()).containsExactly(Path.of("./data/node4"));
        assertThat(node.defaultReplicationFactor()).isEqualTo(first.defaultReplicationFactor());
        assertThat(node.minInsyncReplicas()).isEqualTo(first.minInsyncReplicas());
    }

    private static Path findRepoRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("config/server.properties")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no config/server.properties above " + Path.of("").toAbsolutePath());
    }
}
