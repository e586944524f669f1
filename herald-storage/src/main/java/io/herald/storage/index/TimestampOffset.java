package io.herald.storage.index;

/** A time index entry: the largest timestamp seen up to and including {@code offset}. */
public record TimestampOffset(long timestamp, long offset) {}
