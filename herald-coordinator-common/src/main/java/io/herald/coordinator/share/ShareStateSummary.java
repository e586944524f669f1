package io.herald.coordinator.share;

import org.apache.kafka.common.protocol.Errors;

/**
 * ReadShareGroupStateSummary's answer for one share-partition (DescribeShareGroupOffsets): the start offset the
 * admin tools show, and from v1 how many in-flight records are done, for the lag.
 */
public record ShareStateSummary(Errors error, int stateEpoch, int leaderEpoch, long startOffset,
                                int deliveryCompleteCount) {}
