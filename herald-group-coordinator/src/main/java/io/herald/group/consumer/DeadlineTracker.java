package io.herald.group.consumer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * The coordinator's soft timers: a session deadline per member and, while a member has partitions
 * pending revocation, a rebalance deadline tied to the member epoch it was set for. Not persisted:
 * {@link ConsumerGroupCoordinatorShard#onLoaded} re-arms them after a load, as Kafka does.
 *
 * <p>Linear scans: fine for thousands of members; a hashed wheel can replace it without changing
 * callers. Not thread-safe: confined to the shard's thread.
 */
final class DeadlineTracker {

    record MemberKey(String groupId, String memberId) {
    }

    record RebalanceDeadline(int memberEpoch, long deadlineMs) {
    }

    private final Map<MemberKey, Long> sessions = new HashMap<>();
    private final Map<MemberKey, RebalanceDeadline> rebalances = new HashMap<>();

    void scheduleSession(String groupId, String memberId, long deadlineMs) {
        sessions.put(new MemberKey(groupId, memberId), deadlineMs);
    }

    void scheduleRebalance(String groupId, String memberId, int memberEpoch, long deadlineMs) {
        rebalances.put(new MemberKey(groupId, memberId), new RebalanceDeadline(memberEpoch, deadlineMs));
    }

    void cancelRebalance(String groupId, String memberId) {
        rebalances.remove(new MemberKey(groupId, memberId));
    }

    Optional<RebalanceDeadline> rebalance(String groupId, String memberId) {
        return Optional.ofNullable(rebalances.get(new MemberKey(groupId, memberId)));
    }

    void cancelAll(String groupId, String memberId) {
        MemberKey key = new MemberKey(groupId, memberId);
        sessions.remove(key);
        rebalances.remove(key);
    }

    void clear() {
        sessions.clear();
        rebalances.clear();
    }

    /** Removes and returns the expired session timers, by deadline then key. */
    List<MemberKey> expiredSessions(long nowMs) {
        return drain(sessions, nowMs, d -> d).stream().map(Map.Entry::getKey).toList();
    }

    /** Removes and returns the expired rebalance timers with the epoch they were set for. */
    List<Map.Entry<MemberKey, RebalanceDeadline>> expiredRebalances(long nowMs) {
        return drain(rebalances, nowMs, RebalanceDeadline::deadlineMs);
    }

    Optional<Long> nextDeadlineMs() {
        long min = Long.MAX_VALUE;
        for (long d : sessions.values()) {
            min = Math.min(min, d);
        }
        for (RebalanceDeadline d : rebalances.values()) {
            min = Math.min(min, d.deadlineMs());
        }
        return min == Long.MAX_VALUE ? Optional.empty() : Optional.of(min);
    }

    private static <V> List<Map.Entry<MemberKey, V>> drain(Map<MemberKey, V> timers, long nowMs,
            ToLongFunction<V> deadline) {
        List<Map.Entry<MemberKey, V>> expired = new ArrayList<>();
        for (var e : timers.entrySet()) {
            if (deadline.applyAsLong(e.getValue()) <= nowMs) {
                expired.add(Map.entry(e.getKey(), e.getValue()));
            }
        }
        // Deterministic order, so that replaying a seed produces the same records.
        expired.sort(Comparator.<Map.Entry<MemberKey, V>>comparingLong(e -> deadline.applyAsLong(e.getValue()))
                .thenComparing(e -> e.getKey().groupId())
                .thenComparing(e -> e.getKey().memberId()));
        expired.forEach(e -> timers.remove(e.getKey()));
        return expired;
    }
}
