package io.herald.bench.load;

import java.util.OptionalInt;
import java.util.Set;
import org.apache.kafka.common.IsolationLevel;

/**
 * One thing the benchmark measures. Every run of a workload gets a fresh broker with an empty data directory and
 * one topic, {@link #topic()}, with the configured partition count. The set of cases is closed: the report
 * lays each out differently.
 */
public sealed interface Workload {

    /** The tag of the workloads that use Kafka transactions, for {@code --only txn}. */
    String TRANSACTIONAL_TAG = "txn";

    /** Short name used in the report, the progress bar and {@code --only}. */
    String name();

    default String topic() {
        return "bench-" + name();
    }

    /** The brokers it runs on and the replication of its topic. */
    default Deployment deployment() {
        return Deployment.SINGLE_BROKER;
    }

    /** Partitions of the bench topic when they are not the bench's usual count (num.partitions, 6). */
    default OptionalInt topicPartitions() {
        return OptionalInt.empty();
    }

    /**
     * Families the workload belongs to beyond what its name says, which {@code --only} matches as well as the name:
     * {@value #TRANSACTIONAL_TAG} for every workload that writes transactionally, including the consume workload
     * whose name says only how it reads.
     */
    default Set<String> tags() {
        return Set.of();
    }

    /**
     * Produce as fast as one producer can for a fixed time; throughput counts records acknowledged after the
     * warm-up.
     *
     * @param acks       "1" or "all"
     * @param deployment one broker, or a cluster with a replicated topic (the producer bootstraps from every node)
     */
    record Produce(String name, int recordSize, String acks, Deployment deployment) implements Workload {
    }

    /**
     * Produce as fast as one transactional producer can for a fixed time: {@code recordsPerTransaction} records,
     * then {@code commitTransaction()}, again and again (acks=all and idempotence, which transactions imply).
     * Throughput counts the records of the transactions begun after the warm-up, up to the end of the last commit;
     * the commit latency is the duration of each {@code commitTransaction()} call, which includes sending what the
     * producer still buffers (up to linger.ms) as well as EndTxn.
     */
    record TransactionalProduce(String name, int recordSize, int recordsPerTransaction) implements Workload {

        public TransactionalProduce {
            if (recordsPerTransaction < 1) {
                throw new IllegalArgumentException("recordsPerTransaction: " + recordsPerTransaction
                        + " (expected: >= 1)");
            }
        }

        @Override
        public Set<String> tags() {
            return Set.of(TRANSACTIONAL_TAG);
        }
    }

    /**
     * Fill the topic with {@code records} records as {@code fill} says, then read them all back with one consumer
     * at {@code isolation} that {@code assign()}s every partition and seeks to the beginning (no group), twice: the
     * first read warms the benchmark JVM's consumer code, the second is timed.
     *
     * @param deployment one broker, over PLAINTEXT or TLS
     */
    record Consume(String name, int recordSize, long records, Fill fill, IsolationLevel isolation,
                   Deployment deployment) implements Workload {

        /** On a single broker over PLAINTEXT. */
        public Consume(String name, int recordSize, long records, Fill fill, IsolationLevel isolation) {
            this(name, recordSize, records, fill, isolation, Deployment.SINGLE_BROKER);
        }

        /** This workload with another record count (--quick fills fewer). */
        public Consume withRecords(long count) {
            return new Consume(name, recordSize, count, fill, isolation, deployment);
        }

        @Override
        public Set<String> tags() {
            return fill instanceof Fill.Transactional ? Set.of(TRANSACTIONAL_TAG) : Set.of();
        }
    }

    /** How a consume workload's topic is written before it is read. */
    sealed interface Fill {

        /** One acks=1 producer (acks=1 turns the client's default idempotence off): data batches only. */
        record Plain() implements Fill {
        }

        /**
         * One transactional producer committing every {@code recordsPerTransaction} records: every partition a
         * transaction wrote gets a commit marker, so the log interleaves data batches and control batches, and a
         * read_committed consumer reads up to the last stable offset and skips the markers.
         */
        record Transactional(int recordsPerTransaction) implements Fill {

            public Transactional {
                if (recordsPerTransaction < 1) {
                    throw new IllegalArgumentException("recordsPerTransaction: " + recordsPerTransaction
                            + " (expected: >= 1)");
                }
            }
        }
    }

    /**
     * Produce at a fixed rate and consume in the same process; latency = consume time - intended send time
     * (stamped into the record, so a stalled producer cannot hide latency: no coordinated omission). The rate is
     * {@code fractionOfPeak} of the lower of the two brokers' median throughputs in {@code peakSource}, so both
     * brokers get the same absolute load.
     */
    record EndToEndLatency(String name, int recordSize, String acks, double fractionOfPeak, Produce peakSource)
            implements Workload {
    }

    /**
     * Fill a topic of {@code partitions} partitions with {@code records} records (one acks=1 producer), then drain
     * that backlog with one share group (KIP-932) of {@code consumers} {@code KafkaShareConsumer}s, one thread each,
     * in explicit acknowledgement mode: every record polled is acknowledged ACCEPT, then {@code commitSync()} sends
     * the acknowledgements and waits for the broker's answer. Throughput runs from the first record polled to the
     * return of the commit that acknowledged the last record not yet seen; every offset of the backlog must have
     * been delivered, and deliveries of an offset beyond its first are counted as duplicates.
     */
    record ShareConsume(String name, int recordSize, long records, int partitions, int consumers)
            implements Workload {

        public ShareConsume {
            if (records < 1) {
                throw new IllegalArgumentException("records: " + records + " (expected: >= 1)");
            }
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions: " + partitions + " (expected: >= 1)");
            }
            if (consumers < 1) {
                throw new IllegalArgumentException("consumers: " + consumers + " (expected: >= 1)");
            }
        }

        @Override
        public OptionalInt topicPartitions() {
            return OptionalInt.of(partitions);
        }
    }
}
