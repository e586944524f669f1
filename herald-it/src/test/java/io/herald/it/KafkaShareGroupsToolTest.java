package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.it.KafkaTool.Run;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's own {@code kafka-share-groups.sh} (org.apache.kafka.tools.consumer.group.ShareGroupCommand, run as its own
 * JVM as the script runs it) against the launched broker, through a share group's life: listed and described with
 * members, state and offsets while a consumer is in it, refused reset/delete while it is not empty, then reset,
 * offsets deleted and the group deleted once the consumer left.
 *
 * <p>The expected output is what Kafka 4.3.1 printed for the same scenario on this machine (a single-node KRaft
 * broker with the share coordinator's topic at replication factor 1), with two known differences: Herald persists
 * a share-partition's start offset as soon as it moves, where Kafka writes it lazily (a fully acknowledged
 * partition shows START-OFFSET 5, LAG 0 on Herald and 0, 0 on Kafka until its next state write); and Kafka's group
 * epoch is one higher (3 against 2) after the same heartbeats.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class KafkaShareGroupsToolTest {
    private static final String TOPIC = "tool-share";
    private static final String GROUP = "tool-share-group";

    @TempDir
    static Path workDir;

    private static LaunchedBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new LaunchedBroker(workDir, Map.of("num.partitions", "1", "offsets.topic.num.partitions", "3",
                "share.coordinator.state.topic.num.partitions", "3"));
        broker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static Run tool(String... args) throws Exception {
        return KafkaTool.run(workDir, "org.apache.kafka.tools.consumer.group.ShareGroupCommand",
                broker.bootstrapServers(), args);
    }

    /** The output's lines with runs of spaces as one, as a reader compares columns. */
    private static List<String> table(Run run) {
        assertThat(run.exitCode()).as("exit code; stdout: %s stderr: %s", run.stdout(), run.stderr()).isZero();
        return run.lines().stream().map(l -> l.replaceAll("\\s+", " ")).toList();
    }

    @Test
    void listDescribeResetDeleteOffsetsAndDeleteAShareGroup() throws Exception {
        String coordinator = broker.bootstrapServers() + " (1)";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, GROUP), List.of(
                    new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"),
                            AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                broker.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % 2, "k", "v" + i));
            }
            producer.flush();
        }

        KafkaShareConsumer<String, String> consumer = consumer();
        try {
            consumeAllButReleaseTheLastOfPartitionZero(consumer);

            assertThat(table(tool("--list"))).contains(GROUP);
            assertThat(table(tool("--list", "--state"))).containsSubsequence("GROUP STATE", GROUP + " Stable");
            assertThat(table(tool("--describe", "--group", GROUP))).containsExactly(
                    "GROUP TOPIC PARTITION START-OFFSET LAG",
                    GROUP + " " + TOPIC + " 0 4 1",
                    GROUP + " " + TOPIC + " 1 5 0");
            assertThat(table(tool("--describe", "--group", GROUP, "--offsets", "--verbose"))).containsExactly(
                    "GROUP TOPIC PARTITION LEADER-EPOCH START-OFFSET LAG",
                    GROUP + " " + TOPIC + " 0 0 4 1",
                    GROUP + " " + TOPIC + " 1 0 5 0");
            List<String> members = table(tool("--describe", "--group", GROUP, "--members"));
            assertThat(members.get(0)).isEqualTo("GROUP CONSUMER-ID HOST CLIENT-ID #PARTITIONS ASSIGNMENT");
            assertThat(members.get(1)).startsWith(GROUP + " ").endsWith(" /127.0.0.1 cli 2 " + TOPIC + ":0,1");
            assertThat(table(tool("--describe", "--group", GROUP, "--state"))).containsExactly(
                    "GROUP COORDINATOR (ID) STATE #MEMBERS", GROUP + " " + coordinator + " Stable 1");

            Run refused = tool("--delete", "--group", GROUP);
            assertThat(refused.shown()).contains("GroupNotEmptyException: Share group '" + GROUP
                    + "' is not EMPTY.");
            Run resetRefused = tool("--reset-offsets", "--group", GROUP, "--topic", TOPIC, "--to-earliest",
                    "--execute");
            assertThat(resetRefused.exitCode()).isEqualTo(1);
            assertThat(resetRefused.shown()).contains("Share group '" + GROUP + "' is not empty.");
            assertThat(tool("--delete-offsets", "--group", GROUP, "--topic", TOPIC).shown())
                    .contains("Error: The group is not empty.");
            assertThat(tool("--describe", "--group", "no-such-group").shown())
                    .contains("GroupIdNotFoundException: Group no-such-group not found.");
        } finally {
            consumer.close(Duration.ofSeconds(10));
        }

        Run empty = tool("--describe", "--group", GROUP, "--state");
        assertThat(table(empty)).containsExactly("GROUP COORDINATOR (ID) STATE #MEMBERS",
                GROUP + " " + coordinator + " Empty 0");
        assertThat(empty.shown()).contains("Share group '" + GROUP + "' has no active members.");
        assertThat(table(tool("--reset-offsets", "--group", GROUP, "--topic", TOPIC, "--to-earliest",
                "--dry-run"))).containsExactlyInAnyOrder("GROUP TOPIC PARTITION NEW-OFFSET",
                GROUP + " " + TOPIC + " 0 0", GROUP + " " + TOPIC + " 1 0");
        assertThat(table(tool("--reset-offsets", "--group", GROUP, "--topic", TOPIC, "--to-earliest",
                "--execute"))).containsExactlyInAnyOrder("GROUP TOPIC PARTITION NEW-OFFSET",
                GROUP + " " + TOPIC + " 0 0", GROUP + " " + TOPIC + " 1 0");
        assertThat(table(tool("--describe", "--group", GROUP))).containsExactly(
                "GROUP TOPIC PARTITION START-OFFSET LAG",
                GROUP + " " + TOPIC + " 0 0 5",
                GROUP + " " + TOPIC + " 1 0 5");
        assertThat(table(tool("--delete-offsets", "--group", GROUP, "--topic", TOPIC)))
                .containsExactly("TOPIC STATUS", TOPIC + " Successful");
        assertThat(table(tool("--describe", "--group", GROUP)))
                .containsExactly("Share group '" + GROUP + "' has no offset information.");
        assertThat(table(tool("--delete", "--group", GROUP)))
                .containsExactly("Deletion of requested share groups ('" + GROUP + "') was successful.");
        assertThat(table(tool("--list"))).doesNotContain(GROUP);
    }

    private static KafkaShareConsumer<String, String> consumer() {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("bootstrap.servers", broker.bootstrapServers());
        cfg.put("group.id", GROUP);
        cfg.put("client.id", "cli");
        cfg.put("share.acknowledgement.mode", "explicit");
        return new KafkaShareConsumer<>(cfg, new StringDeserializer(), new StringDeserializer());
    }

    /**
     * Accepts every record but partition 0's last (offset 4), which is released once and then left acquired: the
     * group's start offsets become 4 on partition 0 (one record left, lag 1) and 5 on partition 1.
     */
    private static void consumeAllButReleaseTheLastOfPartitionZero(KafkaShareConsumer<String, String> consumer) {
        consumer.subscribe(List.of(TOPIC));
        Set<String> accepted = new HashSet<>();
        boolean released = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while ((accepted.size() < 9 || !released) && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.partition() == 0 && r.offset() == 4) {
                    consumer.acknowledge(r, AcknowledgeType.RELEASE);
                    released = true;
                } else {
                    consumer.acknowledge(r, AcknowledgeType.ACCEPT);
                    accepted.add(r.partition() + ":" + r.offset());
                }
            }
            consumer.commitSync(Duration.ofSeconds(30));
        }
        assertThat(accepted).hasSize(9);
        assertThat(released).isTrue();
    }
}
