package io.herald.group.record;

import io.herald.group.offsets.OffsetAndMetadata;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.junit.jupiter.api.Test;

class GroupRecordSerdeTest {
    private static Optional<GroupRecord> roundTrip(GroupRecord r) {
        byte[] value = GroupRecordSerde.value(r);
        return GroupRecordSerde.decode(ByteBuffer.wrap(GroupRecordSerde.key(r)),
                value == null ? null : ByteBuffer.wrap(value));
    }

    @Test
    void offsetCommitRoundTripsIncludingTombstone() {
        var commit = new GroupRecord.OffsetCommit("grp", "topic", 3, Optional.of(
                new OffsetAndMetadata(42, 7, "meta ✓", 1000, OptionalLong.of(5000))));
        assertThat(roundTrip(commit)).contains(commit);
        var noExpiry = new GroupRecord.OffsetCommit("grp", "topic", 3, Optional.of(
                new OffsetAndMetadata(42, -1, "", 1000, OptionalLong.empty())));
        assertThat(roundTrip(noExpiry)).contains(noExpiry);
        var tombstone = new GroupRecord.OffsetCommit("grp", "topic", 3, Optional.empty());
        assertThat(GroupRecordSerde.value(tombstone)).isNull();
        assertThat(roundTrip(tombstone)).contains(tombstone);
    }

    @Test
    void groupMetadataRoundTrips() {
        var member = new GroupRecord.MemberValue("m-1", "instance", "client", "/10.0.0.1", 30000, 10000,
                new byte[]{1, 2}, new byte[]{3});
        var dynamic = new GroupRecord.MemberValue("m-2", null, "client", "/10.0.0.2", 30000, 10000,
                new byte[0], new byte[0]);
        var record = new GroupRecord.GroupMetadata("grp", Optional.of(new GroupRecord.GroupMetadataValue(
                "consumer", 5, "range", "m-1", 123, List.of(member, dynamic))));
        var decoded = (GroupRecord.GroupMetadata) roundTrip(record).orElseThrow();
        var v = decoded.value().orElseThrow();
        assertThat(v.protocolType()).isEqualTo("consumer");
        assertThat(v.generation()).isEqualTo(5);
        assertThat(v.protocolName()).isEqualTo("range");
        assertThat(v.leader()).isEqualTo("m-1");
        assertThat(v.currentStateTimestamp()).isEqualTo(123);
        assertThat(v.members()).hasSize(2);
        assertThat(v.members().get(0).subscription()).containsExactly(1, 2);
        assertThat(v.members().get(0).assignment()).containsExactly(3);
        assertThat(v.members().get(0).groupInstanceId()).isEqualTo("instance");
        assertThat(v.members().get(1).groupInstanceId()).isNull();

        var empty = new GroupRecord.GroupMetadata("grp", Optional.of(new GroupRecord.GroupMetadataValue(
                "consumer", 6, null, null, 124, List.of())));
        assertThat(roundTrip(empty)).contains(empty);
        assertThat(roundTrip(new GroupRecord.GroupMetadata("grp", Optional.empty())))
                .contains(new GroupRecord.GroupMetadata("grp", Optional.empty()));
    }

    @Test
    void unknownKeyTypesAreSkippedAndGarbageIsCorrupt() {
        ByteBuffer unknownKey = ByteBuffer.allocate(5).putShort((short) 99).putShort((short) 1).put((byte) 'g').flip();
        assertThat(GroupRecordSerde.decode(unknownKey, null)).isEmpty();
        ByteBuffer truncated = ByteBuffer.wrap(new byte[]{0, 1, 0, 9, 'x'});
        assertThatThrownBy(() -> GroupRecordSerde.decode(truncated, null)).isInstanceOf(CorruptRecordException.class);
    }
}
