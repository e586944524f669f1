package io.herald.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Which records of a fixed backlog a share group has delivered, and how often: one delivery counter per offset of
 * each partition, from offset 0 (a fresh topic) up to the partition's end offset right after the fill. A share
 * group promises at-least-once delivery, so a second delivery of an offset is legal (a lock that expired, a
 * consumer that left with records acquired); the ledger counts such duplicates rather than rejecting them. An
 * offset outside the backlog is rejected: something else wrote to the topic, or the broker made an offset up.
 *
 * <p>Thread-safe: the consumer threads of one drain record into it concurrently; every count is exact.
 */
final class DeliveryLedger {
    private final AtomicIntegerArray[] deliveriesByPartition;
    private final long backlog;
    private final AtomicLong distinct = new AtomicLong();
    private final LongAdder deliveries = new LongAdder();

    /** @param endOffsets the end offset of each partition (index = partition) once the backlog was written */
    DeliveryLedger(long[] endOffsets) {
        deliveriesByPartition = new AtomicIntegerArray[endOffsets.length];
        long sum = 0;
        for (int p = 0; p < endOffsets.length; p++) {
            if (endOffsets[p] < 0 || endOffsets[p] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("end offset of partition " + p + ": " + endOffsets[p]
                        + " (expected: 0 to " + Integer.MAX_VALUE + ")");
            }
            deliveriesByPartition[p] = new AtomicIntegerArray((int) endOffsets[p]);
            sum += endOffsets[p];
        }
        backlog = sum;
    }

    /** Counts one delivery of {@code offset} of {@code partition}; true if it is that record's first. */
    boolean record(int partition, long offset) {
        if (partition < 0 || partition >= deliveriesByPartition.length
                || offset < 0 || offset >= deliveriesByPartition[partition].length()) {
            throw new IllegalStateException("delivered partition " + partition + " offset " + offset
                    + ", which is not in the backlog (" + describe() + ")");
        }
        deliveries.increment();
        if (deliveriesByPartition[partition].getAndIncrement((int) offset) == 0) {
            distinct.incrementAndGet();
            return true;
        }
        return false;
    }

    long backlog() {
        return backlog;
    }

    /** Records delivered at least once. */
    long distinct() {
        return distinct.get();
    }

    /** Deliveries in all, duplicates included. */
    long deliveries() {
        return deliveries.sum();
    }

    boolean complete() {
        return distinct.get() == backlog;
    }

    /** Up to {@code max} records never delivered, as "partition@offset", for a failure message. */
    List<String> missing(int max) {
        List<String> out = new ArrayList<>();
        for (int p = 0; p < deliveriesByPartition.length && out.size() < max; p++) {
            AtomicIntegerArray counts = deliveriesByPartition[p];
            for (int o = 0; o < counts.length() && out.size() < max; o++) {
                if (counts.get(o) == 0) {
                    out.add(p + "@" + o);
                }
            }
        }
        return out;
    }

    private String describe() {
        StringBuilder s = new StringBuilder("end offsets");
        for (int p = 0; p < deliveriesByPartition.length; p++) {
            s.append(p == 0 ? " " : ", ").append(p).append(':').append(deliveriesByPartition[p].length());
        }
        return s.toString();
    }
}
