package io.herald.it.faults;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Cuts a replica's log bytes (its {@code .log} segment files concatenated in base-offset order) to the batches
 * wholly below a high watermark. Only that prefix is promised to be identical on every replica: beyond it a
 * follower may not have caught up yet, and after a kill -9 a replica may hold a torn or divergent tail that it
 * will truncate.
 *
 * <p>Record batch v2 header, as Kafka lays it out: baseOffset int64, batchLength int32 (bytes after this field),
 * partitionLeaderEpoch int32, magic int8, crc int32, attributes int16, lastOffsetDelta int32, ... Batches are
 * walked by their lengths; a length that runs past the end of the bytes ends the walk (a torn tail). Stateless.
 */
final class LogPrefix {

    private static final int LOG_OVERHEAD = 12; // baseOffset + batchLength
    private static final int LAST_OFFSET_DELTA = 23;

    private LogPrefix() {
    }

    /** The bytes of the whole batches whose last offset is below {@code highWatermark}. */
    static byte[] belowHighWatermark(byte[] log, long highWatermark) {
        ByteBuffer buffer = ByteBuffer.wrap(log);
        int end = 0;
        while (end + LAST_OFFSET_DELTA + 4 <= log.length) {
            long baseOffset = buffer.getLong(end);
            int length = buffer.getInt(end + 8);
            if (length <= 0 || end + LOG_OVERHEAD + (long) length > log.length) {
                break;
            }
            long lastOffset = baseOffset + buffer.getInt(end + LAST_OFFSET_DELTA);
            if (lastOffset >= highWatermark) {
                break;
            }
            end += LOG_OVERHEAD + length;
        }
        return Arrays.copyOf(log, end);
    }

    /** The offset after the last whole batch in {@code log}, i.e. what the prefix covers (0 for none). */
    static long endOffset(byte[] log) {
        ByteBuffer buffer = ByteBuffer.wrap(log);
        int position = 0;
        long next = 0;
        while (position + LAST_OFFSET_DELTA + 4 <= log.length) {
            int length = buffer.getInt(position + 8);
            if (length <= 0 || position + LOG_OVERHEAD + (long) length > log.length) {
                break;
            }
            next = buffer.getLong(position) + buffer.getInt(position + LAST_OFFSET_DELTA) + 1;
            position += LOG_OVERHEAD + length;
        }
        return next;
    }
}
