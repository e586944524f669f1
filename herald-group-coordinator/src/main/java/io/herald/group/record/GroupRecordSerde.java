package io.herald.group.record;

import io.herald.group.offsets.OffsetAndMetadata;
import io.herald.common.codec.KeyValueCodec;
import io.herald.common.codec.RecordFormat;
import io.herald.common.codec.RecordFormat.TypeIdWidth;
import io.herald.common.codec.RecordFormat.UnknownTypes;
import io.herald.common.codec.RecordReader;
import io.herald.common.codec.RecordType;
import io.herald.common.codec.RecordWriter;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.common.errors.CorruptRecordException;

/**
 * Herald's binary format for {@code __consumer_offsets} records of classic groups (not Kafka's: these bytes
 * are read back only by Herald; tools that dump the topic see opaque bytes), framed by {@link KeyValueCodec}.
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
 * <p>A null value is a tombstone. Compatibility rule ({@link KeyValueCodec}): a later value version may only
 * append fields, so a reader of version N decodes the prefix it knows of any version &gt;= N; version 0 is the
 * only one so far. The key has no version; a new kind of record gets a new key type, and {@link #decode} skips
 * key types it does not know (a downgrade must not make the coordinator fail to load). The consumer group
 * records of {@code modern.ConsumerGroupRecordSerde} share the topic with disjoint key types.
 *
 * <p>Golden fixtures: {@code golden/consumer-offsets-classic/} in the tests. Stateless and thread-safe.
 */
public final class GroupRecordSerde {
    private static final int OFFSET_COMMIT_ID = 1;
    private static final int GROUP_METADATA_ID = 2;

    static final RecordType OFFSET_COMMIT = new RecordType(OFFSET_COMMIT_ID, "offset-commit", (short) 0);
    static final RecordType GROUP_METADATA = new RecordType(GROUP_METADATA_ID, "group-metadata", (short) 0);
    /** The key types; disjoint from {@code ConsumerGroupRecordSerde.FORMAT}'s, which share the topic. */
    static final RecordFormat FORMAT = RecordFormat.of("__consumer_offsets group record", TypeIdWidth.INT16,
            UnknownTypes.SKIP, OFFSET_COMMIT, GROUP_METADATA);
    private static final KeyValueCodec CODEC = new KeyValueCodec(FORMAT);

    private GroupRecordSerde() {
    }

    public static byte[] key(GroupRecord record) {
        return switch (record) {
            case GroupRecord.OffsetCommit oc -> CODEC.key(OFFSET_COMMIT,
                    w -> w.string(oc.groupId()).string(oc.topic()).int32(oc.partition()));
            case GroupRecord.GroupMetadata gm -> CODEC.key(GROUP_METADATA, w -> w.string(gm.groupId()));
        };
    }

    /** The value bytes, or null for a tombstone. */
    public static byte[] value(GroupRecord record) {
        return switch (record) {
            case GroupRecord.OffsetCommit oc -> oc.value()
                    .map(v -> CODEC.value(OFFSET_COMMIT, w -> writeOffsetValue(w, v))).orElse(null);
            case GroupRecord.GroupMetadata gm -> gm.value()
                    .map(v -> CODEC.value(GROUP_METADATA, w -> writeGroupValue(w, v))).orElse(null);
        };
    }

    private static void writeOffsetValue(RecordWriter w, OffsetAndMetadata v) {
        w.int64(v.offset()).int32(v.leaderEpoch()).string(v.metadata()).int64(v.commitTimestamp())
                .int64(v.expireTimestamp().orElse(-1));
    }

    private static void writeGroupValue(RecordWriter w, GroupRecord.GroupMetadataValue v) {
        w.string(v.protocolType()).int32(v.generation()).nullableString(v.protocolName())
                .nullableString(v.leader()).int64(v.currentStateTimestamp())
                .list(v.members(), GroupRecordSerde::writeMember);
    }

    private static void writeMember(RecordWriter w, GroupRecord.MemberValue m) {
        w.string(m.memberId()).nullableString(m.groupInstanceId()).string(m.clientId()).string(m.clientHost())
                .int32(m.rebalanceTimeoutMs()).int32(m.sessionTimeoutMs()).bytes(m.subscription())
                .bytes(m.assignment());
    }

    /**
     * Decodes one record; empty for a key type this version does not know. Neither buffer's position moves.
     *
     * @param value the value, or null for a tombstone
     * @throws CorruptRecordException if the bytes do not follow the format
     */
    public static Optional<GroupRecord> decode(ByteBuffer key, ByteBuffer value) {
        try {
            return CODEC.decode(key, value).map(GroupRecordSerde::read);
        } catch (RuntimeException e) {
            // Kafka's exception: the coordinator's loading answers and logs it like any corrupt record.
            throw new CorruptRecordException("Undecodable __consumer_offsets record: " + e);
        }
    }

    private static GroupRecord read(KeyValueCodec.Decoded record) {
        RecordReader key = record.key();
        String group = key.string();
        // Every value version so far is v0 or a later one that appended fields: read by the v0 prefix.
        Optional<RecordReader> value = record.value().map(KeyValueCodec.Value::fields);
        return switch (record.type().id()) {
            case OFFSET_COMMIT_ID -> new GroupRecord.OffsetCommit(group, key.string(), key.int32(),
                    value.map(GroupRecordSerde::readOffsetValue));
            case GROUP_METADATA_ID -> new GroupRecord.GroupMetadata(group, value.map(GroupRecordSerde::readGroupValue));
            default -> throw new IllegalStateException("type " + record.type() + " is registered but not decoded");
        };
    }

    private static OffsetAndMetadata readOffsetValue(RecordReader v) {
        long offset = v.int64();
        int epoch = v.int32();
        String metadata = v.nullableString();
        long commit = v.int64();
        long expire = v.int64();
        // Null metadata is read as "", as Kafka stores it; no writer of this format produced it.
        return new OffsetAndMetadata(offset, epoch, metadata == null ? "" : metadata, commit,
                expire < 0 ? OptionalLong.empty() : OptionalLong.of(expire));
    }

    private static GroupRecord.GroupMetadataValue readGroupValue(RecordReader v) {
        String protocolType = v.nullableString();
        int generation = v.int32();
        String protocolName = v.nullableString();
        String leader = v.nullableString();
        long stateTimestamp = v.int64();
        var members = v.list(GroupRecordSerde::readMember);
        return new GroupRecord.GroupMetadataValue(protocolType == null ? "" : protocolType, generation,
                protocolName, leader, stateTimestamp, members);
    }

    private static GroupRecord.MemberValue readMember(RecordReader v) {
        return new GroupRecord.MemberValue(v.string(), v.nullableString(), v.string(), v.string(), v.int32(),
                v.int32(), v.bytes(), v.bytes());
    }
}
