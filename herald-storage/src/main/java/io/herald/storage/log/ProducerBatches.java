package io.herald.storage.log;

import io.herald.storage.producer.ProducerBatch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;

/**
 * Turns the batches of an append, or of a segment being replayed, into what producer state needs to know of them.
 * Only control batches are looked into (one small record each): an end marker's type, coordinator epoch and
 * timestamp live in its record.
 *
 * <p>A batch without producer id contributes nothing, and so does a control batch that is not an end marker
 * (Kafka's other control types never carry a producer id) or is empty (the cleaner removed its record once the
 * transaction's data was gone: Kafka treats it as nothing to apply either).
 *
 * <p>Thread-safety: stateless.
 */
final class ProducerBatches {
    private ProducerBatches() {
    }

    /** The producer batches among {@code headers}, whose batches lie one after the other in {@code buffer}. */
    static List<ProducerBatch> of(ByteBuffer buffer, List<BatchHeader> headers) {
        List<ProducerBatch> out = new ArrayList<>(headers.size());
        int position = buffer.position();
        for (BatchHeader h : headers) {
            if (h.hasProducerId()) {
                Optional<ProducerBatch> batch = h.isControl()
                    ? marker(h, slice(buffer, position, h.sizeInBytes()))
                    : Optional.of(data(h));
                batch.ifPresent(out::add);
            }
            position += h.sizeInBytes();
        }
        return out;
    }

    /** The producer batch of the batch at {@code position} of {@code segment}, if it is one. */
    static Optional<ProducerBatch> of(LogSegment segment, int position, BatchHeader h) throws IOException {
        if (!h.hasProducerId()) {
            return Optional.empty();
        }
        if (!h.isControl()) {
            return Optional.of(data(h));
        }
        return marker(h, segment.readBatch(position, h.sizeInBytes()));
    }

    private static ProducerBatch data(BatchHeader h) {
        return new ProducerBatch.Data(h.producerId(), h.producerEpoch(), h.baseSequence(), h.lastSequence(),
            h.baseOffset(), h.lastOffset(), h.maxTimestamp(), h.isTransactional());
    }

    private static Optional<ProducerBatch> marker(BatchHeader h, MutableRecordBatch batch) {
        Iterator<Record> records = batch.iterator();
        if (!records.hasNext()) {
            return Optional.empty();
        }
        Record record = records.next();
        ControlRecordType type = ControlRecordType.parse(record.key());
        if (type != ControlRecordType.COMMIT && type != ControlRecordType.ABORT) {
            return Optional.empty();
        }
        EndTransactionMarker marker = EndTransactionMarker.deserialize(record);
        return Optional.of(new ProducerBatch.Marker(h.producerId(), h.producerEpoch(), h.baseOffset(),
            marker.coordinatorEpoch(), type, record.timestamp(), (short) 0));
    }

    private static MutableRecordBatch slice(ByteBuffer buffer, int position, int size) {
        ByteBuffer slice = buffer.duplicate().position(position).limit(position + size).slice();
        return MemoryRecords.readableRecords(slice).batches().iterator().next();
    }
}
