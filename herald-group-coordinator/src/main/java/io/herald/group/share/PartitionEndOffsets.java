package io.herald.group.share;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * The latest offset of partitions, for the lag of DescribeShareGroupOffsets v1 (KIP-1226): what Kafka 4.3.1's
 * {@code PartitionMetadataClient.listLatestOffsets} answers, a ListOffsets of the LATEST timestamp with
 * read_uncommitted isolation, i.e. each partition's high watermark, asked of its leader. The broker implements it
 * on its replica manager (local leaders) and ListOffsets (the others).
 *
 * <p>Thread-safety: implementations are thread-safe; the future may complete on any thread and never fails
 * exceptionally: a partition that cannot be answered carries its error.
 */
@FunctionalInterface
public interface PartitionEndOffsets {

    /** One partition's answer: NONE and its latest offset, or the error (NOT_LEADER_OR_FOLLOWER, ...). */
    record EndOffset(Errors error, long offset) {
        public EndOffset {
            Objects.requireNonNull(error, "error");
        }
    }

    /** The answer of every partition asked for. */
    CompletableFuture<Map<TopicPartition, EndOffset>> latestOffsets(Set<TopicPartition> partitions);
}
