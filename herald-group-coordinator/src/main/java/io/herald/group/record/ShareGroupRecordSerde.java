package io.herald.group.record;

import io.herald.common.codec.CorruptRecordException;
import io.herald.common.codec.KeyValueCodec;
import io.herald.common.codec.RecordFormat;
import io.herald.common.codec.RecordFormat.TypeIdWidth;
import io.herald.common.codec.RecordFormat.UnknownTypes;
import io.herald.common.codec.RecordReader;
import io.herald.common.codec.RecordType;
import io.herald.common.codec.RecordWriter;
import io.herald.group.consumer.TopicPartitionSets;
import io.herald.group.record.ShareGroupRecord.CurrentAssignment;
import io.herald.group.record.ShareGroupRecord.CurrentAssignmentRemoved;
import io.herald.group.record.ShareGroupRecord.GroupDeleted;
import io.herald.group.record.ShareGroupRecord.GroupEpoch;
import io.herald.group.record.ShareGroupRecord.MemberMetadata;
import io.herald.group.record.ShareGroupRecord.MemberRemoved;
import io.herald.group.record.ShareGroupRecord.StatePartitions;
import io.herald.group.record.ShareGroupRecord.StatePartitionsRemoved;
import io.herald.group.record.ShareGroupRecord.TargetAssignmentEpoch;
import io.herald.group.record.ShareGroupRecord.TargetAssignmentEpochRemoved;
import io.herald.group.record.ShareGroupRecord.TargetAssignmentMember;
import io.herald.group.record.ShareGroupRecord.TargetAssignmentMemberRemoved;
import io.herald.group.record.ShareGroupRecord.TopicPartitions;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.kafka.common.Uuid;

/**
 * Binary layout of {@link ShareGroupRecord}s in {@code __consumer_offsets}, framed by {@link KeyValueCodec}.
 *
 * <pre>
 * key   := keyType:int16 groupId:string [memberId:string]      (member-scoped types carry the member id)
 * value := version:int16 fields                                (null value = tombstone)
 *
 * 10 member metadata (v0)        := rackId:nstring clientId:string clientHost:string topics:list&lt;string&gt;
 * 11 group epoch (v0)            := epoch:int32 metadataHash:int64
 * 12 target assignment epoch (v0):= epoch:int32
 * 13 target assignment member(v0):= partitions
 * 14 current assignment (v0)     := memberEpoch:int32 previousMemberEpoch:int32 partitions
 * 15 state partitions (v0)       := initializing:topics initialized:topics deleting:topics
 *
 * partitions := count:int32 (topicId:uuid list&lt;int32&gt;)*          sorted by topic id, then partition
 * topics     := count:int32 (topicId:uuid name:string list&lt;int32&gt;)*
 * list&lt;T&gt;    := count:int32 T*;  string := len:int16 utf8 (nstring: len -1 = absent);  uuid := 2 x int64
 * </pre>
 *
 * <p>The key type numbers are those Kafka gives the same facts ({@code ShareGroupMemberMetadataKey} 10 ...
 * {@code ShareGroupStatePartitionMetadataKey} 15), disjoint from the classic group records (1, 2) and the
 * consumer group records (3, 5-8) sharing the topic; the field encodings are Herald's own. Compatibility rule (that
 * of the other {@code __consumer_offsets} formats): a later value version may only append fields, so this reader
 * decodes the prefix it knows of any version &gt;= 0; a negative version is corrupt. A key type other than these
 * six is rejected: callers route by {@link #isShareGroupKey} first.
 *
 * <p>Golden fixtures: {@code golden/consumer-offsets-share-group/} in the tests. Stateless, thread-safe.
 */
public final class ShareGroupRecordSerde {

    public static final short MEMBER_METADATA_TYPE = 10;
    public static final short GROUP_EPOCH_TYPE = 11;
    public static final short TARGET_ASSIGNMENT_EPOCH_TYPE = 12;
    public static final short TARGET_ASSIGNMENT_MEMBER_TYPE = 13;
    public static final short CURRENT_ASSIGNMENT_TYPE = 14;
    public static final short STATE_PARTITIONS_TYPE = 15;

    static final RecordType MEMBER_METADATA =
            new RecordType(MEMBER_METADATA_TYPE, "share-member-metadata", (short) 0);
    static final RecordType GROUP_EPOCH = new RecordType(GROUP_EPOCH_TYPE, "share-group-epoch", (short) 0);
    static final RecordType TARGET_ASSIGNMENT_EPOCH =
            new RecordType(TARGET_ASSIGNMENT_EPOCH_TYPE, "share-target-assignment-epoch", (short) 0);
    static final RecordType TARGET_ASSIGNMENT_MEMBER =
            new RecordType(TARGET_ASSIGNMENT_MEMBER_TYPE, "share-target-assignment-member", (short) 0);
    static final RecordType CURRENT_ASSIGNMENT =
            new RecordType(CURRENT_ASSIGNMENT_TYPE, "share-current-assignment", (short) 0);
    static final RecordType STATE_PARTITIONS =
            new RecordType(STATE_PARTITIONS_TYPE, "share-state-partitions", (short) 0);
    /** The key types, disjoint from those of the classic and consumer group records that share the topic. */
    public static final RecordFormat FORMAT = RecordFormat.of("__consumer_offsets share group record",
            TypeIdWidth.INT16, UnknownTypes.REJECT, MEMBER_METADATA, GROUP_EPOCH, TARGET_ASSIGNMENT_EPOCH,
            TARGET_ASSIGNMENT_MEMBER, CURRENT_ASSIGNMENT, STATE_PARTITIONS);
    private static final KeyValueCodec CODEC = new KeyValueCodec(FORMAT);

    private ShareGroupRecordSerde() {
    }

    /** Whether a key read from {@code __consumer_offsets} belongs to a share group record. */
    public static boolean isShareGroupKey(byte[] key) {
        return CODEC.typeOf(key).isPresent();
    }

    public static byte[] key(ShareGroupRecord record) {
        return switch (record) {
            case GroupEpoch r -> groupKey(GROUP_EPOCH, r.groupId());
            case GroupDeleted r -> groupKey(GROUP_EPOCH, r.groupId());
            case TargetAssignmentEpoch r -> groupKey(TARGET_ASSIGNMENT_EPOCH, r.groupId());
            case TargetAssignmentEpochRemoved r -> groupKey(TARGET_ASSIGNMENT_EPOCH, r.groupId());
            case StatePartitions r -> groupKey(STATE_PARTITIONS, r.groupId());
            case StatePartitionsRemoved r -> groupKey(STATE_PARTITIONS, r.groupId());
            case MemberMetadata r -> memberKey(MEMBER_METADATA, r.groupId(), r.memberId());
            case MemberRemoved r -> memberKey(MEMBER_METADATA, r.groupId(), r.memberId());
            case TargetAssignmentMember r -> memberKey(TARGET_ASSIGNMENT_MEMBER, r.groupId(), r.memberId());
            case TargetAssignmentMemberRemoved r -> memberKey(TARGET_ASSIGNMENT_MEMBER, r.groupId(), r.memberId());
            case CurrentAssignment r -> memberKey(CURRENT_ASSIGNMENT, r.groupId(), r.memberId());
            case CurrentAssignmentRemoved r -> memberKey(CURRENT_ASSIGNMENT, r.groupId(), r.memberId());
        };
    }

    /** The value bytes, or null for the tombstone records. */
    public static byte[] value(ShareGroupRecord record) {
        return switch (record) {
            case GroupDeleted r -> null;
            case TargetAssignmentEpochRemoved r -> null;
            case StatePartitionsRemoved r -> null;
            case MemberRemoved r -> null;
            case TargetAssignmentMemberRemoved r -> null;
            case CurrentAssignmentRemoved r -> null;
            case GroupEpoch r -> value(GROUP_EPOCH, w -> w.int32(r.epoch()).int64(r.metadataHash()));
            case TargetAssignmentEpoch r -> value(TARGET_ASSIGNMENT_EPOCH, w -> w.int32(r.epoch()));
            case MemberMetadata r -> value(MEMBER_METADATA, w -> w
                    .nullableString(r.rackId().orElse(null))
                    .string(r.clientId())
                    .string(r.clientHost())
                    .list(r.subscribedTopicNames(), RecordWriter::string));
            case TargetAssignmentMember r -> value(TARGET_ASSIGNMENT_MEMBER, w -> writePartitions(w, r.partitions()));
            case CurrentAssignment r -> value(CURRENT_ASSIGNMENT, w -> {
                w.int32(r.memberEpoch()).int32(r.previousMemberEpoch());
                writePartitions(w, r.assigned());
            });
            case StatePartitions r -> value(STATE_PARTITIONS, w -> {
                writeTopics(w, r.initializing());
                writeTopics(w, r.initialized());
                writeTopics(w, r.deleting());
            });
        };
    }

    /**
     * Reads a record back.
     *
     * @throws IllegalArgumentException if the key is not a share group key, the value version is negative or the
     *     bytes are truncated or otherwise corrupt
     */
    public static ShareGroupRecord deserialize(byte[] key, byte[] value) {
        try {
            // REJECT: an unknown type throws instead of being empty.
            KeyValueCodec.Decoded record = CODEC.decode(ByteBuffer.wrap(key),
                    value == null ? null : ByteBuffer.wrap(value)).orElseThrow();
            return read(record);
        } catch (CorruptRecordException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static ShareGroupRecord read(KeyValueCodec.Decoded record) {
        RecordReader k = record.key();
        String groupId = k.string();
        // Version 0 is the only one; a later one only appended fields, so v0's prefix is read.
        RecordReader v = record.value().map(KeyValueCodec.Value::fields).orElse(null);
        return switch (record.type().id()) {
            case GROUP_EPOCH_TYPE -> v == null ? new GroupDeleted(groupId) : new GroupEpoch(groupId, v.int32(), v.int64());
            case TARGET_ASSIGNMENT_EPOCH_TYPE -> v == null
                    ? new TargetAssignmentEpochRemoved(groupId) : new TargetAssignmentEpoch(groupId, v.int32());
            case STATE_PARTITIONS_TYPE -> v == null ? new StatePartitionsRemoved(groupId)
                    : new StatePartitions(groupId, readTopics(v), readTopics(v), readTopics(v));
            case MEMBER_METADATA_TYPE -> {
                String memberId = k.string();
                yield v == null ? new MemberRemoved(groupId, memberId)
                        : new MemberMetadata(groupId, memberId, Optional.ofNullable(v.nullableString()), v.string(),
                        v.string(), v.list(RecordReader::string));
            }
            case TARGET_ASSIGNMENT_MEMBER_TYPE -> {
                String memberId = k.string();
                yield v == null ? new TargetAssignmentMemberRemoved(groupId, memberId)
                        : new TargetAssignmentMember(groupId, memberId, readPartitions(v));
            }
            case CURRENT_ASSIGNMENT_TYPE -> {
                String memberId = k.string();
                if (v == null) {
                    yield new CurrentAssignmentRemoved(groupId, memberId);
                }
                int epoch = v.int32();
                int previous = v.int32();
                yield new CurrentAssignment(groupId, memberId, epoch, previous, readPartitions(v));
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

    private static void writeUuid(RecordWriter w, Uuid id) {
        w.uuid(id.getMostSignificantBits(), id.getLeastSignificantBits());
    }

    private static void writePartitions(RecordWriter w, Map<Uuid, Set<Integer>> partitions) {
        // Sorted here too, so that equal assignments give equal bytes whatever map the caller built.
        w.map(new TreeMap<>(partitions), ShareGroupRecordSerde::writeUuid,
                (out, set) -> out.list(new TreeSet<>(set), RecordWriter::int32));
    }

    private static Map<Uuid, Set<Integer>> readPartitions(RecordReader in) {
        TreeMap<Uuid, Set<Integer>> partitions = in.map(TreeMap::new, r -> r.uuid(Uuid::new),
                r -> new TreeSet<>(r.list(RecordReader::int32)));
        return TopicPartitionSets.normalize(partitions);
    }

    private static void writeTopics(RecordWriter w, Map<Uuid, TopicPartitions> topics) {
        w.map(new TreeMap<>(topics), ShareGroupRecordSerde::writeUuid,
                (out, tp) -> out.string(tp.topicName()).list(tp.partitions(), RecordWriter::int32));
    }

    private static Map<Uuid, TopicPartitions> readTopics(RecordReader in) {
        return in.map(TreeMap::new, r -> r.uuid(Uuid::new),
                r -> new TopicPartitions(r.string(), new TreeSet<>(r.list(RecordReader::int32))));
    }
}
