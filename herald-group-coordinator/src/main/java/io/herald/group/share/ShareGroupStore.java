package io.herald.group.share;

import io.herald.common.time.Time;
import io.herald.group.RecordSink;
import io.herald.group.record.ShareGroupRecord;
import io.herald.group.record.ShareGroupRecord.GroupDeleted;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The share groups of one {@code __consumer_offsets} partition, by id, and the one way they change: records
 * written through the {@link RecordSink}, which replays them here ({@link #replay}) before they are appended.
 *
 * <p>A value record of an unknown group creates it (a log may show a group first through any of its records,
 * and AlterShareGroupOffsets creates an empty group); a tombstone of an unknown group is ignored;
 * {@link GroupDeleted} removes the group.
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
final class ShareGroupStore {
    private final Time time;
    private final RecordSink sink;
    private final Map<String, ShareGroup> groups = new TreeMap<>();

    ShareGroupStore(Time time, RecordSink sink) {
        this.time = time;
        this.sink = sink;
    }

    Optional<ShareGroup> group(String groupId) {
        return Optional.ofNullable(groups.get(groupId));
    }

    Collection<ShareGroup> groups() {
        return Collections.unmodifiableCollection(groups.values());
    }

    /** Applies the record now and writes it: state changes only this way. */
    void write(ShareGroupRecord record) {
        sink.applyAndWrite(record);
    }

    void replay(ShareGroupRecord record) {
        if (record instanceof GroupDeleted) {
            groups.remove(record.groupId());
            return;
        }
        ShareGroup group = groups.get(record.groupId());
        if (group == null) {
            if (isTombstone(record)) {
                return;
            }
            group = new ShareGroup(record.groupId());
            groups.put(record.groupId(), group);
        }
        group.replay(record, time.milliseconds());
    }

    private static boolean isTombstone(ShareGroupRecord record) {
        return switch (record) {
            case ShareGroupRecord.GroupDeleted r -> true;
            case ShareGroupRecord.MemberRemoved r -> true;
            case ShareGroupRecord.TargetAssignmentEpochRemoved r -> true;
            case ShareGroupRecord.TargetAssignmentMemberRemoved r -> true;
            case ShareGroupRecord.CurrentAssignmentRemoved r -> true;
            case ShareGroupRecord.StatePartitionsRemoved r -> true;
            case ShareGroupRecord.GroupEpoch r -> false;
            case ShareGroupRecord.MemberMetadata r -> false;
            case ShareGroupRecord.TargetAssignmentEpoch r -> false;
            case ShareGroupRecord.TargetAssignmentMember r -> false;
            case ShareGroupRecord.CurrentAssignment r -> false;
            case ShareGroupRecord.StatePartitions r -> false;
        };
    }
}
