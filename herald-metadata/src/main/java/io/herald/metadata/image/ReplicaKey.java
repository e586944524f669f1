package io.herald.metadata.image;

import java.util.Comparator;
import org.apache.kafka.common.Uuid;

/**
 * A partition by topic id, as a broker names its replicas when it reports them offline (a failed log dir,
 * KIP-858). Ordered by topic id, then partition, so that records listing them are deterministic.
 */
public record ReplicaKey(Uuid topicId, int partition) implements Comparable<ReplicaKey> {
    private static final Comparator<ReplicaKey> ORDER = Comparator
            .comparingLong((ReplicaKey k) -> k.topicId().getMostSignificantBits())
            .thenComparingLong(k -> k.topicId().getLeastSignificantBits())
            .thenComparingInt(ReplicaKey::partition);

    @Override
    public int compareTo(ReplicaKey other) {
        return ORDER.compare(this, other);
    }
}
