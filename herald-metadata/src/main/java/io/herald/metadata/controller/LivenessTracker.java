package io.herald.metadata.controller;

import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The leader's memory of when each broker (incarnation) last heartbeated. Leader-only and never replicated:
 * a new leader knows nothing of heartbeats sent to the old one, so it starts every broker's session at the
 * moment it took over ({@link #reset}); a broker it first notices (just registered) starts at that moment
 * too. Thread-safe (synchronized).
 */
final class LivenessTracker {
    private record Seen(long brokerEpoch, long atMs) {}

    private final long sessionTimeoutMs;
    private final Map<Integer, Seen> lastSeen = new HashMap<>();

    LivenessTracker(long sessionTimeoutMs) {
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    synchronized void reset(ClusterImage image, long nowMs) {
        lastSeen.clear();
        image.brokers().values().forEach(b -> lastSeen.put(b.brokerId(), new Seen(b.brokerEpoch(), nowMs)));
    }

    synchronized void touch(int brokerId, long brokerEpoch, long nowMs) {
        lastSeen.put(brokerId, new Seen(brokerEpoch, nowMs));
    }

    /**
     * The unfenced brokers whose session expired; each one's session restarts now, so a fence that fails to
     * commit is retried only after another timeout instead of on every check.
     */
    synchronized List<BrokerImage> expire(ClusterImage image, long nowMs) {
        List<BrokerImage> expired = new ArrayList<>();
        for (BrokerImage b : image.brokers().values().stream()
                .sorted(java.util.Comparator.comparingInt(BrokerImage::brokerId)).toList()) {
            Seen seen = lastSeen.get(b.brokerId());
            if (seen == null || seen.brokerEpoch() != b.brokerEpoch()) {
                lastSeen.put(b.brokerId(), new Seen(b.brokerEpoch(), nowMs));
            } else if (!b.fenced() && nowMs - seen.atMs() >= sessionTimeoutMs) {
                expired.add(b);
                lastSeen.put(b.brokerId(), new Seen(b.brokerEpoch(), nowMs));
            }
        }
        return expired;
    }
}
