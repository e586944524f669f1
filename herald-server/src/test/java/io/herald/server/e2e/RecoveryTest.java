package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unclean shutdown, simulated: the log dirs of a running broker are copied (so the copy has no clean-shutdown
 * marker), the copy's last segment gets a torn last batch plus trailing garbage and its first segment loses its
 * indexes; a broker started on the copy must recover every complete batch, rebuild the indexes and keep going.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RecoveryTest {
    @TempDir
    Path dir;

    @Test
    void uncleanCopyWithTornTailAndMissingIndexesRecovers() throws Exception {
        Path live = dir.resolve("live");
        Path copy = dir.resolve("copy");
        String topic = "crashy";
        TopicPartition tp = new TopicPartition(topic, 0);
        int n = 200;
        try (TestBroker broker = TestBroker.start(live)) {
            broker.createTopic(topic, 1, Map.of("internal.segment.bytes", "4096", "index.interval.bytes", "100"));
            KafkaProducer<String, String> producer = broker.producer();
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, 0, 1_000_000L + i, "k" + i, "value-" + i))
                        .get(20, TimeUnit.SECONDS);
            }
            copyTree(live, copy);
        }
        assertThat(copy.resolve(".herald_cleanshutdown")).doesNotExist();
        Path partition = copy.resolve(topic + "-0");
        List<Path> logs;
        try (Stream<Path> files = Files.list(partition)) {
            logs = files.filter(p -> p.toString().endsWith(".log")).sorted().toList();
        }
        assertThat(logs).hasSizeGreaterThan(2);
        Path last = logs.get(logs.size() - 1);
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 7);                              // torn last batch
        }
        Files.write(last, new byte[] {0, 0, 0, 0, 0, 0, 0, 42, 0, 0, 0, 99, 1, 2, 3}, StandardOpenOption.APPEND);
        String base = logs.get(0).getFileName().toString().replace(".log", "");
        Files.deleteIfExists(partition.resolve(base + ".index"));
        Files.deleteIfExists(partition.resolve(base + ".timeindex"));

        try (TestBroker recovered = TestBroker.start(copy)) {
            // Every batch but the torn one is back.
            assertThat(recovered.offset(tp, OffsetSpec.latest())).isEqualTo(n - 1);
            assertThat(recovered.offset(tp, OffsetSpec.earliest())).isZero();
            assertThat(recovered.offset(tp, OffsetSpec.forTimestamp(1_000_010L))).isEqualTo(10);
            assertThat(recovered.offset(tp, OffsetSpec.forTimestamp(1_000_150L))).isEqualTo(150);
            List<ConsumerRecord<String, String>> got = TestBroker.readAll(recovered.consumer(), Set.of(tp), n - 1,
                    Duration.ofSeconds(30));
            assertThat(got).hasSize(n - 1);
            for (int i = 0; i < n - 1; i++) {
                assertThat(got.get(i).offset()).isEqualTo(i);
                assertThat(got.get(i).value()).isEqualTo("value-" + i);
            }
            // Seeking into the middle uses the rebuilt index.
            var consumer = recovered.consumer();
            consumer.assign(Set.of(tp));
            consumer.seek(tp, 37);
            List<ConsumerRecord<String, String>> mid = List.of();
            for (int i = 0; i < 100 && mid.isEmpty(); i++) {
                mid = consumer.poll(Duration.ofMillis(100)).records(tp);
            }
            assertThat(mid).isNotEmpty();
            assertThat(mid.get(0).offset()).isEqualTo(37);

            // Writing continues right after the last recovered batch.
            assertThat(recovered.producer().send(new ProducerRecord<>(topic, 0, "k", "after")).get(20,
                    TimeUnit.SECONDS).offset()).isEqualTo(n - 1);
        }
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().endsWith(".lock")) {
                    Files.copy(p, target);
                }
            }
        }
    }
}
