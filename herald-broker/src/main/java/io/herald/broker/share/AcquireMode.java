package io.herald.broker.share;

import java.util.Optional;

/**
 * How a fetch acquires records (ShareFetch v2's ShareAcquireMode, KIP-1206): {@code batch_optimized} (0, the
 * default) acquires whole log batches, so MaxRecords may be exceeded to a batch boundary; {@code record_limit} (1)
 * acquires at most MaxRecords records and leaves the rest of a batch available.
 */
public enum AcquireMode {
    BATCH_OPTIMIZED((byte) 0),
    RECORD_LIMIT((byte) 1);

    private final byte id;

    AcquireMode(byte id) {
        this.id = id;
    }

    public byte id() {
        return id;
    }

    public static Optional<AcquireMode> forId(byte id) {
        return switch (id) {
            case 0 -> Optional.of(BATCH_OPTIMIZED);
            case 1 -> Optional.of(RECORD_LIMIT);
            default -> Optional.empty();
        };
    }
}
