package io.herald.group.classic;

import io.herald.group.GroupTimer;

/**
 * The per-member expiry timers of the classic protocol: the session timeout of a member, the join timeout of a
 * new member whose first JoinGroup is parked, and the lifetime of a MEMBER_ID_REQUIRED id handed out but not
 * used yet. All three share one key per member ({@link ClassicTimerKeys#heartbeat}), so arming one replaces
 * the other: a member never has two expiries at once.
 *
 * <p>What expiry means is the {@link ExpiryListener}'s business (the membership rules); the timer only says
 * that a member's time ran out, and the listener re-checks the member's state, since the generation may
 * have moved on.
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
final class MemberSessions {

    /** Told, on the event loop, that a member's timer ran out. */
    @FunctionalInterface
    interface ExpiryListener {
        void onSessionExpired(String groupId, String memberId);
    }

    private final GroupTimer timer;
    private final ExpiryListener listener;

    MemberSessions(GroupTimer timer, ExpiryListener listener) {
        this.timer = timer;
        this.listener = listener;
    }

    /** Arms (or re-arms) the member's expiry {@code timeoutMs} from now. */
    void expireAfter(String groupId, String memberId, long timeoutMs) {
        timer.schedule(ClassicTimerKeys.heartbeat(groupId, memberId), timeoutMs,
                () -> listener.onSessionExpired(groupId, memberId));
    }

    /** A sign of life: the member has its session timeout again from now. */
    void reschedule(ClassicGroup group, ClassicMember member) {
        expireAfter(group.groupId(), member.memberId(), member.sessionTimeoutMs());
    }

    void cancel(String groupId, String memberId) {
        timer.cancel(ClassicTimerKeys.heartbeat(groupId, memberId));
    }
}
