package io.herald.broker.delay;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;

/**
 * The records of the timer log {@code __herald_delayed}, one Kafka record each. The record key holds a version
 * byte ({@value #VERSION}), a type byte and the type's fields; the value and headers of a {@link Schedule} are the
 * delayed record's own, so the timer log stores a record's bytes once.
 *
 * <ul>
 *   <li>{@link Schedule}: a record to append to {@code target} at {@code dueMs}, with the producer fields that
 *       detect a retried produce; of type {@value #TXN_SCHEDULE} when it was produced in a transaction, with the
 *       offset of the producer's (gapped) batch in the target, whose transaction decides whether it is released;</li>
 *   <li>a schedule {@value #MOVED}: written again at the log end by the timer leader, with the original's
 *       offset, so that the log start can move past a record pending for long;</li>
 *   <li>{@link Intent}: the timer leader is about to release these scheduled records (by timer offset) to these
 *       targets, each as one idempotent batch of the given producer id and base sequence, so that a successor can
 *       send the very same batch again and the target drops it if it is there already. Intents of type
 *       {@value #SCANNED_INTENT} (written before batches were idempotent) name each target's high watermark
 *       before the release instead, where a successor looks for the records;</li>
 *   <li>{@link Released}: these scheduled records are in their targets (the outcome of the last intent).</li>
 * </ul>
 *
 * <p>Thread-safety: immutable values, stateless codec.
 */
public sealed interface TimerRecord {
    byte VERSION = 0;

    /**
     * The scheduling facts of a {@link Schedule}, read without its payload.
     *
     * @param transactionOffset where the producer's batch is in {@code target} when it was produced in a
     *                          transaction: released only once that transaction committed; -1 outside one
     */
    record ScheduleMeta(TopicPartition target, long dueMs, long producerId, short producerEpoch, int sequence,
                        long timestamp, long transactionOffset) {
        boolean transactional() {
            return transactionOffset >= 0;
        }
    }

    /** A delayed record, with its own key, value and headers. */
    record Schedule(ScheduleMeta meta, ByteBuffer key, ByteBuffer value, Header[] headers) implements TimerRecord {}

    /** A release about to happen: per target, where to look afterwards and which timer offsets go there. */
    record Intent(List<Target> targets) implements TimerRecord {
        public Intent {
            targets = List.copyOf(targets);
        }
    }

    /**
     * @param producerId   the producer id of the released batch (epoch 0), -1 in a {@value #SCANNED_INTENT}
     * @param baseSequence the batch's first sequence
     * @param scanFrom     in a {@value #SCANNED_INTENT}: the target's high watermark before the release, after which
     *                     the released records are; -1 otherwise
     */
    record Target(TopicPartition partition, List<Long> offsets, long producerId, int baseSequence, long scanFrom) {
        public Target {
            offsets = List.copyOf(offsets);
        }

        /** A target of an idempotent release. */
        static Target idempotent(TopicPartition partition, List<Long> offsets, long producerId, int baseSequence) {
            return new Target(partition, offsets, producerId, baseSequence, -1);
        }

        boolean idempotent() {
            return producerId >= 0;
        }
    }

    /** Scheduled records (timer offsets) that are in their targets now. */
    record Released(List<Long> offsets) implements TimerRecord {
        public Released {
            offsets = List.copyOf(offsets);
        }
    }

    byte SCHEDULE = 0;
    /** An intent whose successor scans the targets (written by earlier versions; read, never written). */
    byte SCANNED_INTENT = 1;
    byte RELEASED = 2;
    byte TXN_SCHEDULE = 3;
    byte MOVED = 4;
    byte INTENT = 5;

    /** The record key of a schedule: the scheduling facts and the delayed record's own key. */
    static ByteBuffer scheduleKey(ScheduleMeta m, ByteBuffer key) {
        return key(m, key, m.transactional() ? TXN_SCHEDULE : SCHEDULE, -1);
    }

    /**
     * The record key of a schedule written again at the log end ({@value #MOVED}), so that the log start can move
     * past the original at {@code from}: the same facts and payload; applying it replaces the original.
     */
    static ByteBuffer movedKey(ScheduleMeta m, ByteBuffer key, long from) {
        return key(m, key, MOVED, from);
    }

    private static ByteBuffer key(ScheduleMeta m, ByteBuffer key, byte type, long from) {
        byte[] topic = m.target().topic().getBytes(StandardCharsets.UTF_8);
        int keyLength = key == null ? -1 : key.remaining();
        ByteBuffer b = ByteBuffer.allocate(2 + 2 + topic.length + 4 + 8 + 8 + 2 + 4 + 8 + 8 + 8 + 4
                + Math.max(0, keyLength));
        b.put(VERSION).put(type).putShort((short) topic.length).put(topic)
                .putInt(m.target().partition()).putLong(m.dueMs()).putLong(m.producerId())
                .putShort(m.producerEpoch()).putInt(m.sequence()).putLong(m.timestamp());
        if (type != SCHEDULE) {
            b.putLong(m.transactionOffset());
        }
        if (type == MOVED) {
            b.putLong(from);
        }
        b.putInt(keyLength);
        if (key != null) {
            b.put(key.duplicate());
        }
        return b.flip();
    }

    /** Where the schedule a {@value #MOVED} record replaces was. */
    static long movedFrom(Record r) {
        ByteBuffer k = key(r);
        k.position(k.position() + 2);
        readMeta(k, TXN_SCHEDULE);
        return k.getLong();
    }

    /**
     * The timer-log batch that schedules {@code split}'s delayed records for {@code target}, written at
     * {@code nowMs}; {@code transactionOffset} is the offset of the producer's batch in the target when the split
     * batch is transactional (-1 otherwise).
     */
    static MemoryRecords scheduleBatch(TopicPartition target, DelaySplit.Split split, long nowMs,
                                       long transactionOffset) {
        int size = 256;
        for (DelaySplit.DelayedRecord r : split.delayed()) {
            size += 96 + target.topic().length() + remaining(r.key()) + remaining(r.value()) + 64 * r.headers().length;
        }
        MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(size), Compression.NONE,
                TimestampType.CREATE_TIME, 0L);
        for (DelaySplit.DelayedRecord r : split.delayed()) {
            ScheduleMeta meta = new ScheduleMeta(target, r.dueMs(), split.producerId(), split.producerEpoch(),
                    r.sequence(), r.timestamp(), transactionOffset);
            b.append(nowMs, scheduleKey(meta, r.key()), r.value(), r.headers());
        }
        return b.build();
    }

    private static int remaining(ByteBuffer b) {
        return b == null ? 0 : b.remaining();
    }

    /** The record key of an intent or a released record: its type alone (the value holds the fields). */
    static ByteBuffer controlKey(byte type) {
        return ByteBuffer.allocate(2).put(VERSION).put(type).flip();
    }

    /** The value of an {@value #INTENT}: per target its partition, producer id, base sequence and timer offsets. */
    static ByteBuffer intentValue(Intent intent) {
        int size = 4;
        for (Target t : intent.targets()) {
            size += 2 + t.partition().topic().getBytes(StandardCharsets.UTF_8).length + 4 + 8 + 4 + 4
                    + 8 * t.offsets().size();
        }
        ByteBuffer b = ByteBuffer.allocate(size).putInt(intent.targets().size());
        for (Target t : intent.targets()) {
            if (!t.idempotent()) {
                throw new IllegalArgumentException("an intent's targets are idempotent batches: " + t);
            }
            byte[] topic = t.partition().topic().getBytes(StandardCharsets.UTF_8);
            b.putShort((short) topic.length).put(topic).putInt(t.partition().partition()).putLong(t.producerId())
                    .putInt(t.baseSequence()).putInt(t.offsets().size());
            t.offsets().forEach(b::putLong);
        }
        return b.flip();
    }

    static ByteBuffer releasedValue(Released released) {
        ByteBuffer b = ByteBuffer.allocate(4 + 8 * released.offsets().size()).putInt(released.offsets().size());
        released.offsets().forEach(b::putLong);
        return b.flip();
    }

    /** The type of a timer-log record. */
    static byte type(Record r) {
        ByteBuffer k = key(r);
        byte version = k.get(k.position());
        if (version != VERSION || k.remaining() < 2) {
            throw new CorruptRecordException("Timer record of version " + version + " (expected " + VERSION + ")");
        }
        return k.get(k.position() + 1);
    }

    /** A schedule's facts, without reading its payload. */
    static ScheduleMeta scheduleMeta(Record r) {
        ByteBuffer k = key(r);
        byte type = k.get(k.position() + 1);
        k.position(k.position() + 2);
        return readMeta(k, type);
    }

    /** A whole schedule: facts, key, value and headers. */
    static Schedule schedule(Record r) {
        ByteBuffer k = key(r);
        byte type = k.get(k.position() + 1);
        k.position(k.position() + 2);
        ScheduleMeta meta = readMeta(k, type);
        int keyLength = k.getInt();
        ByteBuffer key = keyLength < 0 ? null : k.slice(k.position(), keyLength);
        return new Schedule(meta, key, r.value(), r.headers());
    }

    /** An {@value #INTENT} or a {@value #SCANNED_INTENT}. */
    static Intent intent(Record r) {
        boolean scanned = type(r) == SCANNED_INTENT;
        ByteBuffer v = r.value().duplicate();
        int n = v.getInt();
        List<Target> targets = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            TopicPartition tp = new TopicPartition(string(v), v.getInt());
            long producerId = -1;
            int baseSequence = -1;
            long scanFrom = -1;
            if (scanned) {
                scanFrom = v.getLong();
            } else {
                producerId = v.getLong();
                baseSequence = v.getInt();
            }
            int count = v.getInt();
            List<Long> offsets = new ArrayList<>(count);
            for (int j = 0; j < count; j++) {
                offsets.add(v.getLong());
            }
            targets.add(new Target(tp, offsets, producerId, baseSequence, scanFrom));
        }
        return new Intent(targets);
    }

    static Released released(Record r) {
        ByteBuffer v = r.value().duplicate();
        int n = v.getInt();
        List<Long> offsets = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            offsets.add(v.getLong());
        }
        return new Released(offsets);
    }

    private static ScheduleMeta readMeta(ByteBuffer k, byte type) {
        TopicPartition target = new TopicPartition(string(k), k.getInt());
        long dueMs = k.getLong();
        long producerId = k.getLong();
        short epoch = k.getShort();
        int sequence = k.getInt();
        long timestamp = k.getLong();
        long transactionOffset = type == SCHEDULE ? -1 : k.getLong();
        if (type == MOVED) {
            k.getLong(); // the original's offset (movedFrom)
        }
        return new ScheduleMeta(target, dueMs, producerId, epoch, sequence, timestamp, transactionOffset);
    }

    private static String string(ByteBuffer b) {
        byte[] bytes = new byte[b.getShort()];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static ByteBuffer key(Record r) {
        if (!r.hasKey()) {
            throw new CorruptRecordException("Timer record without key");
        }
        return r.key().duplicate();
    }
}
