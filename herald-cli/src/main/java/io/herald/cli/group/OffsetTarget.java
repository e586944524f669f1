package io.herald.cli.group;

/**
 * Where {@code herald group reset-offsets} moves a group's offsets, one of kafka-consumer-groups' reset
 * specifications.
 */
sealed interface OffsetTarget {

    /** The first offset still in the log. */
    record Earliest() implements OffsetTarget {}

    /** The log end offset: nothing left to read. */
    record Latest() implements OffsetTarget {}

    /** An absolute offset, clamped to the log's range. */
    record Offset(long offset) implements OffsetTarget {}

    /** The current committed offset moved by {@code delta} (negative goes back), clamped to the log's range. */
    record ShiftBy(long delta) implements OffsetTarget {}

    /** The first record whose timestamp is at or after {@code epochMillis}, or the log end when none is. */
    record Datetime(long epochMillis) implements OffsetTarget {}
}
