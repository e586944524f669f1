package io.herald.group.classic;

/**
 * The keys of the classic protocol's timers in the partition's {@link io.herald.group.GroupTimer}. One key per
 * purpose and group (or member), so that scheduling again replaces the earlier task instead of adding one: a
 * member has at most one session timer, a group at most one join and one sync timer.
 *
 * <p>Stateless.
 */
final class ClassicTimerKeys {

    private ClassicTimerKeys() {
    }

    /** A member's session (or new-member join, or pending MEMBER_ID_REQUIRED) timeout. */
    static String heartbeat(String groupId, String memberId) {
        return "heartbeat-" + groupId + "-" + memberId;
    }

    /** The group's join phase: the initial rebalance delay, then the rebalance timeout. */
    static String join(String groupId) {
        return "join-" + groupId;
    }

    /** The group's wait for the SyncGroups of a new generation. */
    static String sync(String groupId) {
        return "sync-" + groupId;
    }
}
