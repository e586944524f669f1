package io.herald.metadata.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.codec.CorruptRecordException;
import io.herald.common.codec.GoldenFixtures;
import io.herald.common.codec.RecordType;
import io.herald.common.codec.UnknownRecordTypeException;
import io.herald.metadata.record.MetadataRecord.AccessControlEntryRecord;
import io.herald.metadata.record.MetadataRecord.ConfigRecord;
import io.herald.metadata.record.MetadataRecord.ResourceKind;
import io.herald.metadata.record.MetadataRecord.TopicRecord;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class MetadataRecordSerdeTest {

    @Test
    void anUnknownRecordTypeIsReportedWithItsOffsetAndId() {
        byte[] bytes = MetadataRecordSerde.toBytes(List.of(new TopicRecord("t", Uuid.ZERO_UUID),
                new TopicRecord("u", Uuid.ZERO_UUID)));
        bytes[4 + 1 + 3 + 16] = 99; // the second record's type

        assertThatThrownBy(() -> MetadataRecordSerde.fromBytes(bytes))
                .isInstanceOfSatisfying(UnknownRecordTypeException.class, e -> {
                    assertThat(e.typeId()).isEqualTo(99);
                    assertThat(e.offset()).isEqualTo(24);
                });
    }

    @Test
    void aResourceKindOutOfRangeIsCorrupt() {
        byte[] bytes = MetadataRecordSerde.toBytes(List.of(
                new ConfigRecord(ResourceKind.BROKER, "", "x", Optional.empty())));
        bytes[5] = 3;

        assertThatThrownBy(() -> MetadataRecordSerde.fromBytes(bytes))
                .isInstanceOf(CorruptRecordException.class)
                .hasMessage("Corrupt metadata record batch at offset 5: resource kind 3 (expected: 0 to 2)");
    }

    @Test
    void aHugeCountOrATruncatedBatchIsCorruptWithoutAllocatingForIt() {
        assertThatThrownBy(() -> MetadataRecordSerde.fromBytes(new byte[] {0x7f, -1, -1, -1, 1}))
                .isInstanceOf(CorruptRecordException.class).hasMessageContaining("list count 2147483647");
        byte[] bytes = MetadataRecordSerde.toBytes(List.of(new TopicRecord("t", new Uuid(1, 2))));

        for (int cut = 0; cut < bytes.length; cut++) {
            byte[] truncated = Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> MetadataRecordSerde.fromBytes(truncated))
                    .isInstanceOf(CorruptRecordException.class);
        }
    }

    @Test
    void anUnknownScramMechanismIsCorrupt() {
        byte[] bytes = MetadataRecordSerde.toBytes(List.of(new MetadataRecord.RemoveUserScramCredentialRecord("u",
                org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_256)));
        bytes[8] = 0; // after count(4) type(1) user(2 + 1)

        assertThatThrownBy(() -> MetadataRecordSerde.fromBytes(bytes))
                .isInstanceOf(CorruptRecordException.class)
                .hasMessage("Corrupt metadata record batch at offset 8: SCRAM mechanism 0 (expected: 1 or 2)");
    }

    @Test
    void aStoredAclBindingOfAnUnknownOrIndefiniteCodeIsCorrupt() {
        AclBinding binding = new AclBinding(new ResourcePattern(ResourceType.TOPIC, "t", PatternType.LITERAL),
                new AccessControlEntry("User:a", "*", AclOperation.READ, AclPermissionType.ALLOW));
        byte[] bytes = MetadataRecordSerde.toBytes(List.of(new AccessControlEntryRecord(new Uuid(1, 2), binding)));
        int resourceType = 4 + 1 + 16; // after count, type and id
        int operation = resourceType + 1 + (2 + 1) + 1 + (2 + 6) + (2 + 1);

        byte[] unknownOperation = bytes.clone();
        unknownOperation[operation] = 99;
        assertThatThrownBy(() -> MetadataRecordSerde.fromBytes(unknownOperation))
                .isInstanceOf(CorruptRecordException.class)
                .hasMessageStartingWith("Corrupt metadata record batch at offset " + resourceType + ": ACL binding");
        byte[] anyResource = bytes.clone();
        anyResource[resourceType] = ResourceType.ANY.code();
        assertThatThrownBy(() -> MetadataRecordSerde.fromBytes(anyResource))
                .isInstanceOf(CorruptRecordException.class)
                .hasMessage("Corrupt metadata record batch at offset " + resourceType
                        + ": ACL binding: resourceType must not be ANY");
        assertThat(MetadataRecordSerde.fromBytes(bytes))
                .containsExactly(new AccessControlEntryRecord(new Uuid(1, 2), binding));
    }

    @Test
    void everyRecordTypeHasAGoldenFixture() {
        GoldenFixtures golden = GoldenFixtures.of("metadata-record");

        for (RecordType type : MetadataRecordSerde.FORMAT.types()) {
            assertThat(golden.names()).contains(type.name() + "-v0");
        }
    }
}
