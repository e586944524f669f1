package io.herald.metadata.controller;

import static io.herald.common.codec.GoldenCase.current;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.codec.GoldenCase;
import io.herald.common.codec.GoldenFixture;
import io.herald.common.codec.GoldenFixtures;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.Endpoint;
import io.herald.metadata.image.QuotaEntity;
import io.herald.metadata.image.ScramCredentialImage;
import io.herald.metadata.record.MetadataRecord.AccessControlEntryRecord;
import io.herald.metadata.record.MetadataRecord.BrokerEndpointsRecord;
import io.herald.metadata.record.MetadataRecord.BrokerRecord;
import io.herald.metadata.record.MetadataRecord.ClientQuotaRecord;
import io.herald.metadata.record.MetadataRecord.ClusterIdRecord;
import io.herald.metadata.record.MetadataRecord.ConfigRecord;
import io.herald.metadata.record.MetadataRecord.FeatureLevelRecord;
import io.herald.metadata.record.MetadataRecord.PartitionRecord;
import io.herald.metadata.record.MetadataRecord.ProducerIdsRecord;
import io.herald.metadata.record.MetadataRecord.RemoveAccessControlEntryRecord;
import io.herald.metadata.record.MetadataRecord.ResourceKind;
import io.herald.metadata.record.MetadataRecord.TopicRecord;
import io.herald.metadata.record.MetadataRecord.UserScramCredentialRecord;
import io.herald.metadata.record.MetadataRecord;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden bytes of the controller's snapshots ({@link ControllerSnapshot}, version 1): the state a quorum member
 * restores from disk or from InstallSnapshot. Fixtures are under {@code golden/controller-snapshot/}; see
 * {@link GoldenFixtures}.
 */
class ControllerSnapshotGoldenTest {
    private static final GoldenFixtures GOLDEN = GoldenFixtures.of("controller-snapshot");

    private static final Uuid ORDERS = new Uuid(0x0123456789abcdefL, 0xfedcba9876543210L);
    private static final Uuid PAYMENTS = new Uuid(5L, -6L);

    static List<GoldenCase<ClusterImage>> cases() {
        List<MetadataRecord> records = List.of(
                new ClusterIdRecord("Hk3xQ9-clüster"),
                new BrokerRecord(1, "localhost", 19092, Optional.empty()),
                new BrokerRecord(3, "broker-3.example", 9092, Optional.of("rack-ü"), new Uuid(-2L, 3L), 12_345L,
                        true),
                new ConfigRecord(ResourceKind.BROKER, "", "log.retention.ms", Optional.of("ü ✓ \u0000 🚀")),
                new TopicRecord("orders.eu-1", ORDERS),
                new PartitionRecord(ORDERS, 0, List.of(1, 3), List.of(1), 1, 4, 9),
                new PartitionRecord(ORDERS, 1, List.of(3, 1, 2), List.of(1, 3), 3, 2, 5, List.of(3), List.of(2)),
                new ConfigRecord(ResourceKind.TOPIC, "orders.eu-1", "cleanup.policy", Optional.of("compact")),
                new TopicRecord("payments", PAYMENTS),
                new PartitionRecord(PAYMENTS, 0, List.of(1), List.of(1), 1, 0, 0),
                new ProducerIdsRecord(1, 7_000));
        ClusterImage image = ClusterImage.EMPTY;
        for (MetadataRecord record : records) {
            image = image.apply(record);
        }
        ClusterImage withGroups = image
                .apply(new ConfigRecord(ResourceKind.GROUP, "payments-ü", "share.auto.offset.reset",
                        Optional.of("earliest")))
                .apply(new ConfigRecord(ResourceKind.GROUP, "payments-ü", "share.delivery.count.limit",
                        Optional.of("3")))
                .apply(new ConfigRecord(ResourceKind.GROUP, "audit", "consumer.session.timeout.ms",
                        Optional.of("50000")));
        ClusterImage withFeatures = image
                .apply(new FeatureLevelRecord("group.version", (short) 1, 40))
                .apply(new FeatureLevelRecord("metadata.version", (short) 30, 40))
                .apply(new FeatureLevelRecord("share.version", (short) 0, 52))
                .apply(new FeatureLevelRecord("transaction.version", (short) 2, 52));
        ClusterImage withScram = withFeatures
                .apply(new UserScramCredentialRecord(new ScramCredentialImage("bob", ScramMechanism.SCRAM_SHA_512,
                        new byte[] {1, 2, 3}, new byte[] {4, 5}, new byte[] {6}, 16_384)))
                .apply(new UserScramCredentialRecord(new ScramCredentialImage("alice-ü", ScramMechanism.SCRAM_SHA_256,
                        new byte[] {7}, new byte[] {8, 9}, new byte[] {10, 11, 12}, 4096)))
                .apply(new UserScramCredentialRecord(new ScramCredentialImage("bob", ScramMechanism.SCRAM_SHA_256,
                        new byte[] {13}, new byte[] {14}, new byte[] {15}, 8192)));
        ClusterImage withEndpoints = image
                .apply(new BrokerEndpointsRecord(3, List.of(
                        new Endpoint("INTERNAL", "broker-3.internal", 9092, SecurityProtocol.PLAINTEXT),
                        new Endpoint("EXTERNAL-ü", "broker-3.example", 19093, SecurityProtocol.SASL_SSL))));
        ClusterImage withAcls = withScram
                .apply(new AccessControlEntryRecord(new Uuid(9L, 9L), new AclBinding(
                        new ResourcePattern(ResourceType.TOPIC, "orders-ü", PatternType.PREFIXED),
                        new AccessControlEntry("User:alice", "*", AclOperation.WRITE, AclPermissionType.ALLOW))))
                .apply(new AccessControlEntryRecord(new Uuid(1L, 2L), new AclBinding(
                        new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL),
                        new AccessControlEntry("User:*", "10.0.0.1", AclOperation.ALTER, AclPermissionType.DENY))))
                .apply(new AccessControlEntryRecord(new Uuid(5L, 5L), new AclBinding(
                        new ResourcePattern(ResourceType.GROUP, "g", PatternType.LITERAL),
                        new AccessControlEntry("User:bob", "*", AclOperation.READ, AclPermissionType.ALLOW))))
                .apply(new RemoveAccessControlEntryRecord(new Uuid(5L, 5L)));
        ClusterImage withQuotas = withAcls
                .apply(new ClientQuotaRecord(new QuotaEntity(new TreeMap<>(Map.of(QuotaEntity.USER,
                        Optional.of("alice-ü")))), "producer_byte_rate", OptionalDouble.of(1_048_576)))
                .apply(new ClientQuotaRecord(new QuotaEntity(new TreeMap<>(Map.of(QuotaEntity.USER, Optional.empty(),
                        QuotaEntity.CLIENT_ID, Optional.of("app")))), "request_percentage", OptionalDouble.of(12.5)))
                .apply(new ClientQuotaRecord(new QuotaEntity(new TreeMap<>(Map.of(QuotaEntity.USER,
                        Optional.of("alice-ü")))), "consumer_byte_rate", OptionalDouble.of(2_000_000)))
                .apply(new ClientQuotaRecord(new QuotaEntity(new TreeMap<>(Map.of(QuotaEntity.USER,
                        Optional.of("alice-ü")))), "consumer_byte_rate", OptionalDouble.empty()));
        return List.of(
                current("snapshot-v1-quotas", "as snapshot-v1-acls, with two client quotas of two entities (one set "
                        + "and removed again)", withQuotas.withOffset(98_781)),
                current("snapshot-v1-acls", "as snapshot-v1-scram, with two ACL bindings (written by id) of three "
                        + "created", withAcls.withOffset(98_777)),
                current("snapshot-v1-endpoints", "as snapshot-v1, with broker 3's client listener endpoints "
                        + "(broker 1 has none)", withEndpoints.withOffset(98_766)),
                current("snapshot-v1-scram", "as snapshot-v1-features, with three SCRAM credentials of two users",
                        withScram.withOffset(98_772)),
                current("snapshot-v1-features", "as snapshot-v1, with feature levels set by the log",
                        withFeatures.withOffset(98_769)),
                current("snapshot-v1", "brokers, configs, two topics, producer ids", image.withOffset(98_765)),
                current("snapshot-v1-group-configs", "as snapshot-v1, and two groups' configs",
                        withGroups.withOffset(98_768)),
                current("snapshot-v1-empty", "the image before any record", ClusterImage.EMPTY));
    }

    // One test encodes and then decodes, so that a run writing missing fixtures writes before it reads.
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void encodesToAndDecodesFromItsGoldenBytes(GoldenCase<ClusterImage> c) {
        GOLDEN.verify(c.name(), c.description(), GoldenFixture.entry(ControllerSnapshot.write(c.record())));

        assertThat(ControllerSnapshot.read(GOLDEN.read(c.name()).bytes("entry"))).isEqualTo(c.record());
    }

    @Test
    void everyStoredFixtureIsCheckedByACase() {
        assertThat(GOLDEN.names()).isSubsetOf(cases().stream().map(GoldenCase::name)
                .collect(Collectors.toCollection(TreeSet::new)));
    }
}
