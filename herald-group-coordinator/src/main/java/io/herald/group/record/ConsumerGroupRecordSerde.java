package io.herald.group.record;

import io.herald.group.consumer.TopicPartitionSets;
import io.herald.group.consumer.MemberState;
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
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * Binary layout of {@link ConsumerGroupRecord}s in {@code __consumer_offsets}.
 *
 * <p><b>Key</b>: {@code int16 type}, then {@code string groupId}, then for member-scoped types
 * {@code string memberId}. The type numbers are those Kafka gives the same facts (3 group epoch,
 * 5 member metadata, 6 target assignment epoch, 7 target assignment member, 8 current member
 * assignment), so they do not collide with the classic group's keys (0/1 offset commit, 2 group
 * metadata) sharing the topic. The field encodings are Herald's own, not Kafka's schemas.
 *
 * <p><b>Value</b>: {@code int16 version} (currently 0) then the fields in declaration order;
 * strings are {@code int16 length + UTF-8} with length -1 for absent; a partition map is
 * {@code int32 topics, then per topic: uuid (2 × int64), int32 count, int32 partitions…}, sorted.
 * Compatibility rule (the same as the classic group records'): a later value version may only
 * append fields, so this reader decodes the prefix it knows of any version &gt;= 0 and ignores
 * the rest; a negative version is corrupt.
 *
 * <p>Stateless, thread-safe.
 */
public final class ConsumerGroupRecordSerde {

    public static final short GROUP_EPOCH_TYPE = 3;
    public static final short MEMBER_METADATA_TYPE = 5;
    public static final short TARGET_ASSIGNMENT_EPOCH_TYPE = 6;
    public static final short TARGET_ASSIGNMENT_MEMBER_TYPE = 7;
    public static final short CURRENT_ASSIGNMENT_TYPE = 8;

    private static final short VALUE_VERSION = 0;

    private ConsumerGroupRecordSerde() {
    }

    /** Whether a key read from {@code __consumer_offsets} belongs to a consumer group record. */
    public static boolean isConsumerGroupKey(byte[] key) {
        if (key == null || key.length < 2) {
            return false;
        }
        short type = ByteBuffer.wrap(key).getShort();
        return type == GROUP_EPOCH_TYPE || type == MEMBER_METADATA_TYPE || type == TARGET_ASSIGNMENT_EPOCH_TYPE
                || type == TARGET_ASSIGNMENT_MEMBER_TYPE || type == CURRENT_ASSIGNMENT_TYPE;
    }

    public static byte[] key(ConsumerGroupRecord record) {
        return write(out -> {
            switch (record) {
                case GroupEpoch r -> groupKey(out, GROUP_EPOCH_TYPE, r.groupId());
                case GroupDeleted r -> groupKey(out, GROUP_EPOCH_TYPE, r.groupId());
                case TargetAssignmentEpoch r -> groupKey(out, TARGET_ASSIGNMENT_EPOCH_TYPE, r.groupId());
                case TargetAssignmentEpochRemoved r -> groupKey(out, TARGET_ASSIGNMENT_EPOCH_TYPE, r.groupId());
                case MemberMetadata r -> memberKey(out, MEMBER_METADATA_TYPE, r.groupId(), r.memberId());
                case MemberRemoved r -> memberKey(out, MEMBER_METADATA_TYPE, r.groupId(), r.memberId());
                case TargetAssignmentMember r -> memberKey(out, TARGET_ASSIGNMENT_MEMBER_TYPE, r.groupId(), r.memberId());
                case TargetAssignmentMemberRemoved r ->
                        memberKey(out, TARGET_ASSIGNMENT_MEMBER_TYPE, r.groupId(), r.memberId());
                case CurrentAssignment r -> memberKey(out, CURRENT_ASSIGNMENT_TYPE, r.groupId(), r.memberId());
                case CurrentAssignmentRemoved r -> memberKey(out, CURRENT_ASSIGNMENT_TYPE, r.groupId(), r.memberId());
            }
        });
    }

    /** The value bytes, or null for the tombstone records. */
    public static byte[] value(ConsumerGroupRecord record) {
        return switch (record) {
            case GroupDeleted r -> null;
            case TargetAssignmentEpochRemoved r -> null;
            case MemberRemoved r -> null;
            case TargetAssignmentMemberRemoved r -> null;
            case CurrentAssignmentRemoved r -> null;
            case GroupEpoch r -> write(out -> {
                out.writeShort(VALUE_VERSION);
                out.writeInt(r.epoch());
                out.writeLong(r.metadataHash());
            });
            case TargetAssignmentEpoch r -> write(out -> {
                out.writeShort(VALUE_VERSION);
                out.writeInt(r.epoch());
            });
            case MemberMetadata r -> write(out -> {
                out.writeShort(VALUE_VERSION);
                writeString(out, r.instanceId().orElse(null));
                writeString(out, r.rackId().orElse(null));
                writeString(out, r.clientId());
                writeString(out, r.clientHost());
                out.writeInt(r.subscribedTopicNames().size());
                for (String name : r.subscribedTopicNames()) {
                    writeString(out, name);
                }
                writeString(out, r.subscribedTopicRegex().orElse(null));
                writeString(out, r.serverAssignor().orElse(null));
                out.writeInt(r.rebalanceTimeoutMs());
            });
            case TargetAssignmentMember r -> write(out -> {
                out.writeShort(VALUE_VERSION);
                writePartitions(out, r.partitions());
            });
            case CurrentAssignment r -> write(out -> {
                out.writeShort(VALUE_VERSION);
                out.writeInt(r.memberEpoch());
                out.writeInt(r.previousMemberEpoch());
                out.writeByte(r.state().code());
                writePartitions(out, r.assigned());
                writePartitions(out, r.partitionsPendingRevocation());
            });
        };
    }

    /**
     * Reads a record back.
     *
     * @throws IllegalArgumentException if the key is not a consumer group key, the value version
     *     is negative or the bytes are truncated
     */
    public static ConsumerGroupRecord deserialize(byte[] key, byte[] value) {
        try {
            ByteBuffer k = ByteBuffer.wrap(key);
            short type = k.getShort();
            String groupId = readString(k);
            ByteBuffer v = value == null ? null : ByteBuffer.wrap(value);
            if (v != null) {
                short version = v.getShort();
                if (version < 0) {
                    throw new IllegalArgumentException("value version " + version + " for key type " + type
                            + " (expected: >= 0)");
                }
            }
            return switch (type) {
                case GROUP_EPOCH_TYPE -> v == null ? new GroupDeleted(groupId) : new GroupEpoch(groupId, v.getInt(), v.getLong());
                case TARGET_ASSIGNMENT_EPOCH_TYPE ->
                        v == null ? new TargetAssignmentEpochRemoved(groupId) : new TargetAssignmentEpoch(groupId, v.getInt());
                case MEMBER_METADATA_TYPE -> {
                    String memberId = readString(k);
                    if (v == null) {
                        yield new MemberRemoved(groupId, memberId);
                    }
                    Optional<String> instanceId = Optional.ofNullable(readString(v));
                    Optional<String> rackId = Optional.ofNullable(readString(v));
                    String clientId = readString(v);
                    String clientHost = readString(v);
                    int n = v.getInt();
                    List<String> names = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        names.add(readString(v));
                    }
                    Optional<String> regex = Optional.ofNullable(readString(v));
                    Optional<String> assignor = Optional.ofNullable(readString(v));
                    yield new MemberMetadata(groupId, memberId, instanceId, rackId, clientId, clientHost, names,
                            regex, assignor, v.getInt());
                }
                case TARGET_ASSIGNMENT_MEMBER_TYPE -> {
                    String memberId = readString(k);
                    yield v == null
                            ? new TargetAssignmentMemberRemoved(groupId, memberId)
                            : new TargetAssignmentMember(groupId, memberId, readPartitions(v));
                }
                case CURRENT_ASSIGNMENT_TYPE -> {
                    String memberId = readString(k);
                    if (v == null) {
                        yield new CurrentAssignmentRemoved(groupId, memberId);
                    }
                    int epoch = v.getInt();
                    int previous = v.getInt();
                    MemberState state = MemberState.fromCode(v.get());
                    yield new CurrentAssignment(groupId, memberId, epoch, previous, state, readPartitions(v),
                            readPartitions(v));
                }
                default -> throw new IllegalArgumentException(
                        "not a consumer group key type: " + type + " (expected: 3, 5, 6, 7 or 8)");
            };
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated consumer group record", e);
        }
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen with an in-memory stream
        }
        return bytes.toByteArray();
    }

    private static void groupKey(DataOutputStream out, short type, String groupId) throws IOException {
        out.writeShort(type);
        writeString(out, groupId);
    }

    private static void memberKey(DataOutputStream out, short type, String groupId, String memberId)
            throws IOException {
        groupKey(out, type, groupId);
        writeString(out, memberId);
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeShort(-1);
            return;
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > Short.MAX_VALUE) {
            throw new IllegalArgumentException("string too long: " + utf8.length + " bytes (expected: <= 32767)");
        }
        out.writeShort(utf8.length);
        out.write(utf8);
    }

    private static String readString(ByteBuffer in) {
        short length = in.getShort();
        if (length < 0) {
            return null;
        }
        byte[] utf8 = new byte[length];
        in.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    private static void writePartitions(DataOutputStream out, Map<Uuid, Set<Integer>> partitions) throws IOException {
        out.writeInt(partitions.size());
        for (var entry : new TreeMap<>(partitions).entrySet()) {
            out.writeLong(entry.getKey().getMostSignificantBits());
            out.writeLong(entry.getKey().getLeastSignificantBits());
            out.writeInt(entry.getValue().size());
            for (int p : new TreeSet<>(entry.getValue())) {
                out.writeInt(p);
            }
        }
    }

    private static Map<Uuid, Set<Integer>> readPartitions(ByteBuffer in) {
        int topics = in.getInt();
        Map<Uuid, Set<Integer>> out = new TreeMap<>();
        for (int t = 0; t < topics; t++) {
            Uuid topicId = new Uuid(in.getLong(), in.getLong());
            int count = in.getInt();
            Set<Integer> partitions = new TreeSet<>();
            for (int i = 0; i < count; i++) {
                partitions.add(in.getInt());
            }
            out.put(topicId, partitions);
        }
        return TopicPartitionSets.normalize(out);
    }
}
