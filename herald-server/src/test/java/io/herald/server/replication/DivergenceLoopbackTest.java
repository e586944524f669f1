package io.herald.server.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.broker.replica.AlterPartitionChannel;
import io.herald.broker.replica.LeadershipListener;
import io.herald.broker.replica.Partition;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.record.MetadataRecord.BrokerRecord;
import io.herald.metadata.record.MetadataRecord.PartitionRecord;
import io.herald.metadata.record.MetadataRecord.TopicRecord;
import io.herald.storage.log.PartitionLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower whose log has a suffix written in an older leader epoch (it led briefly, cut off from the others)
 * truncates it when it follows the new leader, and converges to a byte-identical log. Both nodes are
 * {@link ReplicaNode}s fed hand-made metadata images, so the test controls who sees which leader epoch.
 */
@Timeout(60)
class DivergenceLoopbackTest {
    private static final Uuid TOPIC_ID = Uuid.randomUuid();
    private static final TopicPartition TP = new TopicPartition("diverge", 0);

    @TempDir
    Path dir;
    private ReplicaNode node1;
    private ReplicaNode node2;

    @AfterEach
    void stop() {
        if (node2 != null) {
            node2.close();
        }
        if (node1 != null) {
            node1.close();
        }
    }

    private static MemoryRecords records(String prefix, int n) {
        SimpleRecord[] r = new SimpleRecord[n];
        for (int i = 0; i < n; i++) {
            r[i] = new SimpleRecord(1_000L + i, (prefix + i).getBytes(), (prefix + "-value-" + i).getBytes());
        }
        return MemoryRecords.withRecords(Compression.NONE, r);
    }

    private static ClusterImage leadership(ClusterImage base, int leader, int epoch, int partitionEpoch) {
        return base.apply(new PartitionRecord(TOPIC_ID, 0, List.of(1, 2), List.of(1, 2), leader, epoch,
                partitionEpoch));
    }

    @Test
    void followerTruncatesASuffixFromAnOlderEpochAndConverges() throws Exception {
        AlterPartitionChannel never = (b, t, p, le, pe, isr) -> new CompletableFuture<>();
        Map<String, String> fast = Map.of("replica.fetch.backoff.ms", "100", "replica.fetch.wait.max.ms", "200");
        node1 = ReplicaNode.start(1, dir.resolve("n1"), fast, never, "c", Optional.empty());
        node2 = ReplicaNode.start(2, dir.resolve("n2"), fast, never, "c", Optional.empty());
        List<String> events = new CopyOnWriteArrayList<>();
        node2.replicas().addLeadershipListener(new LeadershipListener() {
            @Override
            public void onBecomeLeader(TopicPartition tp, int leaderEpoch) {
                events.add("lead " + tp + " " + leaderEpoch);
            }

            @Override
            public void onResign(TopicPartition tp, int leaderEpoch) {
                events.add("resign " + tp + " " + leaderEpoch);
            }
        });
        ClusterImage empty = ClusterImage.empty("c");
        ClusterImage base = empty
                .apply(new BrokerRecord(1, "127.0.0.1", node1.port(), Optional.empty()))
                .apply(new BrokerRecord(2, "127.0.0.1", node2.port(), Optional.empty()))
                .apply(new TopicRecord(TP.topic(), TOPIC_ID));

        // Epoch 0: node 1 leads, node 2 replicates offsets 0-4.
        ClusterImage epoch0 = leadership(base, 1, 0, 0);
        node1.onImage(empty, epoch0);
        node2.onImage(empty, epoch0);
        Partition leader = node1.replicas().partition(TP).orElseThrow();
        leader.appendRecordsToLeader(records("a", 5), 1, 1);
        PartitionLog log1 = node1.log(TP);
        PartitionLog log2 = node2.log(TP);
        await().atMost(Duration.ofSeconds(20)).until(() -> log2.logEndOffset() == 5);

        // Node 2 alone is told it leads epoch 1 and writes 3 records nobody else will see (offsets 5-7).
        ClusterImage epoch1 = leadership(base, 2, 1, 1);
        node2.onImage(epoch0, epoch1);
        assertThat(node2.replicas().fetchedPartitions()).isEmpty();
        node2.replicas().partition(TP).orElseThrow().appendRecordsToLeader(records("lost", 3), 1, 1);
        // Node 1, still leading epoch 0, takes 4 more (offsets 5-8).
        leader.appendRecordsToLeader(records("b", 4), 1, 1);
        assertThat(log2.logEndOffset()).isEqualTo(8);
        assertThat(log2.latestEpoch()).isEqualTo(1);

        // Epoch 2: node 1 leads again; node 2 follows, learns it diverged after offset 4, truncates, converges.
        ClusterImage epoch2 = leadership(base, 1, 2, 2);
        node1.onImage(epoch0, epoch2);
        node2.onImage(epoch1, epoch2);
        leader.appendRecordsToLeader(records("c", 2), 1, 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> log2.logEndOffset() == log1.logEndOffset()
                && log2.latestEpoch() == 2);
        long end = log1.logEndOffset();
        assertThat(end).isEqualTo(11);
        assertThat(ReplicaNode.bytes(log2, end)).isEqualTo(ReplicaNode.bytes(log1, end));
        assertThat(log2.epochEntries()).isEqualTo(log1.epochEntries());
        await().atMost(Duration.ofSeconds(20)).until(() -> leader.highWatermark() == end);
        assertThat(events).containsExactly("lead " + TP + " 1", "resign " + TP + " 2");
    }
}
