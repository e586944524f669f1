package io.herald.metadata.record;

import static io.herald.common.codec.GoldenCase.current;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.codec.GoldenCase;
import io.herald.common.codec.GoldenFixture;
import io.herald.common.codec.GoldenFixtures;
import io.herald.metadata.image.Endpoint;
import io.herald.metadata.record.MetadataRecord.AccessControlEntryRecord;
import io.herald.metadata.record.MetadataRecord.BrokerEndpointsRecord;
import io.herald.metadata.record.MetadataRecord.BrokerRecord;
import io.herald.metadata.record.MetadataRecord.ClientQuotaRecord;
import io.herald.metadata.image.QuotaEntity;
import io.herald.metadata.record.MetadataRecord.ClusterIdRecord;
import io.herald.metadata.record.MetadataRecord.ConfigRecord;
import io.herald.metadata.record.MetadataRecord.FeatureLevelRecord;
import io.herald.metadata.record.MetadataRecord.PartitionRecord;
import io.herald.metadata.record.MetadataRecord.ProducerIdsRecord;
import io.herald.metadata.record.MetadataRecord.RemoveAccessControlEntryRecord;
import io.herald.metadata.image.ScramCredentialImage;
import io.herald.metadata.record.MetadataRecord.RemoveTopicRecord;
import io.herald.metadata.record.MetadataRecord.RemoveUserScramCredentialRecord;
import io.herald.metadata.record.MetadataRecord.ResourceKind;
import io.herald.metadata.record.MetadataRecord.TopicRecord;
import io.herald.metadata.record.MetadataRecord.UserScramCredentialRecord;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
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
 * Golden bytes of metadata record batches ({@link MetadataRecordSerde}), the body of controller snapshots and of
 * the records in controller replies. The format has no version number of its own; its layout of today is
 * named version 0. One fixture per record type and variant, each a batch of that one record, plus a mixed batch
 * and an empty one. Fixtures are under {@code golden/metadata-record/}; see {@link GoldenFixtures}.
 */
class MetadataRecordGoldenTest {
    private static final GoldenFixtures GOLDEN = GoldenFixtures.of("metadata-record");

    static final Uuid TOPIC_ID = new Uuid(0x0123456789abcdefL, 0xfedcba9876543210L);
    static final Uuid INCARNATION = new Uuid(-2L, 3L);
    static final Uuid ACL_ID = new Uuid(0x1122334455667788L, -0x1122334455667788L);

    /**
     * Strings of the metadata formats are Java's modified UTF-8 ({@code DataOutput.writeUTF}): NUL and characters
     * outside the BMP are encoded differently from standard UTF-8, so a config value pins both.
     */
    static final String UNUSUAL_TEXT = "ü ✓ \u0000 🚀";

    static List<GoldenCase<List<MetadataRecord>>> cases() {
        return List.of(
                one("cluster-id-v0", "cluster id", new ClusterIdRecord("Hk3xQ9-clüster")),
                one("topic-v0", "topic", new TopicRecord("orders.eu-1", TOPIC_ID)),
                one("partition-v0", "partition during a reassignment",
                        new PartitionRecord(TOPIC_ID, 7, List.of(4, 1, 2, 3), List.of(1, 4), 1, 9, 21, List.of(4),
                                List.of(3))),
                one("partition-v0-no-reassignment", "partition without leader or reassignment",
                        new PartitionRecord(TOPIC_ID, 0, List.of(1), List.of(), -1, 0, 0)),
                one("remove-topic-v0", "topic removed", new RemoveTopicRecord(TOPIC_ID)),
                one("config-v0", "topic config set",
                        new ConfigRecord(ResourceKind.TOPIC, "orders.eu-1", "retention.ms", Optional.of(UNUSUAL_TEXT))),
                one("config-v0-removed", "cluster-default broker config removed",
                        new ConfigRecord(ResourceKind.BROKER, "", "log.retention.ms", Optional.empty())),
                one("config-v0-group", "group config set (a GROUP resource, KIP-848/KIP-932)",
                        new ConfigRecord(ResourceKind.GROUP, "payments-ü", "share.auto.offset.reset",
                                Optional.of("earliest"))),
                one("broker-v0", "fenced broker with rack and incarnation",
                        new BrokerRecord(3, "broker-3.example", 9092, Optional.of("rack-ü"), INCARNATION, 12_345L,
                                true)),
                one("broker-v0-no-rack", "unfenced broker without rack, unknown incarnation",
                        new BrokerRecord(1, "localhost", 19092, Optional.empty())),
                one("producer-ids-v0", "producer id block reserved", new ProducerIdsRecord(2, 5_000_000_000L)),
                one("feature-level-v0", "feature finalized (KIP-584)",
                        new FeatureLevelRecord("transaction.version", (short) 2, 9_876_543_210L)),
                one("offline-replicas-v0", "a broker's replicas offline after a log dir failure (KIP-858)",
                        new MetadataRecord.OfflineReplicasRecord(3, INCARNATION, List.of(
                                new io.herald.metadata.image.ReplicaKey(TOPIC_ID, 0),
                                new io.herald.metadata.image.ReplicaKey(TOPIC_ID, 7)))),
                one("feature-level-v0-disabled", "feature at level 0, not finalized",
                        new FeatureLevelRecord("group.version", (short) 0, 7L)),
                one("user-scram-credential-v0", "a user's SCRAM-SHA-256 credential",
                        new UserScramCredentialRecord(new ScramCredentialImage("alice-ü", ScramMechanism.SCRAM_SHA_256,
                                bytes(16, 1), bytes(32, 2), bytes(32, 3), 8192))),
                one("user-scram-credential-v0-sha512", "a SCRAM-SHA-512 credential with an empty salt",
                        new UserScramCredentialRecord(new ScramCredentialImage("bob", ScramMechanism.SCRAM_SHA_512,
                                new byte[0], bytes(64, 4), bytes(64, 5), 16_384))),
                one("remove-user-scram-credential-v0", "a user's SCRAM-SHA-512 credential removed",
                        new RemoveUserScramCredentialRecord("alice-ü", ScramMechanism.SCRAM_SHA_512)),
                one("broker-endpoints-v0", "a broker's client listener endpoints, in its listeners order",
                        new BrokerEndpointsRecord(3, List.of(
                                new Endpoint("INTERNAL", "broker-3.internal", 9092, SecurityProtocol.PLAINTEXT),
                                new Endpoint("EXTERNAL-ü", "broker-3.example", 19093, SecurityProtocol.SASL_SSL),
                                new Endpoint("FUTURE", "h", 65535, (short) 99)))),
                one("broker-endpoints-v0-none", "a broker without client listener endpoints",
                        new BrokerEndpointsRecord(1, List.of())),
                one("access-control-entry-v0", "an ACL binding: ALLOW User:alice READ on topics prefixed orders-ü",
                        new AccessControlEntryRecord(ACL_ID, new AclBinding(
                                new ResourcePattern(ResourceType.TOPIC, "orders-ü", PatternType.PREFIXED),
                                new AccessControlEntry("User:alice", "*", AclOperation.READ,
                                        AclPermissionType.ALLOW)))),
                one("access-control-entry-v0-deny-cluster", "an ACL binding: DENY User:* ALTER on the cluster from "
                                + "one host",
                        new AccessControlEntryRecord(new Uuid(7L, -8L), new AclBinding(
                                new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL),
                                new AccessControlEntry("User:*", "10.0.0.1", AclOperation.ALTER,
                                        AclPermissionType.DENY)))),
                one("remove-access-control-entry-v0", "an ACL binding removed",
                        new RemoveAccessControlEntryRecord(ACL_ID)),
                one("client-quota-v0", "a client quota set: producer_byte_rate of user alice-ü, default client-id",
                        new ClientQuotaRecord(new QuotaEntity(new java.util.TreeMap<>(java.util.Map.of(
                                QuotaEntity.USER, Optional.of("alice-ü"), QuotaEntity.CLIENT_ID, Optional.empty()))),
                                "producer_byte_rate", java.util.OptionalDouble.of(1_048_576))),
                one("client-quota-v0-removed", "a client quota removed: request_percentage of the default user",
                        new ClientQuotaRecord(new QuotaEntity(new java.util.TreeMap<>(java.util.Map.of(
                                QuotaEntity.USER, Optional.empty()))), "request_percentage",
                                java.util.OptionalDouble.empty())),
                current("batch-v0", "a batch of several records", List.of(
                        new ClusterIdRecord("Hk3xQ9-clüster"),
                        new TopicRecord("orders.eu-1", TOPIC_ID),
                        new PartitionRecord(TOPIC_ID, 0, List.of(1, 2), List.of(2), 2, 1, 3),
                        new ConfigRecord(ResourceKind.TOPIC, "orders.eu-1", "cleanup.policy", Optional.of("compact")),
                        new ProducerIdsRecord(-1, 1000))),
                current("batch-v0-empty", "an empty batch", List.of()));
    }

    /** {@code length} bytes counting up from {@code first}. */
    static byte[] bytes(int length, int first) {
        byte[] out = new byte[length];
        IntStream.range(0, length).forEach(i -> out[i] = (byte) (first + i));
        return out;
    }

    private static GoldenCase<List<MetadataRecord>> one(String name, String description, MetadataRecord record) {
        return current(name, description, List.of(record));
    }

    // One test encodes and then decodes, so that a run writing missing fixtures writes before it reads.
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void encodesToAndDecodesFromItsGoldenBytes(GoldenCase<List<MetadataRecord>> c) {
        GOLDEN.verify(c.name(), c.description(), GoldenFixture.entry(MetadataRecordSerde.toBytes(c.record())));

        assertThat(MetadataRecordSerde.fromBytes(GOLDEN.read(c.name()).bytes("entry"))).isEqualTo(c.record());
    }

    @Test
    void everyStoredFixtureIsCheckedByACase() {
        assertThat(GOLDEN.names()).isSubsetOf(cases().stream().map(GoldenCase::name)
                .collect(Collectors.toCollection(TreeSet::new)));
    }
}
