package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Admin look-ups, a full read-back and the no-loss assertions shared by the cluster tests. Stateless. */
public final class ClusterChecks {

    private ClusterChecks() {
    }

    /** Creates a topic with {@code rf} replicas and min.insync.replicas {@code minIsr}, and waits for leaders. */
    public static void createTopic(Admin admin, String topic, int partitions, int rf, int minIsr) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) rf)
                        .configs(Map.of("min.insync.replicas", String.valueOf(minIsr)))))
                .all().get(30, TimeUnit.SECONDS);
        awaitFullIsr(admin, topic, Duration.ofSeconds(60));
    }

    public static TopicDescription describe(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(20, TimeUnit.SECONDS).get(topic);
    }

    /**
     * Describes a topic through whichever node Admin picks, retrying while that node's metadata image does not
     * have it yet: brokers learn a new topic a little after CreateTopics returns (in Kafka too), and Admin does
     * not retry UNKNOWN_TOPIC_OR_PARTITION itself.
     */
    public static TopicDescription describeWhenKnown(Admin admin, String topic, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return describe(admin, topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** The current leader of a partition, waiting (bounded) while it has none. */
    public static int leader(Admin admin, String topic, int partition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "not described yet";
        while (System.nanoTime() < deadline) {
            try {
                TopicPartitionInfo info = describe(admin, topic).partitions().get(partition);
                if (info.leader() != null && info.leader().id() >= 0) {
                    return info.leader().id();
                }
                last = info.toString();
            } catch (ExecutionException | TimeoutException e) {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        throw new AssertionError(topic + "-" + partition + " has no leader within " + timeout.toSeconds() + " s: " + last);
    }

    /** Waits until every partition has a leader and its ISR is all of its replicas. */
    public static void awaitFullIsr(Admin admin, String topic, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "not described yet";
        while (System.nanoTime() < deadline) {
            try {
                List<TopicPartitionInfo> partitions = describe(admin, topic).partitions();
                boolean full = partitions.stream().allMatch(p -> p.leader() != null && p.leader().id() >= 0
                        && ids(p.isr()).equals(ids(p.replicas())));
                if (full) {
                    return;
                }
                last = partitions.toString();
            } catch (ExecutionException | TimeoutException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("ISR of " + topic + " not back to all replicas within " + timeout.toSeconds()
                + " s: " + last);
    }

    /**
     * Waits until every broker node, asked on its own (not through a client that may pick any node), describes
     * {@code topic} the same way, with a leader and the full ISR for every partition. A node that rejoins after a
     * network partition may still serve its old metadata image for a while (leader in an old epoch, its old
     * high watermark): a read-back routed through it would end early.
     *
     * @return how long it took, in milliseconds
     */
    public static long awaitMetadataAgreement(Collection<ClusterNode> nodes, String topic, Duration timeout)
            throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Set<Integer> brokers = nodes.stream().filter(ClusterNode::isBroker).map(ClusterNode::id)
                .collect(Collectors.toCollection(TreeSet::new));
        Map<Integer, Object> views = new TreeMap<>(); // a node's partitions, or why it did not answer
        while (System.nanoTime() < deadline) {
            views.clear();
            Set<Map<Integer, MetadataProbe.PartitionView>> distinct = new HashSet<>();
            int answered = 0;
            for (ClusterNode node : nodes) {
                if (node.isBroker()) {
                    try {
                        Map<Integer, MetadataProbe.PartitionView> view = node.probePartitions(topic,
                                Duration.ofSeconds(3));
                        views.put(node.id(), view);
                        distinct.add(view);
                        answered++;
                    } catch (IOException e) {
                        views.put(node.id(), e.toString());
                    }
                }
            }
            if (distinct.size() == 1 && answered == brokers.size()) {
                Map<Integer, MetadataProbe.PartitionView> view = distinct.iterator().next();
                if (!view.isEmpty() && view.values().stream().allMatch(p -> p.fullIsr(brokers))) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the brokers' metadata of " + topic + " did not agree (leader/epoch/ISR) within "
                + timeout.toSeconds() + " s: " + views);
    }

    public static Set<Integer> ids(Collection<Node> nodes) {
        return nodes.stream().map(Node::id).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Every record of every partition from the beginning to the end offsets (the high watermarks), no group. */
    public static Map<Integer, List<ConsumerRecord<String, String>>> readAll(String bootstrapServers, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<Integer, List<ConsumerRecord<String, String>>> consumed = new TreeMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!partitions.stream().allMatch(tp -> consumer.position(tp, Duration.ofSeconds(10)) >= end.get(tp))) {
                assertThat(System.nanoTime() - deadline).as("read %s to the end offsets %s within 60 s", topic, end)
                        .isNegative();
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    consumed.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record);
                }
            }
        }
        return consumed;
    }

    /**
     * The log holds every acknowledged value exactly once, at its acknowledged offset, in acknowledgement order;
     * values matching {@code unacknowledgedPattern} (sent but never acknowledged) may appear anywhere, any number
     * of times. Nothing else may be in the log.
     */
    public static void assertAcknowledgedExactlyOnceInOrder(int partition, List<AckingProducer.Ack> acks,
                                                     List<ConsumerRecord<String, String>> records,
                                                     String unacknowledgedPattern) {
        assertThat(acks).as("acknowledged offsets increase in callback order, partition %d", partition)
                .extracting(AckingProducer.Ack::offset)
                .isSorted()
                .doesNotHaveDuplicates();
        List<String> logValues = records.stream().map(ConsumerRecord::value)
                .filter(value -> !value.matches(unacknowledgedPattern))
                .toList();
        assertThat(logValues).as("acknowledged values in partition %d, in log order: each exactly once, in "
                        + "acknowledgement order", partition)
                .containsExactlyElementsOf(acks.stream().map(AckingProducer.Ack::value).toList());
        Map<Long, String> valueAtOffset = new HashMap<>();
        records.forEach(record -> valueAtOffset.put(record.offset(), record.value()));
        for (AckingProducer.Ack ack : acks) {
            assertThat(valueAtOffset.get(ack.offset()))
                    .as("value at acknowledged offset %d of partition %d", ack.offset(), partition)
                    .isEqualTo(ack.value());
        }
    }

    /** Checks every partition of a stream: everything acknowledged is in the log once, in order, and nothing else. */
    public static void assertNoAcknowledgedRecordLost(AckingProducer producer, int partitions,
                                               Map<Integer, List<ConsumerRecord<String, String>>> consumed) {
        for (int partition = 0; partition < partitions; partition++) {
            List<AckingProducer.Ack> acks = producer.acks(partition);
            assertThat(acks).as("partition %d got acknowledged records", partition).isNotEmpty();
            assertAcknowledgedExactlyOnceInOrder(partition, acks, consumed.getOrDefault(partition, List.of()), "(?!)");
        }
    }

    /**
     * The bytes of a replica's log as a node stores it: its segment files ({@code <dir>/<topic>-<p>/*.log}) in
     * base-offset order, concatenated, so that different segment roll points compare equal. Empty when the
     * node has no replica.
     */
    public static byte[] replicaLogBytes(Path dataDir, String topic, int partition) {
        Path dir = dataDir.resolve(topic + "-" + partition);
        if (!Files.isDirectory(dir)) {
            return new byte[0];
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path segment : files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList()) {
                bytes.write(Files.readAllBytes(segment));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Waits until every broker's copy of each partition is byte-identical (followers copy the leader's batches
     * as they are, so once nothing is written and the followers caught up, the logs are equal), and not empty.
     */
    static void awaitIdenticalReplicas(ClusterHarness cluster, String topic, int partitions, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Integer> lastSizes = new TreeMap<>();
        while (true) {
            boolean identical = true;
            lastSizes.clear();
            for (int partition = 0; partition < partitions; partition++) {
                byte[] reference = null;
                for (ClusterNode node : cluster.nodes().stream().filter(ClusterNode::isBroker).toList()) {
                    byte[] log = replicaLogBytes(node.dataDir(), topic, partition);
                    lastSizes.put("node " + node.id() + " " + topic + "-" + partition, log.length);
                    if (reference == null) {
                        reference = log;
                    }
                    identical &= log.length > 0 && Arrays.equals(reference, log);
                }
            }
            if (identical) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("replica logs of " + topic + " not byte-identical within "
                        + timeout.toSeconds() + " s; sizes: " + lastSizes);
            }
            Thread.sleep(500);
        }
    }
}
