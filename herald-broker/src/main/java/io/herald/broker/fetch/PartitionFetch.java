package io.herald.broker.fetch;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * One partition of a fetch as it is read: what the client asked for (directly, or as its fetch session
 * remembers it), resolved against the metadata image at arrival.
 *
 * @param resolveError NONE, or why the topic could not be resolved (UNKNOWN_TOPIC_ID, UNKNOWN_TOPIC_OR_PARTITION)
 */
public record PartitionFetch(String topic, Uuid topicId, int partition, long fetchOffset, int maxBytes,
                             int currentLeaderEpoch, int lastFetchedEpoch, long logStartOffset,
                             Errors resolveError) {}
