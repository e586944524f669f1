package io.herald.storage.index;

/** An offset index entry: {@code offset} is at byte {@code position} of the segment's log file. */
public record OffsetPosition(long offset, int position) {}
