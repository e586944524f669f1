package io.herald.group.consumer.assignor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * The "range" assignor: for each topic independently, the members subscribed to it, sorted by
 * member id, get contiguous ranges of partitions; the first {@code partitions % members} members
 * get one partition more than the others. As with Kafka's range assignor, members subscribed to
 * the same topics get the same partition numbers of every topic (co-partitioning).
 *
 * <p>Unlike Kafka's server-side range assignor this one is not sticky: it ignores the current
 * target, so adding a member can move more partitions than strictly needed. Stateless and
 * thread-safe.
 */
public final class RangeAssignor implements PartitionAssignor {

    public static final String NAME = "range";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, Map<Uuid, Set<Integer>>> assign(AssignmentSpec spec) {
        Map<String, Map<Uuid, Set<Integer>>> result = new TreeMap<>();
        Map<Uuid, List<String>> subscribers = new HashMap<>();
        for (var entry : spec.members().entrySet()) {
            result.put(entry.getKey(), new TreeMap<>());
            for (Uuid topicId : entry.getValue().subscribedTopicIds()) {
                if (spec.partitionCounts().containsKey(topicId)) {
                    subscribers.computeIfAbsent(topicId, k -> new ArrayList<>()).add(entry.getKey());
                }
            }
        }
        for (var entry : spec.partitionCounts().entrySet()) {
            List<String> members = subscribers.get(entry.getKey());
            if (members == null) {
                continue;
            }
            members.sort(null);
            int partitions = entry.getValue();
            int quota = partitions / members.size();
            int extra = partitions % members.size();
            int next = 0;
            for (int i = 0; i < members.size(); i++) {
                int count = quota + (i < extra ? 1 : 0);
                if (count == 0) {
                    continue;
                }
                Set<Integer> range = new TreeSet<>();
                for (int p = next; p < next + count; p++) {
                    range.add(p);
                }
                next += count;
                result.get(members.get(i)).put(entry.getKey(), range);
            }
        }
        return result;
    }
}
