package io.herald.metadata.controller;

import io.herald.metadata.image.BrokerImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Kafka's replica placement, made deterministic. Leaders go round-robin over the brokers starting at an
 * offset derived from the topic name (Kafka picks it at random; a quorum member may not), so the leaders of
 * different topics spread; followers are shifted by a per-round amount so the follower sets spread too.
 *
 * <p>Rack-aware when every broker has a rack: brokers are listed alternating racks (r1's first, r2's first,
 * …, r1's second, …) and a follower is skipped while it would put a second replica in a rack before every
 * rack has one, as Kafka's AdminUtils does. Stateless.
 */
final class ReplicaPlacer {
    private ReplicaPlacer() {
    }

    /**
     * Replica lists for partitions {@code firstPartition .. firstPartition + count - 1}.
     *
     * @param brokers the candidate brokers (unfenced), any order; at least {@code replicationFactor} of them
     */
    static List<List<Integer>> place(String topic, int firstPartition, int count, int replicationFactor,
                                     List<BrokerImage> brokers) {
        if (replicationFactor < 1 || replicationFactor > brokers.size()) {
            throw new IllegalArgumentException("replication factor " + replicationFactor + " with "
                    + brokers.size() + " brokers");
        }
        boolean rackAware = brokers.stream().allMatch(b -> b.rack().isPresent())
                && brokers.stream().map(b -> b.rack().get()).distinct().count() > 1;
        List<BrokerImage> arranged = rackAware ? rackAlternated(brokers)
                : brokers.stream().sorted(Comparator.comparingInt(BrokerImage::brokerId)).toList();
        int n = arranged.size();
        int seed = topic.hashCode();
        int startIndex = Math.floorMod(seed, n);
        int shiftStart = n > 1 ? Math.floorMod(seed >>> 16, n - 1) : 0;
        int numRacks = rackAware ? (int) brokers.stream().map(b -> b.rack().get()).distinct().count() : 1;
        List<List<Integer>> result = new ArrayList<>(count);
        for (int p = firstPartition; p < firstPartition + count; p++) {
            int shift = shiftStart + p / n;
            int first = (p + startIndex) % n;
            List<Integer> replicas = new ArrayList<>(replicationFactor);
            BrokerImage leader = arranged.get(first);
            replicas.add(leader.brokerId());
            Set<String> racks = new HashSet<>();
            leader.rack().ifPresent(racks::add);
            int k = 0;
            while (replicas.size() < replicationFactor) {
                BrokerImage candidate = arranged.get(replicaIndex(first, rackAware ? shift * numRacks : shift, k++, n));
                boolean rackOk = !rackAware || !racks.contains(candidate.rack().get()) || racks.size() == numRacks;
                if (rackOk && !replicas.contains(candidate.brokerId())) {
                    replicas.add(candidate.brokerId());
                    candidate.rack().ifPresent(racks::add);
                }
            }
            result.add(List.copyOf(replicas));
        }
        return result;
    }

    private static int replicaIndex(int first, int shift, int k, int n) {
        int offset = 1 + Math.floorMod(shift + k, n - 1);
        return (first + offset) % n;
    }

    private static List<BrokerImage> rackAlternated(List<BrokerImage> brokers) {
        Map<String, List<BrokerImage>> byRack = new TreeMap<>();
        brokers.stream().sorted(Comparator.comparingInt(BrokerImage::brokerId))
                .forEach(b -> byRack.computeIfAbsent(b.rack().get(), r -> new ArrayList<>()).add(b));
        List<BrokerImage> arranged = new ArrayList<>(brokers.size());
        for (int i = 0; arranged.size() < brokers.size(); i++) {
            for (List<BrokerImage> rack : byRack.values()) {
                if (i < rack.size()) {
                    arranged.add(rack.get(i));
                }
            }
        }
        return arranged;
    }
}
