package io.herald.storage.log;

import java.util.Optional;

/** A ListOffsets answer: the record's timestamp, its offset and the leader epoch of its batch. */
public record TimestampAndOffset(long timestamp, long offset, Optional<Integer> leaderEpoch) {}
