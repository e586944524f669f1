package io.herald.server.node;

import io.herald.server.config.HeraldConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's three process.roles, each started through {@link HeraldNode#start} in one JVM: a controller-only
 * voter and a broker-only observer form a cluster in which the controller is never a broker.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessRolesTest {

    @TempDir
    Path dir;

    @Test
    void aControllerOnlyVoterAndABrokerOnlyObserverFormACluster() throws Exception {
        int controllerPort = freePort();
        String voters = "1@127.0.0.1:" + controllerPort;
        HeraldNode controller = HeraldNode.start(HeraldConfig.parse(Map.of("node.id", "1",
                "process.roles", "controller", "listeners", "CONTROLLER://127.0.0.1:" + controllerPort,
                "controller.quorum.voters", voters, "log.dirs", dir.resolve("node1").toString())));
        try (controller) {
            assertThat(controller).isInstanceOf(ControllerNode.class);
            assertThat(controller.boundPort()).isEqualTo(controllerPort);
            HeraldNode broker = HeraldNode.start(HeraldConfig.parse(Map.of("node.id", "2", "process.roles", "broker",
                    "listeners", "PLAINTEXT://127.0.0.1:0", "controller.quorum.voters", voters,
                    "offsets.topic.replication.factor", "1", "log.dirs", dir.resolve("node2").toString())));
            try (broker; Admin admin = admin(broker.boundPort())) {
                assertThat(broker).isInstanceOf(BrokerNode.class);
                assertThat(broker.clusterId()).isEqualTo(controller.clusterId());

                List<Integer> listed = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream()
                        .map(Node::id).toList();
                assertThat(listed).as("only the broker is a broker").containsExactly(2);
                admin.createTopics(List.of(new NewTopic("roles", 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
                TopicDescription topic = admin.describeTopics(List.of("roles")).allTopicNames()
                        .get(30, TimeUnit.SECONDS).get("roles");
                assertThat(topic.partitions()).allSatisfy(p -> assertThat(p.leader().id()).isEqualTo(2));
                assertThat(((ControllerNode) controller).controller().image().brokers()).containsOnlyKeys(2);
                assertThat(((ControllerNode) controller).controller().image().topic("roles")).isPresent();

                // kafka-metadata-quorum.sh describe --status, through the broker: voter 1 leads, 2 observes.
                QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS);
                assertThat(quorum.leaderId()).isEqualTo(1);
                assertThat(quorum.leaderEpoch()).isPositive();
                assertThat(quorum.highWatermark()).isPositive();
                assertThat(quorum.voters()).extracting(QuorumInfo.ReplicaState::replicaId).containsExactly(1);
                assertThat(quorum.voters().getFirst().logEndOffset()).isGreaterThanOrEqualTo(quorum.highWatermark());
                assertThat(quorum.observers()).extracting(QuorumInfo.ReplicaState::replicaId).containsExactly(2);
                assertThat(quorum.observers().getFirst().lastFetchTimestamp()).isPresent();
                assertThat(quorum.nodes().get(1).endpoints()).singleElement().satisfies(endpoint -> {
                    assertThat(endpoint.listener()).isEqualTo("CONTROLLER");
                    assertThat(endpoint.port()).isEqualTo(controllerPort);
                });
            }
        }
    }

    @Test
    void aBrokerNeedsTheBrokerRole() {
        HeraldConfig controllerOnly = HeraldConfig.parse(Map.of("node.id", "1", "process.roles", "controller",
                "listeners", "CONTROLLER://127.0.0.1:19093", "controller.quorum.voters", "1@127.0.0.1:19093",
                "log.dirs", dir.resolve("data").toString()));
        assertThatThrownBy(() -> BrokerNode.start(controllerOnly)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ControllerNode");
    }

    private static Admin admin(int port) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return Admin.create(props);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
