package io.herald.group.record;

import io.herald.group.offsets.OffsetAndMetadata;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.common.errors.CorruptRecordException;

/**
 * Herald's binary format for {@code __consumer_offsets} records (not Kafka's: these bytes are read back only
 * by Herald; tools that dump the topic see opaque bytes).
 *
 * <pre>
 * key   := keyType:int16 group:string [topic:string partition:int32]   (keyType 1 = offset commit,
 *                                                                        keyType 2 = group metadata)
 * offset commit value (v0) := version:int16 offset:int64 leaderEpoch:int32 metadata:string
 *                             commitTimestamp:int64 expireTimestamp:int64 (-1 = none)
 * group metadata value (v0) := version:int16 protocolType:string generation:int32 protocolName:nstring
 *                              leader:nstring currentStateTimestamp:int64 count:int32 member*
 * member := memberId:string instanceId:nstring clientId:string clientHost:string rebalanceTimeout:int32
 *           sessionTimeout:int32 subscription:bytes assignment:bytes
 * string := len:int16 utf8 (nstring: len -1 = null); bytes := len:int32 raw
 * </pre>
 *
 * <p>A null value is a tombstone. Compatibility rule: a later value version may only append fields, so a
 * reader of version N decodes the prefix it knows of any version &gt;= N. The key has no version; a new kind
 * of record gets a new key type, and {@link #decode} skips key types it does not know (a downgrade must not
 * make the coordinator fail to load).
 *
 * <p>Stateless and thread-safe.
 */
public final class GroupRecordSerde {
    static final short OFFSET_COMMIT_KEY = 1;
    static final short GROUP_METADATA_KEY = 2;
    private static final short VALUE_VERSION = 0;

    private GroupRecordSerde() {
    }

    public static byte[] key(GroupRecord record) {
        Writer w = new Writer();
        switch (record) {
            case GroupRecord.OffsetCommit oc -> {
                w.int16(OFFSET_COMMIT_KEY).string(oc.groupId()).string(oc.topic()).int32(oc.partition());
            }
            case GroupRecord.GroupMetadata gm -> w.int16(GROUP_METADATA_KEY).string(gm.groupId());
        }
        return w.toBytes();
    }

    /** The value bytes, or null for a tombstone. */
    public static byte[] value(GroupRecord record) {
        return switch (record) {
            case GroupRecord.OffsetCommit oc -> oc.value().map(GroupRecordSerde::offsetValue).orElse(null);
            case GroupRecord.GroupMetadata gm -> gm.value().map(GroupRecordSerde::groupValue).orElse(null);
        };
    }

    private static byte[] offsetValue(OffsetAndMetadata v) {
        return new Writer().int16(VALUE_VERSION).int64(v.offset()).int32(v.leaderEpoch()).string(v.metadata())
                .int64(v.commitTimestamp()).int64(v.expireTimestamp().orElse(-1)).toBytes();
    }

    private static byte[] groupValue(GroupRecord.GroupMetadataValue v) {
        Writer w = new Writer().int16(VALUE_VERSION).string(v.protocolType()).int32(v.generation())
                .string(v.protocolName()).string(v.leader()).int64(v.currentStateTimestamp())
                .int32(v.members().size());
        for (GroupRecord.MemberValue m : v.members()) {
            w.string(m.memberId()).string(m.groupInstanceId()).string(m.clientId()).string(m.clientHost())
                    .int32(m.rebalanceTimeoutMs()).int32(m.sessionTimeoutMs()).bytes(m.subscription())
                    .bytes(m.assignment());
        }
        return w.toBytes();
    }

    /**
     * Decodes one record; empty for a key type this version does not know.
     *
     * @throws CorruptRecordException if the bytes do not follow the format
     */
    public static Optional<GroupRecord> decode(ByteBuffer key, ByteBuffer value) {
        try {
            short type = key.getShort();
            String group = readString(key);
            return switch (type) {
                case OFFSET_COMMIT_KEY -> {
                    String topic = readString(key);
                    int partition = key.getInt();
                    yield Optional.of(new GroupRecord.OffsetCommit(group, topic, partition,
                            value == null ? Optional.empty() : Optional.of(readOffsetValue(value))));
                }
                case GROUP_METADATA_KEY -> Optional.of(new GroupRecord.GroupMetadata(group,
                        value == null ? Optional.empty() : Optional.of(readGroupValue(value))));
                default -> Optional.empty();
            };
        } catch (RuntimeException e) {
            throw new CorruptRecordException("Undecodable __consumer_offsets record: " + e);
        }
    }

    private static OffsetAndMetadata readOffsetValue(ByteBuffer b) {
        readVersion(b);
        long offset = b.getLong();
        int epoch = b.getInt();
        String metadata = readString(b);
        long commit = b.getLong();
        long expire = b.getLong();
        return new OffsetAndMetadata(offset, epoch, metadata == null ? "" : metadata, commit,
                expire < 0 ? OptionalLong.empty() : OptionalLong.of(expire));
    }

    private static GroupRecord.GroupMetadataValue readGroupValue(ByteBuffer b) {
        readVersion(b);
        String protocolType = readString(b);
        int generation = b.getInt();
        String protocolName = readString(b);
        String leader = readString(b);
        long stateTimestamp = b.getLong();
        int count = b.getInt();
        if (count < 0 || count > b.remaining()) {
            throw new IllegalArgumentException("member count " + count);
        }
        List<GroupRecord.MemberValue> members = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            members.add(new GroupRecord.MemberValue(readString(b), readString(b), readString(b), readString(b),
                    b.getInt(), b.getInt(), readBytes(b), readBytes(b)));
        }
        return new GroupRecord.GroupMetadataValue(protocolType == null ? "" : protocolType, generation,
                protocolName, leader, stateTimestamp, members);
    }

    private static void readVersion(ByteBuffer b) {
        short version = b.getShort();
        if (version < 0) {
            throw new IllegalArgumentException("value version " + version + " (expected: >= 0)");
        }
    }

    private static String readString(ByteBuffer b) {
        short len = b.getShort();
        if (len < 0) {
            return null;
        }
        byte[] bytes = new byte[len];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] readBytes(ByteBuffer b) {
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) {
            throw new IllegalArgumentException("bytes length " + len + " (remaining: " + b.remaining() + ")");
        }
        byte[] bytes = new byte[len];
        b.get(bytes);
        return bytes;
    }

    /** Growable big-endian writer. */
    private static final class Writer {
        private ByteBuffer buf = ByteBuffer.allocate(64);

        private void ensure(int n) {
            if (buf.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n));
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
        }

        Writer int16(short v) {
            ensure(2);
            buf.putShort(v);
            return this;
        }

        Writer int32(int v) {
            ensure(4);
            buf.putInt(v);
            return this;
        }

        Writer int64(long v) {
            ensure(8);
            buf.putLong(v);
            return this;
        }

        Writer string(String s) {
            if (s == null) {
                return int16((short) -1);
            }
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > Short.MAX_VALUE) {
                throw new IllegalArgumentException("string of " + bytes.length + " bytes (expected: <= 32767)");
            }
            int16((short) bytes.length);
            ensure(bytes.length);
            buf.put(bytes);
            return this;
        }

        Writer bytes(byte[] bytes) {
            int32(bytes.length);
            ensure(bytes.length);
            buf.put(bytes);
            return this;
        }

        byte[] toBytes() {
            byte[] out = new byte[buf.position()];
            buf.flip();
            buf.get(out);
            return out;
        }
    }
}
