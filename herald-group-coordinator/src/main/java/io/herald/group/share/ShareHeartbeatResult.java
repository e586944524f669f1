package io.herald.group.share;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;

/**
 * What a ShareGroupHeartbeat produced besides its records: the response, and the share-partitions it marked as
 * initializing, whose state the coordinator initializes after the heartbeat's records are committed (Kafka's
 * {@code Map.Entry<ShareGroupHeartbeatResponseData, Optional<InitializeShareGroupStateParameters>>}).
 */
public record ShareHeartbeatResult(ShareGroupHeartbeatResponseData response, List<SharePartitionInit> initializations) {
    public ShareHeartbeatResult {
        Objects.requireNonNull(response, "response");
        initializations = List.copyOf(initializations);
    }
}
