package io.herald.group.offsets;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * A committed offset.
 *
 * @param offset          the next offset to consume
 * @param leaderEpoch     the leader epoch of the last consumed record, or -1
 * @param metadata        client metadata (never null; Kafka stores null as "")
 * @param commitTimestamp when the coordinator accepted the commit
 * @param expireTimestamp explicit expiry (OffsetCommit v1-v4 retention time), if any
 */
public record OffsetAndMetadata(long offset, int leaderEpoch, String metadata, long commitTimestamp,
                                OptionalLong expireTimestamp) {
    public OffsetAndMetadata {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(expireTimestamp, "expireTimestamp");
    }
}
