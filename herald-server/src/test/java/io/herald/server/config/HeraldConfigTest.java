package io.herald.server.config;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.server.config.Listeners.Listener;
import io.herald.server.config.NodeConfig.ProcessRole;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class HeraldConfigTest {

    private static final String VOTERS = "1@127.0.0.1:19093,2@127.0.0.1:29093,3@127.0.0.1:39093";

    /** node1.properties of the shipped 3-node cluster, with {@code extra} on top. */
    private static HeraldConfig clusterNode(int id, String... extra) {
        Map<String, String> props = new HashMap<>(Map.of(
                "node.id", String.valueOf(id),
                "process.roles", "broker,controller",
                "listeners", "PLAINTEXT://127.0.0.1:" + id + "9092,CONTROLLER://127.0.0.1:" + id + "9093",
                "controller.quorum.voters", VOTERS));
        for (int i = 0; i < extra.length; i += 2) {
            props.put(extra[i], extra[i + 1]);
        }
        return HeraldConfig.parse(props);
    }

    @Test
    void noConfigIsTheSingleNodeDefault() {
        HeraldConfig config = HeraldConfig.parse(Map.of());

        assertThat(config.node().nodeId()).isEqualTo(1);
        assertThat(config.node().processRoles()).containsExactlyInAnyOrder(ProcessRole.BROKER, ProcessRole.CONTROLLER);
        assertThat(config.node().isSingleNode()).isTrue();
        assertThat(config.node().quorumVoters()).isEmpty();
        assertThat(config.node().listener()).isEqualTo(new Listener("127.0.0.1", 9092));
        assertThat(config.node().advertisedListener()).isEqualTo(config.node().listener());
        assertThat(config.node().controllerListener()).isEmpty();
        assertThat(config.node().controllerListenerNames()).containsExactly("CONTROLLER");
        assertThat(config.node().logDirs()).containsExactly(Path.of("./data"));
        assertThat(config.node().metadataLogDir()).isEqualTo(Path.of("./data"));
    }

    @Test
    void clusterDefaultsAreKafkas() {
        HeraldConfig config = HeraldConfig.parse(Map.of());

        assertThat(config.controller().brokerHeartbeatIntervalMs()).isEqualTo(2000);
        assertThat(config.controller().brokerSessionTimeoutMs()).isEqualTo(9000);
        assertThat(config.replication().replicaLagTimeMaxMs()).isEqualTo(30000L);
        assertThat(config.replication().fetchMaxBytes()).isEqualTo(1048576);
        assertThat(config.replication().fetchWaitMaxMs()).isEqualTo(500);
        assertThat(config.replication().fetchMinBytes()).isEqualTo(1);
        assertThat(config.replication().fetchBackoffMs()).isEqualTo(1000);
        assertThat(config.replication().numReplicaFetchers()).isEqualTo(1);
        assertThat(config.topicDefault("min.insync.replicas")).isEqualTo("1");
        assertThat(config.topicDefault("unclean.leader.election.enable")).isEqualTo("false");
        assertThat(config.broker().defaultReplicationFactor()).isEqualTo((short) 1);
        assertThat(config.groups().offsetsTopicReplicationFactor()).isEqualTo((short) 3);
        assertThat(config.controller().autoLeaderRebalanceEnable()).isTrue();
        assertThat(config.controller().leaderImbalanceCheckIntervalMs()).isEqualTo(300_000L);
    }

    @Test
    void clusterSettingsAreRead() {
        HeraldConfig config = HeraldConfig.parse(Map.ofEntries(
                Map.entry("broker.heartbeat.interval.ms", "500"),
                Map.entry("broker.session.timeout.ms", "3000"),
                Map.entry("replica.lag.time.max.ms", "5000"),
                Map.entry("replica.fetch.max.bytes", "65536"),
                Map.entry("replica.fetch.wait.max.ms", "100"),
                Map.entry("replica.fetch.min.bytes", "10"),
                Map.entry("replica.fetch.backoff.ms", "50"),
                Map.entry("num.replica.fetchers", "2"),
                Map.entry("min.insync.replicas", "2"),
                Map.entry("unclean.leader.election.enable", "true"),
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("auto.leader.rebalance.enable", "false"),
                Map.entry("leader.imbalance.check.interval.seconds", "30"),
                Map.entry("metadata.log.dir", "/meta")));

        assertThat(config.controller().brokerHeartbeatIntervalMs()).isEqualTo(500);
        assertThat(config.controller().brokerSessionTimeoutMs()).isEqualTo(3000);
        assertThat(config.replication().replicaLagTimeMaxMs()).isEqualTo(5000L);
        assertThat(config.replication().fetchMaxBytes()).isEqualTo(65536);
        assertThat(config.replication().fetchWaitMaxMs()).isEqualTo(100);
        assertThat(config.replication().fetchMinBytes()).isEqualTo(10);
        assertThat(config.replication().fetchBackoffMs()).isEqualTo(50);
        assertThat(config.replication().numReplicaFetchers()).isEqualTo(2);
        assertThat(config.topicDefault("min.insync.replicas")).isEqualTo("2");
        assertThat(config.topicDefault("unclean.leader.election.enable")).isEqualTo("true");
        assertThat(config.groups().offsetsTopicReplicationFactor()).isEqualTo((short) 1);
        assertThat(config.controller().autoLeaderRebalanceEnable()).isFalse();
        assertThat(config.controller().leaderImbalanceCheckIntervalMs()).isEqualTo(30_000L);
        assertThat(config.node().metadataLogDir()).isEqualTo(Path.of("/meta"));
    }

    @Test
    void newKeysAreDescribedAsBrokerConfigs() {
        assertThat(HeraldConfig.parse(Map.of("broker.session.timeout.ms", "3000")).effectiveValues())
                .containsEntry("broker.session.timeout.ms", "3000")
                .containsEntry("controller.quorum.voters", "")
                .containsEntry("process.roles", "broker,controller")
                .containsEntry("offsets.topic.replication.factor", "3");
    }

    @Test
    void clusterNodeHasClientAndControllerListenersAndOrderedVoters() {
        HeraldConfig config = clusterNode(2);

        assertThat(config.node().isSingleNode()).isFalse();
        assertThat(config.node().listener()).isEqualTo(new Listener("127.0.0.1", 29092));
        assertThat(config.node().clientListenerName()).contains("PLAINTEXT");
        assertThat(config.node().controllerListener()).contains(new Listener("127.0.0.1", 29093));
        assertThat(config.node().advertisedListener()).isEqualTo(new Listener("127.0.0.1", 29092));
        assertThat(config.node().listeners()).containsOnlyKeys("PLAINTEXT", "CONTROLLER");
        assertThat(config.node().quorumVoters().keySet()).containsExactly(1, 2, 3);
        InetSocketAddress second = config.node().quorumVoters().get(2);
        assertThat(second.getHostString()).isEqualTo("127.0.0.1");
        assertThat(second.getPort()).isEqualTo(29093);
    }

    @Test
    void controllerListenerMayComeFirstAndClientListenerMayHaveAnyMappedName() {
        HeraldConfig config = clusterNode(1,
                "listeners", "CONTROLLER://:19093,CLIENT://10.0.0.1:19092",
                "listener.security.protocol.map", "CLIENT:PLAINTEXT,CONTROLLER:PLAINTEXT");

        assertThat(config.node().listener()).isEqualTo(new Listener("10.0.0.1", 19092));
        assertThat(config.node().controllerListener()).contains(new Listener("0.0.0.0", 19093));
    }

    @Test
    void advertisedListenersArePickedByName() {
        HeraldConfig config = clusterNode(1,
                "advertised.listeners", "CONTROLLER://node1.example:19093,PLAINTEXT://node1.example:19092");

        assertThat(config.node().advertisedListener()).isEqualTo(new Listener("node1.example", 19092));
        assertThat(config.node().listener()).isEqualTo(new Listener("127.0.0.1", 19092));
    }

    @Test
    void advertisedListenersMustAdvertiseTheClientListenerAndOnlyKnownNames() {
        assertThatThrownBy(() -> clusterNode(1, "advertised.listeners", "CONTROLLER://h:19093"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("advertised.listeners")
                .hasMessageContaining("client listener PLAINTEXT");
        assertThatThrownBy(() -> clusterNode(1, "advertised.listeners", "PLAINTEXT://h:1,SSL://h:2"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("advertised.listeners");
    }

    @Test
    void singleNodeListenerKeepsWorkingAsBefore() {
        assertThat(HeraldConfig.parse(Map.of("listeners", "PLAINTEXT://:9092")).node().listener())
                .isEqualTo(new Listener("0.0.0.0", 9092));
        assertThat(HeraldConfig.parse(Map.of("listeners", "PLAINTEXT://127.0.0.1:0")).node().listener().port()).isZero();
        assertThat(HeraldConfig.parse(Map.of("advertised.listeners", "PLAINTEXT://broker.example:9092"))
                .node().advertisedListener()).isEqualTo(new Listener("broker.example", 9092));
    }

    @Test
    void singleNodeMayAlsoDeclareAControllerListener() {
        HeraldConfig config = HeraldConfig.parse(Map.of("listeners", "PLAINTEXT://:9092,CONTROLLER://:9093"));

        assertThat(config.node().isSingleNode()).isTrue();
        assertThat(config.node().listener().port()).isEqualTo(9092);
        assertThat(config.node().controllerListener()).map(Listener::port).contains(9093);
    }

    @Test
    void voterParsingKeepsOrderAndAcceptsBracketedIpv6() {
        Map<Integer, InetSocketAddress> voters = Listeners.parseVoters("controller.quorum.voters", " 3@c.example:9093, 1@[::1]:9094 ,2@b:1");

        assertThat(voters.keySet()).containsExactly(3, 1, 2);
        assertThat(voters.get(1).getHostString()).isEqualTo("::1");
        assertThat(voters.get(1).getPort()).isEqualTo(9094);
        assertThat(voters.get(3).isUnresolved()).isTrue();
        assertThat(Listeners.parseVoters("controller.quorum.voters", "")).isEmpty();
    }

    @Test
    void badVotersAreRejectedNamingTheEntry() {
        for (String bad : List.of("x@h:1", "1h:1", "@h:1", "1@h", "1@h:port", "1@:9093", "1@h:0", "1@h:65536",
                "-1@h:1", "1@h:1,1@g:2")) {
            assertThatThrownBy(() -> Listeners.parseVoters("controller.quorum.voters", bad))
                    .as(bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("controller.quorum.voters")
                    .hasMessageContaining("bad voter");
        }
    }

    @Test
    void processRolesAreValidated() {
        assertThat(clusterNode(1, "process.roles", "controller,broker").node().processRoles())
                .containsExactlyInAnyOrder(ProcessRole.BROKER, ProcessRole.CONTROLLER);
        for (String bad : List.of("", "leader", "broker,broker", "Broker")) {
            assertThatThrownBy(() -> clusterNode(1, "process.roles", bad))
                    .as(bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("process.roles");
        }
    }

    @Test
    void withoutVotersTheNodeMustRunBothRoles() {
        assertThatThrownBy(() -> HeraldConfig.parse(Map.of("process.roles", "broker")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("single-node");
        assertThatThrownBy(() -> HeraldConfig.parse(Map.of("process.roles", "controller")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("single-node");
    }

    @Test
    void aControllerMustBeAVoter() {
        assertThatThrownBy(() -> clusterNode(4, "listeners", "PLAINTEXT://127.0.0.1:49092,CONTROLLER://127.0.0.1:49093"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("node.id 4 must be one of the voters [1, 2, 3]");
    }

    @Test
    void aControllerNeedsAControllerListener() {
        assertThatThrownBy(() -> clusterNode(1, "listeners", "PLAINTEXT://127.0.0.1:19092"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("controller.listener.names");
        assertThatThrownBy(() -> clusterNode(1, "controller.listener.names", "RAFT"))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void brokerOnlyNodeIsNotAVoterAndHasNoControllerListener() {
        HeraldConfig broker = clusterNode(4, "process.roles", "broker", "listeners", "PLAINTEXT://127.0.0.1:49092");

        assertThat(broker.node().isBroker()).isTrue();
        assertThat(broker.node().isController()).isFalse();
        assertThat(broker.node().controllerListener()).isEmpty();
        assertThat(broker.node().quorumVoters()).hasSize(3);

        assertThatThrownBy(() -> clusterNode(1, "process.roles", "broker", "listeners", "PLAINTEXT://127.0.0.1:19092"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("must not be one of the voters");
        assertThatThrownBy(() -> clusterNode(4, "process.roles", "broker"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("must not listen on the controller listener");
    }

    @Test
    void controllerOnlyNodeHasNoClientListener() {
        HeraldConfig controller = clusterNode(1, "process.roles", "controller", "listeners", "CONTROLLER://:19093");

        assertThat(controller.node().isBroker()).isFalse();
        assertThat(controller.node().clientListenerName()).isEmpty();
        assertThat(controller.node().controllerListener()).map(Listener::port).contains(19093);
        assertThatThrownBy(controller.node()::listener).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aControllerOnlyNodeMustNotHaveAClientListener() {
        assertThatThrownBy(() -> clusterNode(1, "process.roles", "controller",
                "listeners", "PLAINTEXT://:19092,CONTROLLER://:19093"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("a controller-only node listens only on controller.listener.names");
    }

    @Test
    void aBrokerNeedsAClientListener() {
        assertThatThrownBy(() -> clusterNode(1, "listeners", "CONTROLLER://:19093"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("broker role needs a listener");
    }

    @Test
    void listenersAreValidated() {
        Map<String, String> bad = Map.of(
                "EXTERNAL://:9093", "no security protocol for listener EXTERNAL",
                "PLAINTEXT://:9092,PLAINTEXT://:9093", "used twice",
                "PLAINTEXT://:9092,CONTROLLER://:9092", "port 9092 is used by two listeners",
                "PLAINTEXT://host", "NAME://host:port",
                "PLAINTEXT://:99999", "port out of range",
                "127.0.0.1:9092", "expected: NAME://host:port",
                "", "at least one");
        bad.forEach((value, message) -> assertThatThrownBy(() -> HeraldConfig.parse(Map.of("listeners", value)))
                .as(value)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("listeners")
                .hasMessageContaining(message));
    }

    @Test
    void configuredSecurityProtocolMapReplacesTheImplicitControllerMapping() {
        assertThatThrownBy(() -> clusterNode(1, "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("no security protocol for listener CONTROLLER");
        assertThatThrownBy(() -> clusterNode(1, "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:SASL_SSL"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("carries no SASL exchange");
        assertThatThrownBy(() -> clusterNode(1, "listener.security.protocol.map", "PLAINTEXT"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("listener.security.protocol.map");
    }

    @Test
    void replicaFetchWaitMayNotExceedLagTime() {
        assertThatThrownBy(() -> HeraldConfig.parse(Map.of("replica.fetch.wait.max.ms", "6000",
                "replica.lag.time.max.ms", "5000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("replica.fetch.wait.max.ms");
    }

    @Test
    void onlyNamesNoSubsystemReadsAreReportedUnused() {
        HeraldConfig config = HeraldConfig.parse(Map.of("replica.fetch.response.max.bytes", "1048576",
                "replica.socket.timeout.ms", "30000", "log.retention.ms", "1000", "log.roll.hours", "1",
                "group.consumer.heartbeat.interval.ms", "6000", "offsets.topic.num.partitions", "10",
                "socket.request.max.bytes", "1000000", "log.cleaner.backoff.ms", "1000",
                "made.up.config", "x", "sasl.kerberos.service.name", "kafka"));
        assertThat(config.unknownNames()).containsExactly("made.up.config", "sasl.kerberos.service.name");
    }

    @Test
    void shareGroupAndDeadLetterConfigsAreReadAndTheRestOfKafkasShareConfigsReported() {
        HeraldConfig config = HeraldConfig.parse(Map.of("group.share.record.lock.duration.ms", "20000",
                "group.share.min.delivery.count.limit", "3", "group.consumer.min.session.timeout.ms", "30000",
                "errors.deadletterqueue.topic.name.prefix", "dead.", "herald.share.retry.backoff.ms", "100",
                "group.share.persister.class.name", "x", "group.share.assignment.interval.ms", "1000"));

        assertThat(config.unknownNames()).containsExactly("group.share.assignment.interval.ms",
                "group.share.persister.class.name");
        assertThat(config.groups().share().recordLockDurationMs().value()).isEqualTo(20_000);
        assertThat(config.groups().share().deadLetterTopicNamePrefix()).isEqualTo("dead.");
        assertThat(config.groups().consumerBounds().sessionTimeoutMs().min()).isEqualTo(30_000);
    }

    @Test
    void groupDefaultsOutsideTheirBoundsStopTheNodeWithKafkasMessage() {
        assertThatThrownBy(() -> HeraldConfig.parse(Map.of("group.consumer.session.timeout.ms", "10000")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("group.consumer.session.timeout.ms must be greater than or equal to "
                        + "group.consumer.min.session.timeout.ms");
        assertThatThrownBy(() -> HeraldConfig.parse(Map.of("group.share.record.lock.duration.ms", "70000")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("group.share.max.record.lock.duration.ms must be greater than or equal to "
                        + "group.share.record.lock.duration.ms");
    }

    @Test
    void everySubsystemIsBuiltWhenTheConfigIsParsed() {
        // A bad value of any fragment fails the parse, so the node stops before log recovery starts.
        for (Map.Entry<String, String> bad : List.of(Map.entry("group.consumer.assignors", "sticky"),
                Map.entry("log.flush.offset.checkpoint.interval.ms", "0"), Map.entry("num.io.threads", "0"),
                Map.entry("socket.request.max.bytes", "0"), Map.entry("broker.heartbeat.interval.ms", "-1"))) {
            assertThatThrownBy(() -> HeraldConfig.parse(Map.ofEntries(bad))).as(bad.getKey())
                    .isInstanceOf(ConfigException.class);
        }
    }

    @Test
    void badValuesNameTheConfig() {
        for (String name : List.of("broker.session.timeout.ms", "replica.lag.time.max.ms", "num.replica.fetchers",
                "offsets.topic.replication.factor", "min.insync.replicas", "unclean.leader.election.enable",
                "auto.leader.rebalance.enable", "leader.imbalance.check.interval.seconds")) {
            assertThatThrownBy(() -> HeraldConfig.parse(Map.of(name, "lots")))
                    .as(name)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(name);
        }
        assertThatThrownBy(() -> HeraldConfig.parse(Map.of("min.insync.replicas", "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("min.insync.replicas");
        assertThatThrownBy(() -> HeraldConfig.parse(Map.of("num.replica.fetchers", "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("num.replica.fetchers");
    }

    @Test
    void topicDefaultsAreValidatedAsTheTopicValuesTheyBecome() {
        assertThatThrownBy(() -> HeraldConfig.parse(Map.of("log.segment.bytes", "ten")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("log.segment.bytes");
        assertThatThrownBy(() -> HeraldConfig.parse(Map.of("log.segment.bytes", "4096")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("1048576");
        // Hours are converted first: 0 hours is a segment.ms of 0, below its minimum of 1.
        assertThatThrownBy(() -> HeraldConfig.parse(Map.of("log.roll.hours", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("log.roll.hours");
        assertThatThrownBy(() -> HeraldConfig.parse(Map.of("listeners", "SSL://127.0.0.1:9093")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ssl.keystore.location");
        HeraldConfig config = HeraldConfig.parse(Map.of("listeners", "PLAINTEXT://127.0.0.1:0",
                "log.dirs", "/a,/b", "compression.type", "zstd", "log.roll.jitter.hours", "1"));
        assertThat(config.node().listener().port()).isZero();
        assertThat(config.node().logDirs()).hasSize(2);
        assertThat(config.node().advertisedListener()).isEqualTo(config.node().listener());
    }
}
