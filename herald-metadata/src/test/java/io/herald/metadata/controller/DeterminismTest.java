package io.herald.metadata.controller;

import io.herald.common.time.ManualTime;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.metadata.controller.ControllerCommand.AlterConfigs;
import io.herald.metadata.controller.ControllerCommand.AlterPartition;
import io.herald.metadata.controller.ControllerCommand.AlterReassignments;
import io.herald.metadata.controller.ControllerCommand.ControlledShutdown;
import io.herald.metadata.controller.ControllerCommand.CreatePartitions;
import io.herald.metadata.controller.ControllerCommand.CreateTopic;
import io.herald.metadata.controller.ControllerCommand.DeleteTopic;
import io.herald.metadata.controller.ControllerCommand.ElectLeaders;
import io.herald.metadata.controller.ControllerCommand.FenceBroker;
import io.herald.metadata.controller.ControllerCommand.InitCluster;
import io.herald.metadata.controller.ControllerCommand.PartitionRef;
import io.herald.metadata.controller.ControllerCommand.Reassignment;
import io.herald.metadata.controller.ControllerCommand.RegisterBroker;
import io.herald.metadata.controller.ControllerCommand.ReserveProducerIds;
import io.herald.metadata.controller.ControllerCommand.UnfenceBroker;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.Endpoint;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import io.herald.metadata.record.MetadataRecord.ResourceKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
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

class DeterminismTest {

    static ControllerStateMachine machine() {
        return new ControllerStateMachine(ControllerFixture.SETTINGS, new ManualTime(),
                command -> CompletableFuture.completedFuture(new byte[0]));
    }

    /** A random but valid-looking command against the image (a mix of successes and rejections). */
    static ControllerCommand randomCommand(Random random, ClusterImage image) {
        int broker = 1 + random.nextInt(5);
        String topic = "t" + random.nextInt(4);
        Optional<TopicImage> t = image.topic(topic);
        List<Integer> some = new ArrayList<>(List.of(1, 2, 3, 4, 5));
        java.util.Collections.shuffle(some, random);
        return switch (random.nextInt(19)) {
            case 0 -> new InitCluster("c" + random.nextInt(3));
            case 1, 2 -> new RegisterBroker(broker, "h" + broker, 9000 + broker,
                    random.nextBoolean() ? Optional.of("r" + broker % 2) : Optional.empty(),
                    new Uuid(broker, random.nextInt(3)));
            case 3 -> new FenceBroker(broker, Optional.ofNullable(image.brokers().get(broker))
                    .map(BrokerImage::brokerEpoch).orElse(0L));
            case 4 -> new UnfenceBroker(broker, Optional.ofNullable(image.brokers().get(broker))
                    .map(BrokerImage::brokerEpoch).orElse(0L));
            case 5 -> new ControlledShutdown(broker);
            case 6 -> new CreateTopic(topic, 1 + random.nextInt(4), 1 + random.nextInt(3), new TreeMap<>(),
                    new TreeMap<>(Map.of("retention.ms", "" + random.nextInt(100))));
            case 7 -> new DeleteTopic(t.map(TopicImage::topicId).orElse(Uuid.ONE_UUID));
            case 8 -> new CreatePartitions(topic, 1 + random.nextInt(6), List.of());
            case 9 -> new AlterConfigs(ResourceKind.BROKER, "", new TreeMap<>(Map.of(
                    "unclean.leader.election.enable", Optional.of("" + random.nextBoolean()))));
            case 10 -> new ReserveProducerIds(broker, 1 + random.nextInt(100));
            case 11 -> t.isEmpty() ? new ElectLeaders(random.nextBoolean(), Optional.empty()) : alterIsr(random, t.get());
            case 12 -> new AlterReassignments(List.of(new Reassignment(topic, 0,
                    random.nextBoolean() ? Optional.empty() : Optional.of(some.subList(0, 1 + random.nextInt(3))))));
            case 13 -> new ControllerCommand.UpdateFeatures(broker, new TreeMap<>(Map.of(
                    random.nextBoolean() ? "group.version" : "transaction.version",
                    new ControllerCommand.FeatureChange((short) random.nextInt(4), (byte) (1 + random.nextInt(3))))));
            case 14 -> scramCommand(random);
            case 15 -> endpointsCommand(random, image, broker);
            case 16 -> aclCommand(random);
            case 17 -> quotaCommand(random);
            default -> new ElectLeaders(random.nextBoolean(),
                    random.nextBoolean() ? Optional.empty() : Optional.of(List.of(new PartitionRef(topic, 0))));
        };
    }

    /** SCRAM alterations of a few users: some accepted, some refused (unknown, duplicate, bad iterations). */
    private static ControllerCommand scramCommand(Random random) {
        List<ControllerCommand.ScramDeletion> deletions = new ArrayList<>();
        List<ControllerCommand.ScramUpsertion> upsertions = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            byte mechanism = (byte) random.nextInt(3);
            String user = "u" + random.nextInt(4);
            if (random.nextBoolean()) {
                deletions.add(new ControllerCommand.ScramDeletion(user, mechanism));
            } else {
                byte[] salt = new byte[random.nextInt(3)];
                random.nextBytes(salt);
                upsertions.add(ScramControl.upsertion(user, mechanism, random.nextBoolean() ? 4096 : 4000, salt,
                        new byte[] {(byte) random.nextInt(5)}));
            }
        }
        return new ControllerCommand.AlterScramCredentials(deletions, upsertions);
    }

    /** Quota sets and removals of a few entities: some accepted, some refused (bad key, fraction, duplicate). */
    private static ControllerCommand quotaCommand(Random random) {
        List<io.herald.metadata.api.QuotaAdmin.Alteration> alterations = new ArrayList<>();
        String[] keys = {"producer_byte_rate", "request_percentage", "connection_creation_rate"};
        for (int i = random.nextInt(4); i > 0; i--) {
            TreeMap<String, Optional<String>> parts = new TreeMap<>();
            parts.put(random.nextBoolean() ? "user" : "client-id",
                    random.nextBoolean() ? Optional.empty() : Optional.of("c" + random.nextInt(3)));
            String key = keys[random.nextInt(keys.length)];
            java.util.OptionalDouble value = random.nextInt(3) == 0 ? java.util.OptionalDouble.empty()
                    : java.util.OptionalDouble.of(random.nextInt(3) + (random.nextBoolean() ? 0.5 : 0));
            alterations.add(new io.herald.metadata.api.QuotaAdmin.Alteration(
                    new io.herald.metadata.image.QuotaEntity(parts),
                    List.of(new io.herald.metadata.api.QuotaAdmin.Op(key, value))));
        }
        return new ControllerCommand.AlterClientQuotas(alterations);
    }

    /** Endpoints of one or two listeners, of the broker's incarnation or a stale one (refused). */
    private static ControllerCommand endpointsCommand(Random random, ClusterImage image, int broker) {
        Uuid incarnation = Optional.ofNullable(image.brokers().get(broker)).map(BrokerImage::incarnationId)
                .filter(id -> random.nextInt(4) > 0).orElse(new Uuid(broker, 7));
        List<Endpoint> endpoints = new ArrayList<>(List.of(new Endpoint("INTERNAL", "h" + broker,
                9000 + broker, SecurityProtocol.PLAINTEXT)));
        if (random.nextBoolean()) {
            endpoints.add(new Endpoint("EXTERNAL", "e" + broker, 19000 + random.nextInt(2),
                    SecurityProtocol.SASL_SSL));
        }
        return new ControllerCommand.RegisterEndpoints(broker, incarnation, endpoints);
    }

    /**
     * ACL creations (valid, existing, duplicate, invalid: a principal without a colon) or deletions by filters that
     * overlap, so ids derive from many positions and indexes.
     */
    private static ControllerCommand aclCommand(Random random) {
        if (random.nextInt(3) == 0) {
            List<AclBindingFilter> filters = new ArrayList<>();
            for (int i = random.nextInt(3); i >= 0; i--) {
                String name = random.nextBoolean() ? null : "t" + random.nextInt(3);
                String principal = random.nextBoolean() ? null : "User:u" + random.nextInt(3);
                filters.add(new AclBindingFilter(new ResourcePatternFilter(ResourceType.TOPIC, name, PatternType.ANY),
                        new AccessControlEntryFilter(principal, null, AclOperation.ANY, AclPermissionType.ANY)));
            }
            return new ControllerCommand.DeleteAcls(filters);
        }
        List<AclBinding> bindings = new ArrayList<>();
        for (int i = random.nextInt(4); i >= 0; i--) {
            PatternType pattern = random.nextBoolean() ? PatternType.LITERAL : PatternType.PREFIXED;
            String principal = (random.nextInt(5) == 0 ? "u" : "User:u") + random.nextInt(3);
            bindings.add(new AclBinding(new ResourcePattern(ResourceType.TOPIC, "t" + random.nextInt(3), pattern),
                    new AccessControlEntry(principal, "*", AclOperation.READ, AclPermissionType.ALLOW)));
        }
        return new ControllerCommand.CreateAcls(bindings);
    }

    private static ControllerCommand alterIsr(Random random, TopicImage topic) {
        PartitionImage p = topic.partitions().get(0);
        List<Integer> isr = new ArrayList<>(p.replicas().subList(0, 1 + random.nextInt(p.replicas().size())));
        if (p.leader() >= 0 && !isr.contains(p.leader())) {
            isr.add(p.leader());
        }
        return new AlterPartition(p.leader(), topic.topicId(), 0, p.leaderEpoch(), p.partitionEpoch(), isr);
    }

    @Test
    void sameCommandsGiveSameImagesAndReplies() {
        for (long seed = 0; seed < 20; seed++) {
            Random random = new Random(seed);
            ControllerStateMachine a = machine();
            ControllerStateMachine b = machine();
            for (long index = 1; index <= 400; index++) {
                byte[] entry = ControllerCommandSerde.encode(randomCommand(random, a.image()));
                byte[] replyA = a.apply(index, 1, entry);
                byte[] replyB = b.apply(index, 1, entry);
                assertThat(replyB).as("seed %s index %s", seed, index).isEqualTo(replyA);
                assertThat(b.image()).as("seed %s index %s", seed, index).isEqualTo(a.image());
            }
            assertThat(a.snapshot().bytes()).isEqualTo(b.snapshot().bytes());
        }
    }

    @Test
    void snapshotRestoreGivesTheSameStateAndStaysInStep() {
        for (long seed = 0; seed < 20; seed++) {
            Random random = new Random(seed);
            ControllerStateMachine a = machine();
            long index = 1;
            for (; index <= 200; index++) {
                a.apply(index, 1, ControllerCommandSerde.encode(randomCommand(random, a.image())));
            }
            var snapshot = a.snapshot();
            ControllerStateMachine b = machine();
            b.restore(snapshot.bytes(), snapshot.lastIndex());
            assertThat(b.image()).isEqualTo(a.image());
            assertThat(b.lastAppliedIndex()).isEqualTo(a.lastAppliedIndex());
            for (; index <= 400; index++) {
                byte[] entry = ControllerCommandSerde.encode(randomCommand(random, a.image()));
                assertThat(b.apply(index, 1, entry)).as("seed %s index %s", seed, index).isEqualTo(a.apply(index, 1, entry));
                assertThat(b.image()).as("seed %s index %s", seed, index).isEqualTo(a.image());
            }
        }
    }

    @Test
    void commandsSurviveTheirEncoding() {
        Random random = new Random(7);
        ControllerStateMachine a = machine();
        for (long index = 1; index <= 500; index++) {
            ControllerCommand command = randomCommand(random, a.image());
            byte[] entry = ControllerCommandSerde.encode(command);
            assertThat(ControllerCommandSerde.decode(entry)).isEqualTo(command);
            a.apply(index, 1, entry);
        }
        byte[] unknown = {ControllerCommandSerde.VERSION + 1, 1};
        ControllerReply reply = ControllerReply.decode(a.apply(501, 1, unknown));
        assertThat(reply.error()).isEqualTo(org.apache.kafka.common.protocol.Errors.UNSUPPORTED_VERSION);
    }
}
