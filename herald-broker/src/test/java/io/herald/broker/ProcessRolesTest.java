package io.herald.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's process.roles accepts a broker-only or a controller-only node. Herald's cluster nodes run both roles
 * for now: a node configured with one is refused at start with the config's name, before it writes anything,
 * instead of running as a combined node or failing inside the Raft library.
 */
class ProcessRolesTest {
    private static final String VOTERS = "1@127.0.0.1:19093,2@127.0.0.1:29093,3@127.0.0.1:39093";

    @TempDir
    Path dir;

    @Test
    void aBrokerOnlyNodeIsRefusedAtStart() {
        BrokerConfig config = BrokerConfig.from(Map.of("node.id", "4", "process.roles", "broker",
                "listeners", "PLAINTEXT://127.0.0.1:0", "controller.quorum.voters", VOTERS,
                "log.dirs", dir.resolve("data").toString()));
        assertThatThrownBy(() -> Broker.start(config)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("process.roles").hasMessageContaining("broker,controller");
        assertThat(Files.exists(dir.resolve("data"))).as("nothing written").isFalse();
    }

    @Test
    void aControllerOnlyNodeIsRefusedAtStart() {
        BrokerConfig config = BrokerConfig.from(Map.of("node.id", "1", "process.roles", "controller",
                "listeners", "PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:19093", "controller.quorum.voters",
                VOTERS, "log.dirs", dir.resolve("data").toString()));
        assertThatThrownBy(() -> Broker.start(config)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("process.roles").hasMessageContaining("controller");
        assertThat(Files.exists(dir.resolve("data"))).as("nothing written").isFalse();
    }
}
