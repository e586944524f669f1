package io.herald.group.record;

import io.herald.coordinator.runtime.CoordinatorRecordSerde;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The record formats of {@code __consumer_offsets} behind one serde: a record is routed by its key type
 * ({@link ConsumerGroupRecordSerde#isConsumerGroupKey}, {@link ShareGroupRecordSerde#isShareGroupKey}); a key type
 * no format knows is skipped.
 *
 * <p>Stateless and thread-safe.
 */
public final class GroupCoordinatorRecordSerde implements CoordinatorRecordSerde<GroupCoordinatorRecord> {
    public static final GroupCoordinatorRecordSerde INSTANCE = new GroupCoordinatorRecordSerde();

    private GroupCoordinatorRecordSerde() {
    }

    @Override
    public byte[] key(GroupCoordinatorRecord record) {
        return switch (record) {
            case GroupRecord r -> GroupRecordSerde.key(r);
            case ConsumerGroupRecord r -> ConsumerGroupRecordSerde.key(r);
            case ShareGroupRecord r -> ShareGroupRecordSerde.key(r);
        };
    }

    @Override
    public byte[] value(GroupCoordinatorRecord record) {
        return switch (record) {
            case GroupRecord r -> GroupRecordSerde.value(r);
            case ConsumerGroupRecord r -> ConsumerGroupRecordSerde.value(r);
            case ShareGroupRecord r -> ShareGroupRecordSerde.value(r);
        };
    }

    @Override
    public Optional<GroupCoordinatorRecord> decode(ByteBuffer key, ByteBuffer value) {
        byte[] keyBytes = bytes(key);
        if (ConsumerGroupRecordSerde.isConsumerGroupKey(keyBytes)) {
            return Optional.of(ConsumerGroupRecordSerde.deserialize(keyBytes, value == null ? null : bytes(value)));
        }
        if (ShareGroupRecordSerde.isShareGroupKey(keyBytes)) {
            return Optional.of(ShareGroupRecordSerde.deserialize(keyBytes, value == null ? null : bytes(value)));
        }
        return GroupRecordSerde.decode(ByteBuffer.wrap(keyBytes), value == null ? null : value.duplicate())
                .map(r -> r);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
