package io.herald.coordinator.runtime;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * How a coordinator's records are stored as the key and value of a Kafka record in its internal topic (a null
 * value is a tombstone, which compaction uses to forget a key). The broker's {@link CoordinatorLog} uses it; the
 * coordinator owns the format.
 *
 * <p>Stateless and thread-safe.
 */
public interface CoordinatorRecordSerde<R> {

    byte[] key(R record);

    /** The value bytes, or null for a tombstone. */
    byte[] value(R record);

    /**
     * Decodes one record read back from the log; empty for a record type this version does not know (skipped,
     * so that a downgrade never stops a partition from loading).
     *
     * @param value null for a tombstone
     */
    Optional<R> decode(ByteBuffer key, ByteBuffer value);
}
