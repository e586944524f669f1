package io.herald.it.faults;

import io.herald.it.AckingProducer;
import io.herald.it.ClusterChecks;
import io.herald.it.ClusterHarness;
import io.herald.it.ClusterNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The campaign's workload on one topic: an idempotent acks=all {@link AckingProducer} streaming over every
 * partition and a {@link GroupCommitter} consuming and committing, both started at construction. {@link
 * #finish} stops them, lets the cluster settle, reads everything back and hands it all to {@link FaultChecker}.
 *
 * <p>Problems found while finishing (a send error, an ISR that does not refill) become notes on the outcome
 * rather than exceptions, so a scenario still gets its full table row; the scenario then fails on them.
 *
 * <p>Not thread-safe: drive it from the test thread.
 */
final class FaultWorkload implements AutoCloseable {

    /** What a scenario measured: the checker's report and anything that went wrong around it. */
    /**
     * @param notes        what went wrong outside the checker (fails the scenario)
     * @param observations what was measured on the way that is worth a line but is no failure
     */
    record Outcome(FaultChecker.Report report, int groupCommits, int groupFailures, List<String> notes,
                   List<String> observations) {
        boolean passed() {
            return report.passed() && notes.isEmpty();
        }

        String summary() {
            List<String> all = new ArrayList<>(notes);
            all.addAll(report.problems());
            return all.isEmpty() ? "ok" : String.join("; ", all);
        }
    }

    static final String GROUP = "fault-campaign";
    private static final Duration SETTLE = Duration.ofSeconds(60);
    /** A metadata disagreement shorter than this after the ISR is full is not worth a note. */
    private static final long STALE_METADATA_NOTE_MS = 500;
    private static final Duration REPLICA_AGREEMENT = Duration.ofSeconds(30);

    private final ClusterHarness cluster;
    private final String topic;
    private final int partitions;
    private final AckingProducer producer;
    private final GroupCommitter committer;
    private long faultNanos;

    FaultWorkload(ClusterHarness cluster, String topic, int partitions) {
        this.cluster = cluster;
        this.topic = topic;
        this.partitions = partitions;
        this.producer = new AckingProducer(cluster.bootstrapServers(), topic, partitions, "hf");
        this.committer = new GroupCommitter(cluster.bootstrapServers(), topic, GROUP);
    }

    AckingProducer producer() {
        return producer;
    }

    /** Notes that the fault is injected now, so that the checker dates lost records relative to it. */
    void markFault() {
        faultNanos = System.nanoTime();
    }

    /** Waits until the consumer group has committed at least once, so every scenario exercises commits. */
    void awaitGroupCommit(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (committer.commits() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        if (committer.commits() == 0) {
            throw new AssertionError("the consumer group committed nothing within " + timeout.toSeconds() + " s ("
                    + committer.failures() + " failed polls/commits)");
        }
    }

    /** Waits until a record sent after {@code nanos} is acknowledged on every partition; the slowest's time. */
    long awaitEveryPartitionAcksAfter(long nanos, Duration timeout, String what) throws InterruptedException {
        long slowest = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int partition = 0; partition < partitions; partition++) {
            Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
            AckingProducer.Ack ack = producer.awaitAckSentAfter(partition, nanos, left,
                    "partition " + partition + " " + what);
            slowest = Math.max(slowest, ack.ackedNanos() - nanos);
        }
        return TimeUnit.NANOSECONDS.toMillis(slowest);
    }

    /** Stops the clients, waits for the cluster to settle, reads back and checks. Bounded by about 3 minutes. */
    Outcome finish() throws Exception {
        List<String> notes = new ArrayList<>();
        List<String> observations = new ArrayList<>();
        try {
            producer.stopAndFlush();
        } catch (AssertionError e) {
            notes.add("producer: " + firstLine(e));
        }
        committer.close();
        try {
            ClusterChecks.awaitFullIsr(cluster.admin(), topic, SETTLE);
        } catch (AssertionError e) {
            notes.add("ISR: " + firstLine(e));
        }
        try {
            // The read-back must not be routed by a node still serving a stale image (see the method's javadoc).
            long agreedMs = ClusterChecks.awaitMetadataAgreement(cluster.nodes(), topic, SETTLE);
            if (agreedMs > STALE_METADATA_NOTE_MS) {
                observations.add("the brokers' metadata agreed " + agreedMs + " ms after the full ISR was seen");
            }
        } catch (AssertionError e) {
            notes.add("metadata: " + firstLine(e));
        }
        Map<Integer, List<ConsumerRecord<String, String>>> readBack = ClusterChecks.readAll(cluster.bootstrapServers(),
                topic);
        Map<Integer, Long> highWatermarks = highWatermarks();
        long deadline = System.nanoTime() + REPLICA_AGREEMENT.toNanos();
        FaultChecker.Report report;
        do {
            // Followers may still be fetching the last batches: only the replica comparison is retried.
            report = FaultChecker.check(inputs(readBack, highWatermarks), faultNanos);
            if (report.replicasIdentical()) {
                break;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        return new Outcome(report, committer.commits(), committer.failures(), List.copyOf(notes),
                List.copyOf(observations));
    }

    private List<FaultChecker.PartitionInput> inputs(Map<Integer, List<ConsumerRecord<String, String>>> readBack,
                                                     Map<Integer, Long> highWatermarks) {
        List<FaultChecker.PartitionInput> inputs = new ArrayList<>();
        for (int partition = 0; partition < partitions; partition++) {
            List<FaultChecker.Acked> acks = producer.acks(partition).stream()
                    .map(a -> new FaultChecker.Acked(a.offset(), a.value(), a.ackedNanos())).toList();
            List<FaultChecker.Read> log = readBack.getOrDefault(partition, List.of()).stream()
                    .map(r -> new FaultChecker.Read(r.offset(), r.value())).toList();
            List<FaultChecker.Replica> replicas = new ArrayList<>();
            for (ClusterNode node : cluster.nodes()) {
                if (node.isBroker()) {
                    replicas.add(new FaultChecker.Replica(node.id(),
                            ClusterChecks.replicaLogBytes(node.dataDir(), topic, partition)));
                }
            }
            inputs.add(new FaultChecker.PartitionInput(partition, acks, log, committer.committed(partition),
                    highWatermarks.getOrDefault(partition, 0L), replicas));
        }
        return inputs;
    }

    /** Each partition's high watermark (ListOffsets latest, read_uncommitted) as its leader reports it. */
    private Map<Integer, Long> highWatermarks() throws Exception {
        Map<TopicPartition, OffsetSpec> request = new java.util.HashMap<>();
        for (int partition = 0; partition < partitions; partition++) {
            request.put(new TopicPartition(topic, partition), OffsetSpec.latest());
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = cluster.admin().listOffsets(request)
                .all().get(30, TimeUnit.SECONDS);
        return result.entrySet().stream().collect(Collectors.toMap(e -> e.getKey().partition(),
                e -> e.getValue().offset()));
    }

    private static String firstLine(Throwable e) {
        String message = String.valueOf(e.getMessage());
        return message.lines().findFirst().orElse(message);
    }

    @Override
    public void close() throws InterruptedException {
        producer.close();
        committer.close();
    }
}
