package io.herald.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.codec.GoldenCase;
import io.herald.common.codec.GoldenFixture;
import io.herald.common.codec.GoldenFixtures;
import io.herald.metadata.controller.ControllerCommand.AlterConfigs;
import io.herald.metadata.controller.ControllerCommand.AlterPartition;
import io.herald.metadata.controller.ControllerCommand.AlterReassignments;
import io.herald.metadata.controller.ControllerCommand.ControlledShutdown;
import io.herald.metadata.controller.ControllerCommand.CreatePartitions;
import io.herald.metadata.controller.ControllerCommand.CreateTopic;
import io.herald.metadata.controller.ControllerCommand.DeleteTopic;
import io.herald.metadata.controller.ControllerCommand.ElectLeaders;
import io.herald.metadata.controller.ControllerCommand.FeatureChange;
import io.herald.metadata.controller.ControllerCommand.FenceBroker;
import io.herald.metadata.controller.ControllerCommand.InitCluster;
import io.herald.metadata.controller.ControllerCommand.PartitionRef;
import io.herald.metadata.controller.ControllerCommand.Reassignment;
import io.herald.metadata.controller.ControllerCommand.RegisterBroker;
import io.herald.metadata.controller.ControllerCommand.ReserveProducerIds;
import io.herald.metadata.controller.ControllerCommand.TermFenced;
import io.herald.metadata.controller.ControllerCommand.UnfenceBroker;
import io.herald.metadata.controller.ControllerCommand.UpdateFeatures;
import io.herald.metadata.controller.LeaderRequest.Heartbeat;
import io.herald.metadata.controller.LeaderRequest.Validate;
import io.herald.metadata.api.QuotaAdmin;
import io.herald.metadata.image.Endpoint;
import io.herald.metadata.image.QuotaEntity;
import io.herald.metadata.record.MetadataRecord.ResourceKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden bytes of the metadata quorum log's entries ({@link ControllerCommandSerde}: controller commands) and of
 * the requests to the leader ({@link LeaderRequest}). Every member replays the whole log, so every command type
 * of every version must stay readable.
 *
 * <p>Version 2 is written today. Version 1 (before {@code TermFenced}, commit "Term-fence the active controller's
 * own decisions") had the same layout for every type it knew and differed only in the version byte; its fixtures
 * were made from today's encoding with that byte set to 1, and are only decoded. Fixtures are under
 * {@code golden/controller-command/} and {@code golden/leader-request/}; see {@link GoldenFixtures}.
 */
class ControllerCommandGoldenTest {
    private static final GoldenFixtures COMMANDS = GoldenFixtures.of("controller-command");
    private static final GoldenFixtures REQUESTS = GoldenFixtures.of("leader-request");

    private static final Uuid TOPIC_ID = new Uuid(0x0123456789abcdefL, 0xfedcba9876543210L);
    private static final Uuid INCARNATION = new Uuid(-2L, 3L);
    private static final String AS_V1 = "the version 2 bytes with version byte 1, as version 1 wrote them";

    /**
     * Version 2 cases: {@code <type>-v2[-variant]}; each but these also existed in version 1: TermFenced, and
     * AlterConfigs of a group (the GROUP resource kind came later, in the same layout).
     */
    private static final java.util.Set<String> NOT_IN_V1 = java.util.Set.of("term-fenced-v2",
            "alter-configs-v2-group", "update-features-v2", "report-offline-replicas-v2",
            "alter-scram-credentials-v2", "alter-scram-credentials-v2-empty", "register-endpoints-v2",
            "create-acls-v2", "delete-acls-v2", "alter-client-quotas-v2");

    private static List<Map.Entry<String, ControllerCommand>> commands() {
        TreeMap<Integer, List<Integer>> assignments = new TreeMap<>(Map.of(0, List.of(1, 2), 1, List.of(2, 3),
                2, List.of(3, 1)));
        TreeMap<String, String> configs = new TreeMap<>(Map.of("cleanup.policy", "compact",
                "retention.ms", "604800000"));
        TreeMap<String, Optional<String>> changes = new TreeMap<>(Map.of("retention.ms", Optional.of("3600000"),
                "segment.bytes", Optional.empty()));
        return List.of(
                Map.entry("init-cluster-v2", new InitCluster("Hk3xQ9-clüster")),
                Map.entry("register-broker-v2", new RegisterBroker(3, "broker-3.example", 9092,
                        Optional.of("rack-ü"), INCARNATION)),
                Map.entry("register-broker-v2-no-rack", new RegisterBroker(1, "localhost", 19092, Optional.empty(),
                        Uuid.ZERO_UUID)),
                Map.entry("fence-broker-v2", new FenceBroker(3, 1_234_567_890_123L)),
                Map.entry("unfence-broker-v2", new UnfenceBroker(3, 1_234_567_890_123L)),
                Map.entry("controlled-shutdown-v2", new ControlledShutdown(3)),
                Map.entry("create-topic-v2", new CreateTopic("orders.eu-1", 3, 2, assignments, configs)),
                Map.entry("create-topic-v2-automatic", new CreateTopic("t", 1, 1, new TreeMap<>(), new TreeMap<>())),
                Map.entry("delete-topic-v2", new DeleteTopic(TOPIC_ID)),
                Map.entry("create-partitions-v2", new CreatePartitions("orders.eu-1", 5,
                        List.of(List.of(1, 2), List.of(2, 3)))),
                Map.entry("create-partitions-v2-automatic", new CreatePartitions("t", 2, List.of())),
                Map.entry("alter-configs-v2", new AlterConfigs(ResourceKind.TOPIC, "orders.eu-1", changes)),
                Map.entry("alter-configs-v2-broker-default", new AlterConfigs(ResourceKind.BROKER, "",
                        new TreeMap<>(Map.of("log.retention.ms", Optional.of("ü ✓ \u0000 🚀"))))),
                Map.entry("alter-configs-v2-group", new AlterConfigs(ResourceKind.GROUP, "payments-ü",
                        new TreeMap<>(Map.of("share.auto.offset.reset", Optional.of("earliest"),
                                "share.record.lock.duration.ms", Optional.empty())))),
                Map.entry("reserve-producer-ids-v2", new ReserveProducerIds(2, 1000)),
                Map.entry("alter-partition-v2", new AlterPartition(1, TOPIC_ID, 4, 9, 21, List.of(1, 2))),
                Map.entry("alter-reassignments-v2", new AlterReassignments(List.of(
                        new Reassignment("orders.eu-1", 0, Optional.of(List.of(3, 1, 2))),
                        new Reassignment("t", 1, Optional.empty())))),
                Map.entry("elect-leaders-v2", new ElectLeaders(true, Optional.of(List.of(
                        new PartitionRef("orders.eu-1", 0), new PartitionRef("t", 3))))),
                Map.entry("elect-leaders-v2-all", new ElectLeaders(false, Optional.empty())),
                Map.entry("term-fenced-v2", new TermFenced(7, new FenceBroker(3, 1_234_567_890_123L))),
                Map.entry("update-features-v2", new UpdateFeatures(2, new TreeMap<>(Map.of(
                        "group.version", new FeatureChange((short) 0, (byte) 3),
                        "transaction.version", new FeatureChange((short) 2, (byte) 1))))),
                Map.entry("report-offline-replicas-v2", new ControllerCommand.ReportOfflineReplicas(3, INCARNATION,
                        List.of(new io.herald.metadata.image.ReplicaKey(TOPIC_ID, 4),
                                new io.herald.metadata.image.ReplicaKey(TOPIC_ID, 0)))),
                Map.entry("alter-scram-credentials-v2", new ControllerCommand.AlterScramCredentials(
                        List.of(new ControllerCommand.ScramDeletion("alice-ü", (byte) 2),
                                new ControllerCommand.ScramDeletion("", (byte) 0)),
                        List.of(new ControllerCommand.ScramUpsertion("bob", (byte) 1, 8192, bytes(16, 1), bytes(32, 2),
                                        bytes(32, 3)),
                                new ControllerCommand.ScramUpsertion("carol", (byte) 7, 10, new byte[0], new byte[0],
                                        new byte[0])))),
                Map.entry("alter-scram-credentials-v2-empty", new ControllerCommand.AlterScramCredentials(List.of(),
                        List.of())),
                Map.entry("register-endpoints-v2", new ControllerCommand.RegisterEndpoints(3, INCARNATION, List.of(
                        new Endpoint("INTERNAL", "broker-3.internal", 9092, SecurityProtocol.PLAINTEXT),
                        new Endpoint("EXTERNAL-ü", "broker-3.example", 19093, SecurityProtocol.SASL_SSL)))),
                // The second binding is as a client with codes Kafka does not know sends it: UNKNOWN, refused later.
                Map.entry("create-acls-v2", new ControllerCommand.CreateAcls(List.of(
                        new AclBinding(new ResourcePattern(ResourceType.TOPIC, "orders-ü", PatternType.PREFIXED),
                                new AccessControlEntry("User:alice", "*", AclOperation.WRITE,
                                        AclPermissionType.ALLOW)),
                        new AclBinding(new ResourcePattern(ResourceType.UNKNOWN, "", PatternType.UNKNOWN),
                                new AccessControlEntry("bob", "", AclOperation.UNKNOWN,
                                        AclPermissionType.UNKNOWN))))),
                Map.entry("delete-acls-v2", new ControllerCommand.DeleteAcls(List.of(
                        new AclBindingFilter(new ResourcePatternFilter(ResourceType.ANY, null, PatternType.MATCH),
                                new AccessControlEntryFilter("User:alice", null, AclOperation.ANY,
                                        AclPermissionType.ANY)),
                        new AclBindingFilter(new ResourcePatternFilter(ResourceType.GROUP, "g-ü", PatternType.LITERAL),
                                new AccessControlEntryFilter(null, "10.0.0.1", AclOperation.READ,
                                        AclPermissionType.DENY))))),
                // The second alteration is as a client may send it: an unknown entity type, refused later.
                Map.entry("alter-client-quotas-v2", new ControllerCommand.AlterClientQuotas(List.of(
                        new QuotaAdmin.Alteration(new QuotaEntity(new TreeMap<>(Map.of(QuotaEntity.USER,
                                Optional.of("alice-ü"), QuotaEntity.CLIENT_ID, Optional.empty()))), List.of(
                                new QuotaAdmin.Op("producer_byte_rate", OptionalDouble.of(1_048_576)),
                                new QuotaAdmin.Op("request_percentage", OptionalDouble.empty()))),
                        new QuotaAdmin.Alteration(new QuotaEntity(new TreeMap<>(Map.of("group", Optional.of("g")))),
                                List.of(new QuotaAdmin.Op("controller_mutation_rate", OptionalDouble.of(0.5))))))));
    }

    /** {@code length} bytes counting up from {@code first}. */
    private static byte[] bytes(int length, int first) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = (byte) (first + i);
        }
        return out;
    }

    static List<GoldenCase<ControllerCommand>> commandCases() {
        List<GoldenCase<ControllerCommand>> cases = new ArrayList<>();
        for (var e : commands()) {
            String type = e.getValue().getClass().getSimpleName();
            cases.add(GoldenCase.current(e.getKey(), type + ", version 2", e.getValue()));
            if (!NOT_IN_V1.contains(e.getKey())) {
                cases.add(GoldenCase.older(e.getKey().replace("-v2", "-v1"), type + ", version 1 (" + AS_V1 + ")",
                        e.getValue()));
            }
        }
        return cases;
    }

    static List<GoldenCase<LeaderRequest>> requestCases() {
        List<GoldenCase<LeaderRequest>> cases = new ArrayList<>();
        for (int version = 2; version >= 1; version--) {
            String v = version == 2 ? "version 2" : "version 1 (" + AS_V1 + ")";
            cases.add(new GoldenCase<>("heartbeat-v" + version, "broker heartbeat, " + v,
                    new Heartbeat(3, INCARNATION), version == 2));
            cases.add(new GoldenCase<>("validate-v" + version, "validate a topic creation, " + v,
                    new Validate(new CreateTopic("orders.eu-1", 3, 2, new TreeMap<>(),
                            new TreeMap<>(Map.of("cleanup.policy", "compact")))), version == 2));
        }
        return cases;
    }

    /** The bytes a writer of {@code c}'s version wrote: today's encoding, re-headed for version 1. */
    private static byte[] writtenBy(GoldenCase<?> c, byte[] current) {
        if (!c.current()) {
            current[0] = 1;
        }
        return current;
    }

    // Each test encodes and then decodes, so that a run writing missing fixtures writes before it reads.
    @ParameterizedTest(name = "{0}")
    @MethodSource("commandCases")
    void commandEncodesToAndDecodesFromItsGoldenBytes(GoldenCase<ControllerCommand> c) {
        GoldenFixture encoded = GoldenFixture.entry(writtenBy(c, ControllerCommandSerde.encode(c.record())));
        if (c.current()) {
            COMMANDS.verify(c.name(), c.description(), encoded);
        } else {
            COMMANDS.seed(c.name(), c.description(), encoded);
        }

        assertThat(ControllerCommandSerde.decode(COMMANDS.read(c.name()).bytes("entry"))).isEqualTo(c.record());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requestCases")
    void leaderRequestEncodesToAndDecodesFromItsGoldenBytes(GoldenCase<LeaderRequest> c) {
        GoldenFixture encoded = GoldenFixture.entry(writtenBy(c, ControllerCommandSerde.encode(c.record())));
        if (c.current()) {
            REQUESTS.verify(c.name(), c.description(), encoded);
        } else {
            REQUESTS.seed(c.name(), c.description(), encoded);
        }

        assertThat(ControllerCommandSerde.decodeLeaderRequest(REQUESTS.read(c.name()).bytes("entry")))
                .isEqualTo(c.record());
    }

    @Test
    void everyStoredFixtureIsCheckedByACase() {
        assertThat(COMMANDS.names()).isSubsetOf(commandCases().stream().map(GoldenCase::name)
                .collect(Collectors.toCollection(TreeSet::new)));
        assertThat(REQUESTS.names()).isSubsetOf(requestCases().stream().map(GoldenCase::name)
                .collect(Collectors.toCollection(TreeSet::new)));
    }
}
