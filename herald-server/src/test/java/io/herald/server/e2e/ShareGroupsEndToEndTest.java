package io.herald.server.e2e;

import static io.herald.server.e2e.ShareClients.pollUntil;
import static io.herald.server.e2e.ShareClients.shareConsumer;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Share groups (KIP-932) with the stock kafka-clients 4.3 {@link KafkaShareConsumer} and Admin: several consumers
 * draining one partition, each record delivered to one of them; explicit RELEASE redelivers with a higher delivery
 * count, REJECT and ACCEPT end a record; and the admin view of the group and its progress.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShareGroupsEndToEndTest {
    private static final long T = 30;

    @TempDir
    Path dir;

    private TestBroker broker;
    private final List<KafkaShareConsumer<String, String>> consumers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        broker = TestBroker.start(dir);
    }

    @AfterEach
    void stop() {
        consumers.forEach(c -> c.close(Duration.ofSeconds(5)));
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void consumersOfOneGroupShareAPartitionAndEachRecordGoesToOne() throws Exception {
        broker.createTopic("jobs", 1, Map.of());
        startFromEarliest("workers");
        produce("jobs", 300);
        KafkaShareConsumer<String, String> a = shareConsumer(broker, "workers", "implicit", consumers);
        KafkaShareConsumer<String, String> b = shareConsumer(broker, "workers", "implicit", consumers);
        a.subscribe(List.of("jobs"));
        b.subscribe(List.of("jobs"));

        Map<String, Integer> seen = new HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (seen.size() < 300 && System.nanoTime() < deadline) {
            for (KafkaShareConsumer<String, String> c : List.of(a, b)) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    seen.merge(r.value(), 1, Integer::sum);
                    assertThat(r.deliveryCount()).hasValue((short) 1);
                }
            }
        }
        assertThat(seen).hasSize(300);
        assertThat(seen.values()).as("no record delivered twice").containsOnly(1);
        a.commitSync(Duration.ofSeconds(T));
        b.commitSync(Duration.ofSeconds(T));

        try (Admin admin = broker.admin()) {
            Collection<GroupListing> shareGroups = admin.listGroups(ListGroupsOptions.forShareGroups()).all()
                    .get(T, TimeUnit.SECONDS);
            assertThat(shareGroups).extracting(GroupListing::groupId).containsExactly("workers");
            assertThat(shareGroups.iterator().next().type()).hasValue(GroupType.SHARE);
            // A member learns a new assignment at its next heartbeat (every 5 s): one that joined before the
            // share-partition was initialized may still show none for a few seconds.
            ShareGroupDescription group = null;
            long describeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
            while (System.nanoTime() < describeDeadline) {
                group = admin.describeShareGroups(List.of("workers")).describedGroups().get("workers")
                        .get(T, TimeUnit.SECONDS);
                if (group.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty())) {
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(group.groupState()).isEqualTo(GroupState.STABLE);
            assertThat(group.members()).hasSize(2);
            assertThat(group.members()).allSatisfy(m -> assertThat(m.assignment().topicPartitions())
                    .containsExactly(new TopicPartition("jobs", 0)));
            SharePartitionOffsetInfo progress = awaitStartOffset(admin, "workers", new TopicPartition("jobs", 0),
                    300);
            assertThat(progress.lag()).hasValue(0L);
        }
    }

    @Test
    void releaseRedeliversRejectAndAcceptEndARecord() throws Exception {
        broker.createTopic("orders", 1, Map.of());
        startFromEarliest("billing");
        produce("orders", 3);
        KafkaShareConsumer<String, String> c = shareConsumer(broker, "billing", "explicit", consumers);
        c.subscribe(List.of("orders"));

        List<ConsumerRecord<String, String>> first = pollUntil(c, 3);
        assertThat(first).extracting(ConsumerRecord::value).containsExactly("v0", "v1", "v2");
        c.acknowledge(first.get(0), AcknowledgeType.ACCEPT);
        c.acknowledge(first.get(1), AcknowledgeType.RELEASE);
        c.acknowledge(first.get(2), AcknowledgeType.REJECT);
        c.commitSync(Duration.ofSeconds(T));

        List<ConsumerRecord<String, String>> again = pollUntil(c, 1);
        assertThat(again).extracting(ConsumerRecord::value).containsExactly("v1");
        assertThat(again.get(0).offset()).isEqualTo(1);
        assertThat(again.get(0).deliveryCount()).hasValue((short) 2);
        c.acknowledge(again.get(0), AcknowledgeType.ACCEPT);
        c.commitSync(Duration.ofSeconds(T));

        try (Admin admin = broker.admin()) {
            awaitStartOffset(admin, "billing", new TopicPartition("orders", 0), 3);
        }
    }

    /** Share groups start at the latest offset unless the group says otherwise (Kafka's default). */
    private void startFromEarliest(String group) throws Exception {
        try (Admin admin = broker.admin()) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), List.of(
                            new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"),
                                    AlterConfigOp.OpType.SET))))
                    .all().get(T, TimeUnit.SECONDS);
        }
    }

    private void produce(String topic, int n) throws Exception {
        KafkaProducer<String, String> producer = broker.producer();
        for (int i = 0; i < n; i++) {
            producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
        }
        producer.flush();
    }

    /** The group's start offset on {@code tp} once it reached {@code expected} (acknowledgements are async). */
    private static SharePartitionOffsetInfo awaitStartOffset(Admin admin, String group, TopicPartition tp,
                                                             long expected) throws Exception {
        SharePartitionOffsetInfo info = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
        Set<Long> startOffsets = new HashSet<>();
        while (System.nanoTime() < deadline) {
            info = admin.listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec()))
                    .partitionsToOffsetInfo(group).get(T, TimeUnit.SECONDS).get(tp);
            if (info != null) {
                startOffsets.add(info.startOffset());
                if (info.startOffset() == expected) {
                    return info;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("start offset of " + group + " on " + tp + " never reached " + expected
                + " (saw " + startOffsets + ")");
    }
}
