package io.herald.group.consumer;

import io.herald.group.consumer.assignor.AssignmentSpec;
import io.herald.group.consumer.assignor.AssignmentSpec.MemberSpec;
import io.herald.group.consumer.assignor.PartitionAssignor;
import io.herald.group.consumer.assignor.RangeAssignor;
import io.herald.group.consumer.assignor.UniformAssignor;
import io.herald.group.record.ConsumerGroupRecord;
import io.herald.group.record.ConsumerGroupRecord.MemberMetadata;
import io.herald.group.record.ConsumerGroupRecord.TargetAssignmentEpoch;
import io.herald.group.record.ConsumerGroupRecord.TargetAssignmentMember;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.kafka.common.Uuid;

/**
 * What a consumer group's target assignment depends on, and the target itself: the topics each member
 * subscribes to (names plus regex matches), the hash of those topics' metadata that tells the shard when to
 * bump the group epoch, the server assignor the members prefer, and the assignor's result as records.
 *
 * <p>Reads groups and never changes them: {@link #targetAssignment} returns the records, and the shard
 * replays them like any other ({@link ConsumerGroupCoordinatorShard}), so state still changes only by
 * replay. Deterministic: the same group and topics give the same hash and the same records, which replaying
 * a log or re-running a simulation seed relies on (names are visited in sorted order, assignors are pure).
 * The only state is a cache of compiled regexes, which changes no result.
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
final class TargetAssignmentBuilder {

    /** Kafka's internal topics, never matched by a regex subscription. */
    private static final Set<String> INTERNAL_TOPICS =
            Set.of("__consumer_offsets", "__transaction_state", "__share_group_state");

    private final ConsumerGroupConfig config;
    private final Map<String, PartitionAssignor> assignors = new LinkedHashMap<>();
    private final Map<String, Pattern> patterns = new HashMap<>();

    TargetAssignmentBuilder(ConsumerGroupConfig config) {
        this.config = config;
        // Order matters for the UNSUPPORTED_ASSIGNOR message only.
        PartitionAssignor uniform = new UniformAssignor();
        PartitionAssignor range = new RangeAssignor();
        assignors.put(uniform.name(), uniform);
        assignors.put(range.name(), range);
    }

    /** The server assignors a heartbeat may name, in the order the UNSUPPORTED_ASSIGNOR message lists them. */
    Set<String> assignorNames() {
        return Collections.unmodifiableSet(assignors.keySet());
    }

    /**
     * The records that set the group's target to what its preferred assignor computes now: a
     * {@link TargetAssignmentMember} for each member whose target changes, then the
     * {@link TargetAssignmentEpoch} at the group epoch.
     */
    List<ConsumerGroupRecord> targetAssignment(ConsumerGroup group, TopicsView topics) {
        PartitionAssignor assignor = assignors.get(preferredAssignor(group));
        Map<String, MemberSpec> specs = new TreeMap<>();
        Map<Uuid, Integer> partitionCounts = new TreeMap<>();
        for (ConsumerGroup.Member m : group.members().values()) {
            if (m.metadata().isEmpty()) {
                continue;
            }
            MemberMetadata md = m.metadata().get();
            Set<Uuid> topicIds = new TreeSet<>();
            for (String name : subscribedTopicNames(md, topics)) {
                topics.topic(name).ifPresent(t -> {
                    topicIds.add(t.id());
                    partitionCounts.put(t.id(), t.partitionCount());
                });
            }
            specs.put(m.memberId(), new MemberSpec(topicIds, m.target(), md.instanceId(), md.rackId()));
        }
        Map<String, Map<Uuid, Set<Integer>>> target = assignor.assign(new AssignmentSpec(specs, partitionCounts));
        List<ConsumerGroupRecord> records = new ArrayList<>();
        for (String memberId : specs.keySet()) {
            Map<Uuid, Set<Integer>> assignment = TopicPartitionSets.normalize(target.getOrDefault(memberId, Map.of()));
            if (!assignment.equals(group.member(memberId).orElseThrow().target())) {
                records.add(new TargetAssignmentMember(group.groupId(), memberId, assignment));
            }
        }
        records.add(new TargetAssignmentEpoch(group.groupId(), group.groupEpoch()));
        return records;
    }

    /** The assignor most members ask for (ties: by name), or the configured default. */
    String preferredAssignor(ConsumerGroup group) {
        Map<String, Integer> votes = new TreeMap<>();
        for (ConsumerGroup.Member m : group.members().values()) {
            m.metadata().flatMap(MemberMetadata::serverAssignor).ifPresent(a -> votes.merge(a, 1, Integer::sum));
        }
        String best = config.defaultAssignor();
        int bestVotes = 0;
        for (var e : votes.entrySet()) {
            if (e.getValue() > bestVotes && assignors.containsKey(e.getKey())) {
                best = e.getKey();
                bestVotes = e.getValue();
            }
        }
        return best;
    }

    /**
     * Hash of (name, id, partition count) of every topic the group subscribes to once {@code updated} (a
     * member's new metadata) is in and {@code replaced} (a static member's departed incarnation, or null) is
     * out. A change means the assignment's inputs changed: the shard bumps the group epoch.
     */
    long subscribedTopicsHash(
            ConsumerGroup group, MemberMetadata updated, ConsumerGroup.Member replaced, TopicsView topics) {
        Set<String> names = new TreeSet<>(subscribedTopicNames(updated, topics));
        for (ConsumerGroup.Member m : group.members().values()) {
            if (m.memberId().equals(updated.memberId()) || m == replaced || m.metadata().isEmpty()) {
                continue;
            }
            names.addAll(subscribedTopicNames(m.metadata().get(), topics));
        }
        long hash = 0x6A09E667F3BCC908L;
        for (String name : names) {
            Optional<TopicsView.TopicInfo> topic = topics.topic(name);
            if (topic.isPresent()) {
                hash = mix(hash, name.hashCode());
                hash = mix(hash, topic.get().id().getMostSignificantBits());
                hash = mix(hash, topic.get().id().getLeastSignificantBits());
                hash = mix(hash, topic.get().partitionCount());
            }
        }
        return hash;
    }

    /**
     * Subscribed names plus the existing topics the regex matches. Kafka uses RE2J and resolves
     * regexes asynchronously; Herald uses java.util.regex (full match) synchronously, which
     * accepts a superset of RE2 syntax (back-references, look-around).
     */
    private Set<String> subscribedTopicNames(MemberMetadata md, TopicsView topics) {
        Set<String> names = new TreeSet<>(md.subscribedTopicNames());
        md.subscribedTopicRegex().ifPresent(regex -> {
            Pattern pattern = patterns.computeIfAbsent(regex, Pattern::compile);
            for (String name : topics.topicNames()) {
                if (!INTERNAL_TOPICS.contains(name) && pattern.matcher(name).matches()) {
                    names.add(name);
                }
            }
        });
        return names;
    }

    private static long mix(long hash, long value) {
        long h = (hash ^ value) * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 29);
    }
}
