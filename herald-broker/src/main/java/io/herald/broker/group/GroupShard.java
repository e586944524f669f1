package io.herald.broker.group;

import org.apache.kafka.common.utils.Time;

/**
 * The coordinator's state and operations without threading (Kafka's {@code GroupCoordinatorShard}): the
 * classic group state machine, the offsets, and the admin operations, all writing through one
 * {@link GroupRecordWriter}, and {@link #replay} to rebuild them from the log.
 *
 * <p>Not thread-safe: confined to the coordinator thread; tests drive it directly with a manual clock and
 * timer.
 */
final class GroupShard {
    final ClassicGroupManager groups;
    final OffsetStore store;
    final OffsetManager offsets;
    final GroupAdmin admin;

    GroupShard(GroupConfig config, Time time, CoordinatorTimer timer, GroupRecordWriter writer) {
        this.groups = new ClassicGroupManager(config, time, timer, writer);
        this.store = new OffsetStore();
        this.offsets = new OffsetManager(config, time, groups, store, writer);
        this.admin = new GroupAdmin(groups, store, writer);
    }

    /** Applies one record read back from the log. */
    void replay(GroupRecord record) {
        switch (record) {
            case GroupRecord.OffsetCommit oc -> {
                if (oc.value().isPresent()) {
                    // A group may exist only through its offsets (simple commits): it must exist after load.
                    groups.getOrCreate(oc.groupId());
                }
                store.replay(oc);
            }
            case GroupRecord.GroupMetadata gm -> groups.replay(gm);
        }
    }
}
