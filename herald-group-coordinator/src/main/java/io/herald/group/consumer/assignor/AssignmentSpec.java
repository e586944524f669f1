package io.herald.group.consumer.assignor;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * The input of a {@link PartitionAssignor}: the members with their subscriptions and current
 * target assignment, and the partition count of every subscribed topic.
 *
 * @param members by member id
 * @param partitionCounts topic id → number of partitions, for every topic that exists and that
 *     some member subscribes to; subscriptions to topics missing here are ignored
 */
public record AssignmentSpec(Map<String, MemberSpec> members, Map<Uuid, Integer> partitionCounts) {

    public AssignmentSpec {
        members = new TreeMap<>(Objects.requireNonNull(members, "members"));
        partitionCounts = new TreeMap<>(Objects.requireNonNull(partitionCounts, "partitionCounts"));
    }

    /**
     * One member as the assignor sees it.
     *
     * @param subscribedTopicIds topics the member subscribes to (names and regex already resolved)
     * @param currentTarget the member's previous target assignment; sticky assignors start from it
     * @param instanceId the static member's group.instance.id, if any
     * @param rackId the member's client.rack, if any
     */
    public record MemberSpec(
            Set<Uuid> subscribedTopicIds,
            Map<Uuid, Set<Integer>> currentTarget,
            Optional<String> instanceId,
            Optional<String> rackId) {

        public MemberSpec {
            subscribedTopicIds = Set.copyOf(subscribedTopicIds);
            currentTarget = Map.copyOf(currentTarget);
            Objects.requireNonNull(instanceId, "instanceId");
            Objects.requireNonNull(rackId, "rackId");
        }

        public static MemberSpec of(Set<Uuid> subscribedTopicIds, Map<Uuid, Set<Integer>> currentTarget) {
            return new MemberSpec(subscribedTopicIds, currentTarget, Optional.empty(), Optional.empty());
        }
    }
}
