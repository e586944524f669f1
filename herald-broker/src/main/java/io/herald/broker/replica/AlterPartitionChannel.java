package io.herald.broker.replica;

import io.herald.metadata.image.PartitionImage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;

/**
 * The replica manager's link to the controller for ISR changes (Kafka's AlterPartition). The broker wires it to
 * the controller's {@code alterPartition}; tests use a fake.
 *
 * <p>The future completes with the partition's new state, or exceptionally with the Kafka ApiException that
 * says why not (NotLeaderOrFollower, FencedLeaderEpoch, InvalidUpdateVersion, IneligibleReplica,
 * UnknownTopicOrPartition, InvalidRequest). It may complete on any thread.
 */
@FunctionalInterface
public interface AlterPartitionChannel {
    CompletableFuture<PartitionImage> alterPartition(int brokerId, Uuid topicId, int partition, int leaderEpoch,
                                                     int partitionEpoch, List<Integer> newIsr);
}
