package io.herald.server.node;

import io.herald.protocol.FeatureSet;
import io.herald.protocol.VersionRange;
import java.util.Map;

/**
 * The feature levels (KIP-584) a Herald broker supports and runs, reported in ApiVersions. Clients choose protocols
 * by them: at {@code transaction.version} 2 a Kafka 4 producer speaks KIP-890 part 2 (the broker adds partitions to
 * the transaction, EndTxn bumps the epoch), {@code group.version} 1 says the KIP-848 consumer group protocol
 * is on, and {@code share.version} 1 that share groups (KIP-932) are. All three are what Kafka 4.3.1 finalizes on
 * a new cluster.
 *
 * <p>The levels are fixed in this version of Herald (there is no UpdateFeatures yet), so their epoch is a constant:
 * a client keeps the finalized levels of the highest epoch it has seen, and ignores those of epoch -1.
 */
final class BrokerFeatures {
    static final String TRANSACTION_VERSION = "transaction.version";
    static final String GROUP_VERSION = "group.version";
    static final String SHARE_VERSION = "share.version";
    private static final long EPOCH = 1;

    static final FeatureSet CURRENT = new FeatureSet(
            Map.of(TRANSACTION_VERSION, VersionRange.of(0, 2), GROUP_VERSION, VersionRange.of(0, 1),
                    SHARE_VERSION, VersionRange.of(0, 1)),
            Map.of(TRANSACTION_VERSION, (short) 2, GROUP_VERSION, (short) 1, SHARE_VERSION, (short) 1), EPOCH);

    private BrokerFeatures() {
    }
}
