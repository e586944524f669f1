package io.herald.group.record;

import io.herald.group.offsets.OffsetAndMetadata;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A record of the {@code __consumer_offsets} log: the unit of durable group state. A present value sets the
 * state for its key; an empty value is a tombstone (compaction keeps only the newest record per key).
 */
public sealed interface GroupRecord extends GroupCoordinatorRecord {
    String groupId();

    /** The committed offset of one partition for one group. */
    record OffsetCommit(String groupId, String topic, int partition, Optional<OffsetAndMetadata> value)
            implements GroupRecord {
        public OffsetCommit {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(value, "value");
        }
    }

    /** A classic group's membership and assignment as of its last completed rebalance. */
    record GroupMetadata(String groupId, Optional<GroupMetadataValue> value) implements GroupRecord {
        public GroupMetadata {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * @param protocolType          "consumer", "connect", ... or "" for a group that only commits offsets
     * @param protocolName          the selected assignor, null when the group is empty
     * @param leader                the leader's member id, null when the group is empty
     * @param currentStateTimestamp when the group entered its current state (offset expiry of empty groups)
     */
    record GroupMetadataValue(String protocolType, int generation, String protocolName, String leader,
                              long currentStateTimestamp, List<MemberValue> members) {
        public GroupMetadataValue {
            Objects.requireNonNull(protocolType, "protocolType");
            members = List.copyOf(members);
        }
    }

    /** One member; {@code subscription} is its metadata for the selected protocol. */
    record MemberValue(String memberId, String groupInstanceId, String clientId, String clientHost,
                       int rebalanceTimeoutMs, int sessionTimeoutMs, byte[] subscription, byte[] assignment) {
        public MemberValue {
            Objects.requireNonNull(memberId, "memberId");
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(clientHost, "clientHost");
            Objects.requireNonNull(subscription, "subscription");
            Objects.requireNonNull(assignment, "assignment");
        }
    }
}
