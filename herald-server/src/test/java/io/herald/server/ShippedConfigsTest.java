package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.server.config.HeraldConfig;
import io.herald.server.config.Listeners.Listener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The config files shipped in config/ load and pass validation, and the cluster files agree with each other. */
class ShippedConfigsTest {

    private static final Path REPO_ROOT = findRepoRoot();

    private static HeraldConfig load(String file) throws Exception {
        ServerArgs args = ServerArgs.parse(List.of("start", "--config", REPO_ROOT.resolve(file).toString()));
        return HeraldConfig.parse(ServerConfigLoader.load(args, Optional.empty()).props());
    }

    @Test
    void serverPropertiesIsASingleNode() throws Exception {
        HeraldConfig config = load("config/server.properties");

        assertThat(config.node().isSingleNode()).isTrue();
        assertThat(config.node().isBroker()).isTrue();
        assertThat(config.node().isController()).isTrue();
        assertThat(config.node().listener()).isEqualTo(new Listener("127.0.0.1", 9092));
    }

    @Test
    void clusterNodesFormOneQuorumOnDistinctPortsAndDirs() throws Exception {
        HeraldConfig first = load("config/cluster/node1.properties");
        for (int id = 1; id <= 3; id++) {
            HeraldConfig node = load("config/cluster/node" + id + ".properties");

            assertThat(node.node().nodeId()).isEqualTo(id);
            assertThat(node.node().isBroker() && node.node().isController()).isTrue();
            assertThat(node.node().quorumVoters()).isEqualTo(first.node().quorumVoters());
            assertThat(node.node().clusterId()).isPresent().isEqualTo(first.node().clusterId());
            assertThat(node.node().quorumVoters().keySet()).containsExactly(1, 2, 3);
            assertThat(node.node().listener()).isEqualTo(new Listener("127.0.0.1", id * 10000 + 9092));
            assertThat(node.node().controllerListener()).map(Listener::port)
                    .contains(node.node().quorumVoters().get(id).getPort());
            assertThat(node.node().logDirs()).containsExactly(Path.of("./data/node" + id));
            assertThat(node.broker().defaultReplicationFactor()).isEqualTo((short) 3);
            assertThat(node.topicDefault("min.insync.replicas")).isEqualTo("2");
            assertThat(node.groups().offsetsTopicReplicationFactor()).isEqualTo((short) 3);
        }
    }

    @Test
    void broker4JoinsTheClusterAsABrokerOnlyNode() throws Exception {
        HeraldConfig first = load("config/cluster/node1.properties");
        HeraldConfig node = load("config/cluster/broker4.properties");

        assertThat(node.node().nodeId()).isEqualTo(4);
        assertThat(node.node().isBroker()).isTrue();
        assertThat(node.node().isController()).isFalse();
        assertThat(node.node().quorumVoters()).isEqualTo(first.node().quorumVoters()).doesNotContainKey(4);
        assertThat(node.node().clusterId()).isPresent().isEqualTo(first.node().clusterId());
        assertThat(node.node().listener()).isEqualTo(new Listener("127.0.0.1", 49092));
        assertThat(node.node().controllerListener()).isEmpty();
        assertThat(node.node().logDirs()).containsExactly(Path.of("./data/node4"));
        assertThat(node.broker().defaultReplicationFactor()).isEqualTo(first.broker().defaultReplicationFactor());
        assertThat(node.topicDefault("min.insync.replicas")).isEqualTo(first.topicDefault("min.insync.replicas"));
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
