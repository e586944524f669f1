package io.herald.broker.share.handler;

import org.apache.kafka.common.TopicPartition;

/**
 * What a parked share fetch watches (Kafka's DelayedShareFetchPartitionKey and DelayedShareFetchGroupKey): its
 * partitions' logs, woken by appends and high-watermark moves, and its share-partitions, woken when records come
 * back (release, lock expiry, end of a retry backoff), the start offset moves, or loading ends.
 */
sealed interface ShareFetchKey {
    record Log(TopicPartition partition) implements ShareFetchKey {}

    record Share(String groupId, TopicPartition partition) implements ShareFetchKey {}
}
