package io.herald.group.record;

import io.herald.group.consumer.MemberState;
import io.herald.group.consumer.TopicPartitionSets;
import io.herald.group.record.ConsumerGroupRecord.CurrentAssignment;
import io.herald.group.record.ConsumerGroupRecord.CurrentAssignmentRemoved;
import io.herald.group.record.ConsumerGroupRecord.GroupDeleted;
import io.herald.group.record.ConsumerGroupRecord.GroupEpoch;
import io.herald.group.record.ConsumerGroupRecord.MemberMetadata;
import io.herald.group.record.ConsumerGroupRecord.MemberRemoved;
import io.herald.group.record.ConsumerGroupRecord.TargetAssignmentEpoch;
import io.herald.group.record.ConsumerGroupRecord.TargetAssignmentEpochRemoved;
import io.herald.group.record.ConsumerGroupRecord.TargetAssignmentMember;
import io.herald.group.record.ConsumerGroupRecord.TargetAssignmentMemberRemoved;
import io.herald.common.codec.CorruptRecordException;
import io.herald.common.codec.KeyValueCodec;
import io.herald.common.codec.RecordFormat;
import io.herald.common.codec.RecordFormat.TypeIdWidth;
import io.herald.common.codec.RecordFormat.UnknownTypes;
import io.herald.common.codec.RecordReader;
import io.herald.common.codec.RecordType;
import io.herald.common.codec.RecordWriter;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.kafka.common.Uuid;

/**
 * Binary layout of {@link ConsumerGroupRecord}s in {@code __consumer_offsets}, framed by {@link KeyValueCodec}.
 *
 * <p><b>Key</b>: {@code int16 type}, then {@code string groupId}, then for member-scoped types
 * {@code string memberId}. The type numbers are those Kafka gives the same facts (3 group epoch,
 * 5 member metadata, 6 target assignment epoch, 7 target assignment member, 8 current member
 * assignment), so they do not collide with the classic group's keys (1 offset commit, 2 group
 * metadata) sharing the topic. The field encodings are Herald's own, not Kafka's schemas.
 *
 * <p><b>Value</b>: {@code int16 version} (currently 0) then the fields in declaration order;
 * strings are {@code int16 length + UTF-8} with length -1 for absent; a partition map is
 * {@code int32 topics, then per topic: uuid (2 × int64), int32 count, int32 partitions…}, sorted.
 * Compatibility rule (the same as the classic group records'): a later value version may only
 * append fields, so this reader decodes the prefix it knows of any version &gt;= 0 and ignores
 * the rest; a negative version is corrupt. A key type other than these five is rejected: callers
 * route by {@link #isConsumerGroupKey} first.
 *
 * <p>Golden fixtures: {@code golden/consumer-offsets-consumer-group/} in the tests. Stateless, thread-safe.
 */
public final class ConsumerGroupRecordSerde {

    public static final short GROUP_EPOCH_TYPE = 3;
    public static final short MEMBER_METADATA_TYPE = 5;
    public static final short TARGET_ASSIGNMENT_EPOCH_TYPE = 6;
    public static final short TARGET_ASSIGNMENT_MEMBER_TYPE = 7;
    public static final short CURRENT_ASSIGNMENT_TYPE = 8;

    static final RecordType GROUP_EPOCH = new RecordType(GROUP_EPOCH_TYPE, "group-epoch", (short) 0);
    static final RecordType MEMBER_METADATA = new RecordType(MEMBER_METADATA_TYPE, "member-metadata", (short) 0);
    static final RecordType TARGET_ASSIGNMENT_EPOCH =
            new RecordType(TARGET_ASSIGNMENT_EPOCH_TYPE, "target-assignment-epoch", (short) 0);
    static final RecordType TARGET_ASSIGNMENT_MEMBER =
            new RecordType(TARGET_ASSIGNMENT_MEMBER_TYPE, "target-assignment-member", (short) 0);
    static final RecordType CURRENT_ASSIGNMENT =
            new RecordType(CURRENT_ASSIGNMENT_TYPE, "current-assignment", (short) 0);
    /** The key types, disjoint from those of the classic group records that share the topic. */
    public static final RecordFormat FORMAT = RecordFormat.of("__consumer_offsets consumer group record",
            TypeIdWidth.INT16, UnknownTypes.REJECT, GROUP_EPOCH, MEMBER_METADATA, TARGET_ASSIGNMENT_EPOCH,
            TARGET_ASSIGNMENT_MEMBER, CURRENT_ASSIGNMENT);
    private static final KeyValueCodec CODEC = new KeyValueCodec(FORMAT);

    private ConsumerGroupRecordSerde() {
    }

    /** Whether a key read from {@code __consumer_offsets} belongs to a consumer group record. */
    public static boolean isConsumerGroupKey(byte[] key) {
        return CODEC.typeOf(key).isPresent();
    }

    public static byte[] key(ConsumerGroupRecord record) {
        return switch (record) {
            case GroupEpoch r -> groupKey(GROUP_EPOCH, r.groupId());
            case GroupDeleted r -> groupKey(GROUP_EPOCH, r.groupId());
            case TargetAssignmentEpoch r -> groupKey(TARGET_ASSIGNMENT_EPOCH, r.groupId());
            case TargetAssignmentEpochRemoved r -> groupKey(TARGET_ASSIGNMENT_EPOCH, r.groupId());
            case MemberMetadata r -> memberKey(MEMBER_METADATA, r.groupId(), r.memberId());
            case MemberRemoved r -> memberKey(MEMBER_METADATA, r.groupId(), r.memberId());
            case TargetAssignmentMember r -> memberKey(TARGET_ASSIGNMENT_MEMBER, r.groupId(), r.memberId());
            case TargetAssignmentMemberRemoved r -> memberKey(TARGET_ASSIGNMENT_MEMBER, r.groupId(), r.memberId());
            case CurrentAssignment r -> memberKey(CURRENT_ASSIGNMENT, r.groupId(), r.memberId());
            case CurrentAssignmentRemoved r -> memberKey(CURRENT_ASSIGNMENT, r.groupId(), r.memberId());
        };
    }

    /** The value bytes, or null for the tombstone records. */
    public static byte[] value(ConsumerGroupRecord record) {
        return switch (record) {
            case GroupDeleted r -> null;
            case TargetAssignmentEpochRemoved r -> null;
            case MemberRemoved r -> null;
            case TargetAssignmentMemberRemoved r -> null;
            case CurrentAssignmentRemoved r -> null;
            case GroupEpoch r -> value(GROUP_EPOCH, w -> w.int32(r.epoch()).int64(r.metadataHash()));
            case TargetAssignmentEpoch r -> value(TARGET_ASSIGNMENT_EPOCH, w -> w.int32(r.epoch()));
            case MemberMetadata r -> value(MEMBER_METADATA, w -> w
                    .nullableString(r.instanceId().orElse(null))
                    .nullableString(r.rackId().orElse(null))
                    .string(r.clientId())
                    .string(r.clientHost())
                    .list(r.subscribedTopicNames(), RecordWriter::string)
                    .nullableString(r.subscribedTopicRegex().orElse(null))
                    .nullableString(r.serverAssignor().orElse(null))
                    .int32(r.rebalanceTimeoutMs()));
            case TargetAssignmentMember r -> value(TARGET_ASSIGNMENT_MEMBER, w -> writePartitions(w, r.partitions()));
            case CurrentAssignment r -> value(CURRENT_ASSIGNMENT, w -> {
                w.int32(r.memberEpoch()).int32(r.previousMemberEpoch()).int8(r.state().code());
                writePartitions(w, r.assigned());
                writePartitions(w, r.partitionsPendingRevocation());
            });
        };
    }

    /**
     * Reads a record back.
     *
     * @throws IllegalArgumentException if the key is not a consumer group key, the value version
     *     is negative or the bytes are truncated or otherwise corrupt
     */
    public static ConsumerGroupRecord deserialize(byte[] key, byte[] value) {
        try {
            // REJECT: an unknown type throws instead of being empty.
            KeyValueCodec.Decoded record = CODEC.decode(ByteBuffer.wrap(key),
                    value == null ? null : ByteBuffer.wrap(value)).orElseThrow();
            return read(record);
        } catch (CorruptRecordException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static ConsumerGroupRecord read(KeyValueCodec.Decoded record) {
        RecordReader k = record.key();
        String groupId = k.string();
        // Version 0 is the only one; a later one only appended fields, so v0's prefix is read.
        RecordReader v = record.value().map(KeyValueCodec.Value::fields).orElse(null);
        return switch (record.type().id()) {
            case GROUP_EPOCH_TYPE ->
                    v == null ? new GroupDeleted(groupId) : new GroupEpoch(groupId, v.int32(), v.int64());
            case TARGET_ASSIGNMENT_EPOCH_TYPE -> v == null
                    ? new TargetAssignmentEpochRemoved(groupId)
                    : new TargetAssignmentEpoch(groupId, v.int32());
            case MEMBER_METADATA_TYPE -> {
                String memberId = k.string();
                yield v == null ? new MemberRemoved(groupId, memberId) : new MemberMetadata(groupId, memberId,
                        Optional.ofNullable(v.nullableString()), Optional.ofNullable(v.nullableString()), v.string(),
                        v.string(), v.list(RecordReader::string), Optional.ofNullable(v.nullableString()),
                        Optional.ofNullable(v.nullableString()), v.int32());
            }
            case TARGET_ASSIGNMENT_MEMBER_TYPE -> {
                String memberId = k.string();
                yield v == null
                        ? new TargetAssignmentMemberRemoved(groupId, memberId)
                        : new TargetAssignmentMember(groupId, memberId, readPartitions(v));
            }
            case CURRENT_ASSIGNMENT_TYPE -> {
                String memberId = k.string();
                if (v == null) {
                    yield new CurrentAssignmentRemoved(groupId, memberId);
                }
                int epoch = v.int32();
                int previous = v.int32();
                MemberState state = readState(v);
                yield new CurrentAssignment(groupId, memberId, epoch, previous, state, readPartitions(v),
                        readPartitions(v));
            }
            default -> throw new IllegalStateException("type " + record.type() + " is registered but not decoded");
        };
    }

    private static byte[] value(RecordType type, Consumer<RecordWriter> fields) {
        return CODEC.value(type, fields);
    }

    private static byte[] groupKey(RecordType type, String groupId) {
        return CODEC.key(type, w -> w.string(groupId));
    }

    private static byte[] memberKey(RecordType type, String groupId, String memberId) {
        return CODEC.key(type, w -> w.string(groupId).string(memberId));
    }

    private static MemberState readState(RecordReader v) {
        int at = v.position();
        byte code = v.int8();
        try {
            return MemberState.fromCode(code);
        } catch (IllegalArgumentException e) {
            throw v.corrupt(at, e.getMessage());
        }
    }

    private static void writePartitions(RecordWriter w, Map<Uuid, Set<Integer>> partitions) {
        // Sorted here too, so that equal assignments give equal bytes whatever map the caller built.
        w.map(new TreeMap<>(partitions),
                (out, topicId) -> out.uuid(topicId.getMostSignificantBits(), topicId.getLeastSignificantBits()),
                (out, set) -> out.list(new TreeSet<>(set), RecordWriter::int32));
    }

    private static Map<Uuid, Set<Integer>> readPartitions(RecordReader in) {
        TreeMap<Uuid, Set<Integer>> partitions = in.map(TreeMap::new, r -> r.uuid(Uuid::new),
                r -> new TreeSet<>(r.list(RecordReader::int32)));
        return TopicPartitionSets.normalize(partitions);
    }
}
