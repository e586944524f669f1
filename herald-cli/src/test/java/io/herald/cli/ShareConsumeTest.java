package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code herald consume --share-group} (KIP-932, explicit acknowledgement) against a Herald broker in this JVM:
 * accepted records move the share-partition's start offset, released ones come back with a higher delivery count.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShareConsumeTest extends AgainstHerald {


    /** Group configs, with {@code share.auto.offset.reset=earliest} (the default, latest, would skip what exists). */
    static void configure(TestHerald herald, String group, Map<String, String> configs) throws Exception {
        List<AlterConfigOp> ops = new ArrayList<>();
        ops.add(new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET));
        configs.forEach((k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
        try (Admin admin = herald.admin()) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), ops)).all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    private static long startOffset(String group, TopicPartition tp) throws Exception {
        try (Admin admin = herald.admin()) {
            SharePartitionOffsetInfo info = admin.listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec()))
                    .partitionsToOffsetInfo(group).get(30, TimeUnit.SECONDS).get(tp);
            return info == null ? -1 : info.startOffset();
        }
    }

    @Test
    void acceptedRecordsAreDoneForTheGroup() throws Exception {
        herald.createTopic("jobs", 1, Map.of());
        configure(herald, "workers", Map.of());
        ok(cli.runWithInput("j1\nj2\nj3\n", "produce", "jobs"));

        Cli.Result consumed = ok(cli.run("consume", "jobs", "--share-group", "workers", "--count", "3",
                "-f", "%o %s %D\\n"));
        assertThat(consumed.out()).isEqualTo("0 j1 1\n1 j2 1\n2 j3 1\n");
        TopicPartition tp = new TopicPartition("jobs", 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> startOffset("workers", tp) == 3);

        Cli.Result described = ok(cli.run("group", "describe", "workers"));
        assertThat(described.out()).contains("Type: share");
        assertThat(described.out()).containsPattern("(?m)^jobs\\s+0\\s+3\\s+3\\s");
        assertThat(ok(cli.run("group", "list")).out()).containsPattern("(?m)^workers\\s+share\\s");
    }

    @Test
    void releasedRecordsAreDeliveredAgain() throws Exception {
        herald.createTopic("retries", 1, Map.of());
        configure(herald, "retriers", Map.of());
        ok(cli.runWithInput("r1\n", "produce", "retries"));

        assertThat(ok(cli.run("consume", "retries", "--share-group", "retriers", "--count", "1", "--ack", "release",
                "-f", "%s %D\\n")).out()).isEqualTo("r1 1\n");
        assertThat(ok(cli.run("consume", "retries", "--share-group", "retriers", "--count", "1", "--json")).out())
                .contains("\"value\":\"r1\"").contains("\"deliveryCount\":2");
        TopicPartition tp = new TopicPartition("retries", 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> startOffset("retriers", tp) == 1);
    }

    @Test
    void resetOffsetsMovesAShareGroupsStartOffset() throws Exception {
        herald.createTopic("again", 1, Map.of());
        configure(herald, "repeaters", Map.of());
        ok(cli.runWithInput("a1\na2\n", "produce", "again"));
        ok(cli.run("consume", "again", "--share-group", "repeaters", "--count", "2"));
        TopicPartition tp = new TopicPartition("again", 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> startOffset("repeaters", tp) == 2);
        // The member left when the consume exited; the group is empty once the broker noticed.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(ok(cli.run("group", "reset-offsets",
                "repeaters", "--topic", "again", "--to-earliest", "--execute")).out())
                .contains("again  0          2               0"));
        assertThat(ok(cli.run("consume", "again", "--share-group", "repeaters", "--count", "2", "-f", "%s %D\\n"))
                .out()).isEqualTo("a1 1\na2 1\n");
    }
}
