package io.herald.server.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** librdkafka's balanced consumer (kcat -G) next to a Java consumer group; Admin lag is right for both. */
@Timeout(120)
class KcatConsumerGroupTest {
    private static final Path KCAT = Path.of("/usr/bin/kcat");

    @TempDir
    Path dir;

    @Test
    void kcatConsumesInAGroupAndCommits() throws Exception {
        assumeTrue(Files.isExecutable(KCAT), "kcat is not installed");
        try (GroupTestBroker broker = new GroupTestBroker(dir)) {
            broker.createTopic("t", 6);
            broker.produce("t", 0, 60);

            Process kcat = new ProcessBuilder(KCAT.toString(), "-b", broker.bootstrap(), "-G", "kgroup",
                    "-X", "auto.offset.reset=earliest", "-c", "60", "-q", "-f", "%s\\n", "t")
                    .redirectErrorStream(false).start();
            boolean exited = kcat.waitFor(60, TimeUnit.SECONDS);
            if (!exited) {
                kcat.destroyForcibly();
            }
            String out = new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(kcat.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(exited).as("kcat exited; stderr: %s", err).isTrue();
            Set<String> values = new HashSet<>(out.lines().toList());
            assertThat(values).as("stderr: %s", err).hasSize(60);

            // a Java group consumes and commits half of each partition
            try (KafkaConsumer<String, String> c = broker.consumer("jgroup", Map.of())) {
                c.subscribe(List.of("t"));
                int received = 0;
                long deadline = System.currentTimeMillis() + 30_000;
                while (received < 60 && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                        received++;
                    }
                }
                assertThat(received).isEqualTo(60);
                Map<TopicPartition, OffsetAndMetadata> half = new java.util.HashMap<>();
                for (int p = 0; p < 6; p++) {
                    half.put(new TopicPartition("t", p), new OffsetAndMetadata(5));
                }
                c.commitSync(half);
            }

            Admin admin = broker.admin();
            Map<TopicPartition, Long> ends = new java.util.HashMap<>();
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            for (int p = 0; p < 6; p++) {
                latest.put(new TopicPartition("t", p), OffsetSpec.latest());
            }
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e
                    : admin.listOffsets(latest).all().get().entrySet()) {
                ends.put(e.getKey(), e.getValue().offset());
            }
            assertThat(lag(admin, "kgroup", ends)).isZero();
            assertThat(lag(admin, "jgroup", ends)).isEqualTo(30);
        }
    }

    private static long lag(Admin admin, String group, Map<TopicPartition, Long> ends) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        long lag = 0;
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            OffsetAndMetadata o = committed.get(e.getKey());
            lag += e.getValue() - (o == null ? 0 : o.offset());
        }
        return lag;
    }
}
