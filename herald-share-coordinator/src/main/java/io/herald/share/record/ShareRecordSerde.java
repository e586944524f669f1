package io.herald.share.record;

import io.herald.common.codec.KeyValueCodec;
import io.herald.common.codec.RecordFormat;
import io.herald.common.codec.RecordFormat.TypeIdWidth;
import io.herald.common.codec.RecordFormat.UnknownTypes;
import io.herald.common.codec.RecordReader;
import io.herald.common.codec.RecordType;
import io.herald.common.codec.RecordWriter;
import io.herald.coordinator.runtime.CoordinatorRecordSerde;
import io.herald.coordinator.share.PersistedBatch;
import io.herald.coordinator.share.SharePartitionKey;
import io.herald.share.state.SharePartitionState;
import io.herald.share.state.ShareStateUpdate;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.CorruptRecordException;

/**
 * Herald's binary format of {@code __share_group_state} records (not Kafka's: only Herald reads these bytes back),
 * framed by {@link KeyValueCodec}. The fields are Kafka's ShareSnapshot and ShareUpdate ones, and the type ids are
 * Kafka's (0 snapshot, 1 update).
 *
 * <pre>
 * key := keyType:int16 groupId:string topicId:uuid partition:int32       (keyType 0 = snapshot, 1 = update)
 * snapshot value (v0) := version:int16 snapshotEpoch:int32 stateEpoch:int32 leaderEpoch:int32 startOffset:int64
 *                        deliveryCompleteCount:int32 createTimestamp:int64 writeTimestamp:int64 count:int32 batch*
 * update value (v0)   := version:int16 snapshotEpoch:int32 leaderEpoch:int32 startOffset:int64
 *                        deliveryCompleteCount:int32 count:int32 batch*
 * batch  := firstOffset:int64 lastOffset:int64 deliveryState:int8 deliveryCount:int16
 * string := len:int16 utf8          uuid := mostSignificantBits:int64 leastSignificantBits:int64
 * </pre>
 *
 * <p>A null value under a snapshot key is a tombstone; an update key always has a value. The two keys of one
 * share-partition differ in their type, so the topic must not be compacted (compaction would keep the newest update
 * and drop the ones before it, which are deltas): {@code __share_group_state} uses {@code cleanup.policy=delete},
 * as in Kafka ({@code ShareStateTopic}).
 *
 * <p>Compatibility ({@link KeyValueCodec}): a later value version only appends fields; a reader of version N reads
 * the prefix it knows of any version &gt;= N. An unknown key type is skipped, so a downgrade never stops a partition
 * from loading. Golden fixtures: {@code golden/share-group-state/} in the tests.
 *
 * <p>Stateless and thread-safe.
 */
public final class ShareRecordSerde implements CoordinatorRecordSerde<ShareRecord> {
    public static final ShareRecordSerde INSTANCE = new ShareRecordSerde();

    static final RecordType SHARE_SNAPSHOT = new RecordType(0, "share-snapshot", (short) 0);
    static final RecordType SHARE_UPDATE = new RecordType(1, "share-update", (short) 0);
    static final RecordFormat FORMAT = RecordFormat.of("__share_group_state record", TypeIdWidth.INT16,
            UnknownTypes.SKIP, SHARE_SNAPSHOT, SHARE_UPDATE);
    private static final KeyValueCodec CODEC = new KeyValueCodec(FORMAT);

    private ShareRecordSerde() {
    }

    @Override
    public byte[] key(ShareRecord record) {
        RecordType type = record instanceof ShareRecord.Update ? SHARE_UPDATE : SHARE_SNAPSHOT;
        SharePartitionKey key = record.key();
        return CODEC.key(type, w -> w.string(key.groupId())
                .uuid(key.topicId().getMostSignificantBits(), key.topicId().getLeastSignificantBits())
                .int32(key.partition()));
    }

    @Override
    public byte[] value(ShareRecord record) {
        return switch (record) {
            case ShareRecord.Snapshot s -> CODEC.value(SHARE_SNAPSHOT, w -> writeSnapshot(w, s.state()));
            case ShareRecord.Update u -> CODEC.value(SHARE_UPDATE, w -> writeUpdate(w, u.update()));
            case ShareRecord.Tombstone t -> null;
        };
    }

    private static void writeSnapshot(RecordWriter w, SharePartitionState s) {
        w.int32(s.snapshotEpoch()).int32(s.stateEpoch()).int32(s.leaderEpoch()).int64(s.startOffset())
                .int32(s.deliveryCompleteCount()).int64(s.createTimestamp()).int64(s.writeTimestamp())
                .list(s.batches(), ShareRecordSerde::writeBatch);
    }

    private static void writeUpdate(RecordWriter w, ShareStateUpdate u) {
        w.int32(u.snapshotEpoch()).int32(u.leaderEpoch()).int64(u.startOffset()).int32(u.deliveryCompleteCount())
                .list(u.batches(), ShareRecordSerde::writeBatch);
    }

    private static void writeBatch(RecordWriter w, PersistedBatch b) {
        w.int64(b.firstOffset()).int64(b.lastOffset()).int8(b.deliveryState()).int16(b.deliveryCount());
    }

    /**
     * Decodes one record; empty for a key type this version does not know. Neither buffer's position moves.
     *
     * @param value the value, or null for a tombstone
     * @throws CorruptRecordException if the bytes do not follow the format
     */
    @Override
    public Optional<ShareRecord> decode(ByteBuffer key, ByteBuffer value) {
        try {
            return CODEC.decode(key, value).map(ShareRecordSerde::read);
        } catch (RuntimeException e) {
            // Kafka's exception: the runtime's load reports it like any corrupt record and retries.
            throw new CorruptRecordException("Undecodable __share_group_state record: " + e);
        }
    }

    private static ShareRecord read(KeyValueCodec.Decoded record) {
        RecordReader k = record.key();
        SharePartitionKey key = new SharePartitionKey(k.string(), k.uuid(Uuid::new), k.int32());
        // v0 is the only version of both values; a later one appended fields, which the v0 prefix ignores.
        if (record.type().equals(SHARE_UPDATE)) {
            RecordReader v = record.value().orElseThrow(() -> new IllegalStateException(
                    "a share-update record without a value")).fields();
            return new ShareRecord.Update(key, new ShareStateUpdate(v.int32(), v.int32(), v.int64(), v.int32(),
                    v.list(ShareRecordSerde::readBatch)));
        }
        return record.value().<ShareRecord>map(value -> {
            RecordReader v = value.fields();
            return new ShareRecord.Snapshot(key, new SharePartitionState(v.int32(), v.int32(), v.int32(), v.int64(),
                    v.int32(), v.int64(), v.int64(), v.list(ShareRecordSerde::readBatch)));
        }).orElseGet(() -> new ShareRecord.Tombstone(key));
    }

    private static PersistedBatch readBatch(RecordReader r) {
        return new PersistedBatch(r.int64(), r.int64(), r.int8(), r.int16());
    }
}
