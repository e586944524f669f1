package io.herald.bench.load;

import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * What one share group's drain of a backlog measured.
 *
 * @param throughput           records delivered at least once and their value bytes, from the first record polled
 *                             to the return of the last commit that acknowledged a record not seen before
 * @param backlog              records in the topic when the drain began (the sum of its end offsets)
 * @param distinct             records delivered at least once; {@code backlog} when the drain is complete
 * @param deliveries           records delivered in all, each redelivery counted again
 * @param redelivered          deliveries whose delivery count was above 1: the broker's own view of a redelivery
 * @param failedAcks           acknowledgements the broker refused, counted per partition of a {@code commitSync()}
 *                             answer (e.g. a lock that had expired); their records are delivered again
 * @param consumersWithRecords consumers that got at least one record, of {@code consumers}
 * @param shareFetches         ShareFetch requests the consumers sent (the client's {@code fetch-total} share fetch
 *                             metric, summed), from joining to closing: empty answers count too
 * @param commitMicros         one value per {@code commitSync()} call: how long it took, in microseconds
 * @param neverDelivered       a few records never delivered ("partition@offset"), for the failure message
 */
public record ShareDrain(Throughput throughput, long backlog, long distinct, long deliveries, long redelivered,
                         long failedAcks, int consumersWithRecords, int consumers, long shareFetches,
                         Histogram commitMicros,
                         List<String> neverDelivered) {

    public ShareDrain {
        if (distinct > backlog || deliveries < distinct) {
            throw new IllegalArgumentException("distinct " + distinct + " of backlog " + backlog + ", deliveries "
                    + deliveries + " (expected: distinct <= backlog and deliveries >= distinct)");
        }
    }

    /** Every record of the backlog was delivered at least once. */
    public boolean complete() {
        return distinct == backlog;
    }

    /** Fails the run unless every record of the backlog was delivered. */
    public void requireComplete() {
        if (!complete()) {
            throw new IllegalStateException("the share group consumed " + distinct + " of " + backlog
                    + " records (" + duplicates() + " duplicate deliveries), then nothing new for "
                    + ShareGroupDrain.STALL_TIMEOUT.toSeconds() + " s or the drain hit its limit of "
                    + LoadGenerator.MAX_SHARE_DRAIN.toMinutes() + " min; never delivered: "
                    + String.join(", ", neverDelivered) + (backlog - distinct > neverDelivered.size() ? ", ..." : ""));
        }
    }

    /** Deliveries of a record beyond its first. */
    public long duplicates() {
        return deliveries - distinct;
    }

    /**
     * Mean records a non-empty poll returned (every non-empty poll is followed by one commitSync): how much a
     * ShareFetch handed one consumer at a time, which bounds a single partition's throughput.
     */
    public double recordsPerPoll() {
        long polls = commitMicros.getTotalCount();
        return polls == 0 ? 0 : (double) deliveries / polls;
    }

    /**
     * Records delivered per ShareFetch request: below {@link #recordsPerPoll()} when the broker answers fetches
     * with nothing (all record locks taken, or another fetch reading the partition) and the consumers fetch again.
     */
    public double recordsPerShareFetch() {
        return shareFetches == 0 ? 0 : (double) deliveries / shareFetches;
    }

    public double drainSeconds() {
        return throughput.nanos() / 1e9;
    }

    public double commitPercentileMillis(double percentile) {
        return commitMicros.getValueAtPercentile(percentile) / 1000.0;
    }
}
