package io.herald.server.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One in-process broker with a 6-partition topic and group members that poll in the background, shared by the
 * end-to-end tests of both group protocols; each subclass says how its members' consumers are built. Tests
 * that hold for either protocol live here and run once per subclass.
 */
@Timeout(180)
abstract class GroupEndToEndFixture {
    static final String TOPIC = "events";
    static final int PARTITIONS = 6;

    @TempDir
    Path dir;
    GroupTestBroker broker;
    /** Who owns each partition now, as the members' rebalance listeners report it. */
    final Map<TopicPartition, String> owners = new ConcurrentHashMap<>();
    /** Every moment a partition was claimed while another member still owned it. */
    final List<String> violations = new CopyOnWriteArrayList<>();
    final List<PollingConsumer> consumers = new ArrayList<>();

    /** A consumer of this protocol in {@code group}. */
    abstract KafkaConsumer<String, String> newConsumer(String group, Map<String, Object> overrides);

    @BeforeEach
    void start() throws Exception {
        broker = new GroupTestBroker(dir);
        broker.createTopic(TOPIC, PARTITIONS);
    }

    @AfterEach
    void stop() throws Exception {
        for (PollingConsumer c : consumers) {
            c.close();
        }
        broker.close();
    }

    PollingConsumer member(String name, String group, Map<String, Object> overrides) {
        PollingConsumer c = new PollingConsumer(name, () -> newConsumer(group, overrides), TOPIC, owners,
                violations);
        consumers.add(c);
        return c;
    }

    static Set<String> values(int from, int count) {
        return IntStream.range(from, from + count).mapToObj(i -> "v-" + i).collect(Collectors.toSet());
    }

    Set<String> consumedByAll() {
        Set<String> all = new HashSet<>();
        consumers.forEach(c -> all.addAll(c.consumed));
        return all;
    }

    /**
     * A new member of {@code group} reads exactly {@code expected} records, none below the committed offset of
     * its partition: the group resumed where it committed.
     */
    void assertResumesAtCommitted(String group, Map<TopicPartition, OffsetAndMetadata> committed, long expected) {
        Set<String> rest = new HashSet<>();
        try (KafkaConsumer<String, String> c = newConsumer(group, Map.of())) {
            c.subscribe(List.of(TOPIC));
            long deadline = System.currentTimeMillis() + 30_000;
            int received = 0;
            while (received < expected && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    OffsetAndMetadata start = committed.get(new TopicPartition(r.topic(), r.partition()));
                    assertThat(r.offset()).isGreaterThanOrEqualTo(start == null ? 0 : start.offset());
                    rest.add(r.value());
                    received++;
                }
            }
            assertThat(received).isEqualTo(expected);
        }
        assertThat(rest).hasSize((int) expected);
    }

    @Test
    void fiveMembersEachGetAPartitionAndNoneIsSharedOrLost() throws Exception {
        List<PollingConsumer> five = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            five.add(member("m" + i, "five", Map.of()));
        }
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            assertThat(five.stream().mapToInt(m -> m.owned.size()).sum()).isEqualTo(PARTITIONS);
            assertThat(five).allSatisfy(m -> assertThat(m.owned).isNotEmpty());
        });
        broker.produce(TOPIC, 0, 300);
        await().atMost(Duration.ofSeconds(60)).until(() -> consumedByAll().containsAll(values(0, 300)));
        assertThat(violations).isEmpty();
    }
}
