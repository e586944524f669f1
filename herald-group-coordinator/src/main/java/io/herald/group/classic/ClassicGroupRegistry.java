package io.herald.group.classic;

import io.herald.common.time.Time;
import io.herald.group.GroupTimer;
import io.herald.group.record.GroupRecord;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.common.protocol.Errors;

/**
 * The classic groups of one {@code __consumer_offsets} partition, by group id: creation, rebuilding from the
 * log ({@link #replay}), and removal, by deletion or because the partition moved away ({@link #unload}).
 *
 * <p>Invariant: a group that leaves the map (deletion, unload) is first made Dead, with its parked JoinGroups
 * and SyncGroups answered and its timers cancelled, so that no client waits on a group that is gone; timer
 * tasks look their group up here by id and do nothing when it is absent. A non-tombstone metadata record
 * replaces a group without that: such records are replayed only while the partition loads (live operation
 * writes them with the state already in memory), before any request is parked or timer armed.
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
final class ClassicGroupRegistry {
    private final Time time;
    private final GroupTimer timer;
    private final Map<String, ClassicGroup> groups = new HashMap<>();

    ClassicGroupRegistry(Time time, GroupTimer timer) {
        this.time = time;
        this.timer = timer;
    }

    Optional<ClassicGroup> group(String groupId) {
        return Optional.ofNullable(groups.get(groupId));
    }

    /** A live view: it changes as groups come and go. */
    Collection<ClassicGroup> groups() {
        return groups.values();
    }

    ClassicGroup getOrCreate(String groupId) {
        return groups.computeIfAbsent(groupId, id -> new ClassicGroup(id, time.milliseconds()));
    }

    /** Marks a deleted group Dead and forgets it; parked requests learn that the coordinator moved on. */
    void removeGroup(String groupId) {
        ClassicGroup group = groups.remove(groupId);
        if (group != null) {
            drop(group, Errors.COORDINATOR_NOT_AVAILABLE);
        }
    }

    /** Forgets every group; parked requests answer NOT_COORDINATOR. */
    void unload() {
        for (var it = groups.values().iterator(); it.hasNext(); ) {
            ClassicGroup group = it.next();
            it.remove();
            drop(group, Errors.NOT_COORDINATOR);
        }
    }

    /** Rebuilds a group from its metadata record (partition load); a tombstone removes it. */
    void replay(GroupRecord.GroupMetadata record) {
        if (record.value().isEmpty()) {
            removeGroup(record.groupId());
            return;
        }
        groups.put(record.groupId(), ClassicGroupRecords.groupFrom(record.groupId(), record.value().get()));
    }

    /** A group leaving this coordinator: answers its parked requests with {@code error}, cancels its timers. */
    private void drop(ClassicGroup group, Errors error) {
        String groupId = group.groupId();
        for (ClassicMember m : group.members()) {
            m.completeJoin(ClassicResponses.joinError(m.memberId(), error));
            m.completeSync(ClassicResponses.syncError(error));
            timer.cancel(ClassicTimerKeys.heartbeat(groupId, m.memberId()));
        }
        for (String pending : group.pendingMembers()) {
            timer.cancel(ClassicTimerKeys.heartbeat(groupId, pending));
        }
        timer.cancel(ClassicTimerKeys.join(groupId));
        timer.cancel(ClassicTimerKeys.sync(groupId));
        group.transitionTo(GroupState.DEAD, time.milliseconds());
    }
}
